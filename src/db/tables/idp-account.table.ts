import type { Insertable, Selectable, Updateable } from 'kysely'

/** A person who signs in at the embedded IdP (src/idp/accounts.ts). */
export interface IdpAccountTable {
  id: string // random UUID, never reused: the `sub` claim
  username: string // ASCII, unique ignoring case (index on lower(username))
  email: string | null
  email_verified: number // 0 | 1
  name: string
  password_hash: string // argon2id, PHC string format
  groups: string // JSON array of names: the `groups` claim ("portal-admins" may use the admin console)
  active: number // 0 | 1: an inactive account cannot sign in, and its sessions and tokens find no account
  created_at: string // ISO 8601, UTC
  updated_at: string
}

export type IdpAccountRow = Selectable<IdpAccountTable>
export type NewIdpAccountRow = Insertable<IdpAccountTable>
export type IdpAccountChanges = Updateable<IdpAccountTable>
