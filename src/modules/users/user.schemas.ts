// The user contract (Tyk User-basis, User-create, User-update, User-index-elem, User-show).
import { Type, type Static } from 'typebox'
import { IdRef, Ignored, List, StringEnum, Timestamp } from '../../http/schemas.ts'
import { MAX_ID } from '../../shared/ids.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { ROLES } from '../organisations/member.record.ts'
import { UserElem, toUserElem } from '../organisations/member.schemas.ts'
import { TeamShow, toTeamShow } from '../organisations/team.schemas.ts'
import type { UserRecord } from './user.record.ts'

export const UserIdParam = Type.String({ description: 'UID of a user (integer)', examples: ['1'] })

/** A team as User-update writes it (an ID; Tyk's schema types it as a string), or as User-show answers it (an object with ID). */
const TeamRef = Type.Union([
  IdRef(),
  Type.String({ maxLength: 32 }),
  Type.Object({ ID: IdRef() }, { additionalProperties: true })
])

export const UserBody = Type.Object({
  Email: Type.String({ minLength: 1, maxLength: 254, description: 'unique, ignoring case', examples: ['developer@acme.com'] }),
  First: Type.Optional(Type.String({ maxLength: 255, examples: ['John'] })),
  Last: Type.Optional(Type.String({ maxLength: 255, examples: ['Doe'] })),
  Active: Type.Optional(Type.Boolean({ description: 'the user may sign in (default false, Go\'s zero value)' })),
  OrganisationID: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ID, description: 'an API consumer\'s organisation (0 or omitted: the Default Organisation); 0 for admin users' })),
  Role: Type.Optional(StringEnum(ROLES, { description: 'default consumer-team-member' })),
  Provider: Type.Optional(Type.String({ maxLength: 64, description: 'how the user signs in (default password)', examples: ['password'] })),
  ResetPassword: Type.Optional(Type.Boolean({ description: 'the user must change their password at the next sign-in (default false)' })),
  Teams: Type.Optional(List(TeamRef, {
    maxItems: 1000,
    description: 'teams of the user\'s organisation: IDs, or the objects a GET answered (on create our extension; default: the organisation\'s default team). Omitted on PUT keeps them'
  })),
  Password: Type.Optional(Type.Unknown({ writeOnly: true, description: 'refused: this service keeps no password for portal users, who sign in through OpenID Connect' })),
  ID: Ignored(),
  CreatedAt: Ignored(),
  UpdatedAt: Ignored(),
  Organisation: Ignored(),
  JWTToken: Ignored(),
  APITokenCreatedAt: Ignored()
}, { additionalProperties: false })
export type UserInput = Static<typeof UserBody>
/** PUT: the same fields, none required (decoded onto the stored user, as Tyk's handler does). */
export const UserPatch = Type.Partial(UserBody, { additionalProperties: false })
export type UserPatch = Static<typeof UserPatch>

export const UserShow = Type.Object({
  ...UserElem.properties,
  Organisation: Type.String({ description: 'name of the user\'s organisation; "" for admin users', examples: ['Default Organisation'] }),
  ResetPassword: Type.Boolean(),
  Teams: Type.Array(TeamShow, { description: 'the user\'s teams' }),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp
}, { additionalProperties: false, description: 'Tyk User-show (JWTToken and APITokenCreatedAt: not yet, see the README)' })
export type UserShow = Static<typeof UserShow>

export function toUserShow (user: UserRecord): UserShow {
  return {
    ...toUserElem(user),
    Organisation: user.organisationName,
    ResetPassword: user.resetPassword,
    Teams: user.teams.map(toTeamShow),
    CreatedAt: formatTimestamp(user.createdAt),
    UpdatedAt: formatTimestamp(user.updatedAt)
  }
}
