import type { Selectable } from 'kysely'

/** An admin user's API token for /portal-api (issue 13 item 5); the token itself is shown once and never stored. */
export interface AdminApiTokenTable {
  user_id: number // one token per user
  token_hash: string // SHA-256 of the token, hex
  created_at: string // ISO 8601, UTC
  created_by: string // the actor who created it
}

export type AdminApiTokenRow = Selectable<AdminApiTokenTable>
