// The organisation contract (Tyk Organisation-create, Organisation-index-elem, Organisation-show).
import { Type, type Static } from 'typebox'
import { Id, Ignored, Timestamp } from '../../http/schemas.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { UserElem, toUserElem } from './member.schemas.ts'
import type { OrganisationRecord, OrganisationWithMembers } from './organisation.record.ts'
import { TeamElem, toTeamElem } from './team.schemas.ts'

export const OrganisationIdParam = Type.String({ description: 'UID of an organisation (integer)', examples: ['2'] })

export const OrganisationBody = Type.Object({
  Name: Type.String({ minLength: 1, maxLength: 255, examples: ['ACME Partners'] }),
  ID: Ignored(),
  CreatedAt: Ignored(),
  UpdatedAt: Ignored(),
  Teams: Ignored('Read-only: teams change through /organisations/{id}/teams'),
  Users: Ignored('Read-only: users change organisation through PUT /users/{id}')
}, { additionalProperties: false })
export type OrganisationInput = Static<typeof OrganisationBody>
/** PUT: the same fields, none required (Tyk: only the name of an organisation changes). */
export const OrganisationPatch = Type.Partial(OrganisationBody, { additionalProperties: false })
export type OrganisationPatch = Static<typeof OrganisationPatch>

export const OrganisationElem = Type.Object({ ID: Id, Name: Type.String({ examples: ['Default Organisation'] }) }, { additionalProperties: false })
export type OrganisationElem = Static<typeof OrganisationElem>

export const OrganisationShow = Type.Object({
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp,
  ID: Id,
  Name: Type.String({ examples: ['Default Organisation'] }),
  Teams: Type.Array(TeamElem, { description: 'its teams, the default one first' }),
  Users: Type.Array(UserElem, { description: 'its users; [] for a new organisation' })
}, { additionalProperties: false })
export type OrganisationShow = Static<typeof OrganisationShow>

export const toOrganisationElem = (organisation: OrganisationRecord): OrganisationElem => ({ ID: organisation.id, Name: organisation.name })

export function toOrganisationShow (organisation: OrganisationWithMembers): OrganisationShow {
  return {
    CreatedAt: formatTimestamp(organisation.createdAt),
    UpdatedAt: formatTimestamp(organisation.updatedAt),
    ID: organisation.id,
    Name: organisation.name,
    Teams: organisation.teams.map(toTeamElem),
    Users: organisation.users.map(toUserElem)
  }
}
