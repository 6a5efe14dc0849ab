// The team contract (Tyk Team-create, Team-update, Team-index-elem, Team-show).
import { Type, type Static } from 'typebox'
import { Id, IdRef, Ignored, List, Timestamp } from '../../http/schemas.ts'
import { formatTimestamp } from '../../shared/time.ts'
import type { TeamRecord } from './organisation.record.ts'

export const TeamIdParam = Type.String({ description: 'UID of a team (integer)', examples: ['2'] })

const TeamName = Type.String({ minLength: 1, maxLength: 255, examples: ['Partner Team A'] })
// What a GET answers beside Name: accepted and ignored on write (GET-modify-PUT, design.md §2).
const echoed = { ID: Ignored(), CreatedAt: Ignored(), UpdatedAt: Ignored(), Default: Ignored() }

export const TeamBody = Type.Object({ Name: TeamName, ...echoed }, { additionalProperties: false })
export type TeamInput = Static<typeof TeamBody>

/** A member as Team-update writes it (a user ID), or as Team-show answers it ("User#6"). */
const Member = Type.Union([IdRef(), Type.String({ pattern: '^User#[1-9][0-9]{0,9}$' })])

export const TeamPatch = Type.Object({
  Name: Type.Optional(TeamName),
  Users: Type.Optional(List(Member, { maxItems: 10000, description: 'the members: user IDs, or "User#6" as a GET answers; users of this organisation. Omitted keeps them, [] or null removes all' })),
  ...echoed
}, { additionalProperties: false })
export type TeamPatch = Static<typeof TeamPatch>

export const TeamElem = Type.Object({
  Default: Type.Boolean({ description: 'the organisation\'s default team: new users go there unless told otherwise' }),
  ID: Id,
  Name: Type.String({ examples: ['Default Organisation All users'] })
}, { additionalProperties: false, description: 'Tyk Team-index-elem' })
export type TeamElem = Static<typeof TeamElem>

export const TeamShow = Type.Object({
  Name: Type.String({ examples: ['Default Organisation All users'] }),
  ID: Id,
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp,
  Users: Type.Array(Type.String({ examples: ['User#6'] }), { description: 'the members' })
}, { additionalProperties: false, description: 'Tyk Team-show' })
export type TeamShow = Static<typeof TeamShow>

export const toTeamElem = (team: TeamRecord): TeamElem => ({ Default: team.isDefault, ID: team.id, Name: team.name })

export function toTeamShow (team: TeamRecord): TeamShow {
  return {
    Name: team.name,
    ID: team.id,
    CreatedAt: formatTimestamp(team.createdAt),
    UpdatedAt: formatTimestamp(team.updatedAt),
    Users: team.userIds.map((id) => `User#${id}`)
  }
}
