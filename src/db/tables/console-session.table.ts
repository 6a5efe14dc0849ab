import type { Selectable } from 'kysely'

/** A signed-in admin console session (src/console/sessions.ts). */
export interface ConsoleSessionTable {
  id: string // SHA-256 of the cookie's token, hex
  subject: string // `${iss} ${sub}` of the ID token
  username: string
  name: string
  is_admin: number // 0 | 1, from the configured claim at sign-in
  id_token: string // sealed; sent as id_token_hint on sign-out
  created_at: string // ISO 8601, UTC
  expires_at: string
}

export type ConsoleSessionRow = Selectable<ConsoleSessionTable>
