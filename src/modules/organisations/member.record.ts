// A user as an organisation and the user list show it (Tyk's User-index-elem). It lives with organisations,
// which list their users, so that users depends on organisations and never the reverse.
import type { UserRow } from '../../db/tables/user.table.ts'

/** Tyk's roles: the two admin roles (the portal's operators) and the two of API consumers in their organisation. */
export const ADMIN_ROLES = ['super-admin', 'provider-admin'] as const
export const CONSUMER_ROLES = ['consumer-admin', 'consumer-team-member'] as const
export const ROLES = [...ADMIN_ROLES, ...CONSUMER_ROLES] as const
export type Role = (typeof ROLES)[number]

export const isAdminRole = (role: string): boolean => (ADMIN_ROLES as readonly string[]).includes(role)

export interface MemberRecord {
  readonly id: number
  readonly email: string
  readonly first: string
  readonly last: string
  readonly role: Role
  readonly provider: string
  readonly active: boolean
  /** 0 for admin users, as Tyk answers. */
  readonly organisationId: number
}

export function toMemberRecord (row: UserRow): MemberRecord {
  return {
    id: row.id,
    email: row.email,
    first: row.first_name,
    last: row.last_name,
    role: row.role as Role,
    provider: row.provider,
    active: row.active === 1,
    organisationId: row.organisation_id ?? 0
  }
}
