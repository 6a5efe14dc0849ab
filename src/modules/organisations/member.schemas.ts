// Tyk's User-basis and User-index-elem: a user in lists (GET /users, an organisation's Users).
import { Type, type Static } from 'typebox'
import { Id, StringEnum } from '../../http/schemas.ts'
import { ROLES, type MemberRecord } from './member.record.ts'

export const UserBasis = {
  Active: Type.Boolean({ description: 'the user may sign in to the portal' }),
  Email: Type.String({ examples: ['admin@acme.com'] }),
  First: Type.String({ examples: ['John'] }),
  Last: Type.String({ examples: ['Doe'] }),
  OrganisationID: Type.Integer({ minimum: 0, description: 'the organisation of an API consumer; 0 for admin users', examples: [1] }),
  Role: StringEnum(ROLES, { description: 'super-admin and provider-admin: admin users; consumer-admin and consumer-team-member: API consumers in their organisation' }),
  Provider: Type.String({ description: 'how the user signs in, e.g. password, github', examples: ['password'] })
}

export const UserElem = Type.Object({ ID: Id, ...UserBasis }, { additionalProperties: false, description: 'Tyk User-index-elem' })
export type UserElem = Static<typeof UserElem>

export function toUserElem (user: MemberRecord): UserElem {
  return {
    ID: user.id,
    Active: user.active,
    Email: user.email,
    First: user.first,
    Last: user.last,
    OrganisationID: user.organisationId,
    Role: user.role,
    Provider: user.provider
  }
}
