import type { Generated, Selectable } from 'kysely'

/** An invitation to sign up at the embedded IdP when sign-up is by invitation (src/db/sign-up.ts). */
export interface InvitationTable {
  id: Generated<number>
  code_hash: string // SHA-256 of the code, hex
  email: string
  created_by: string // the actor who invited
  created_at: string // ISO 8601, UTC
  expires_at: string
  used_at: string | null
  account_id: string | null // the account made with it
}

export type InvitationRow = Selectable<InvitationTable>
