import type { Generated, Insertable, Selectable } from 'kysely'

/** One admin change: who, when, what, with masked before/after (src/modules/audit/audit.ts). */
export interface AuditLogTable {
  id: Generated<number>
  occurred_at: string // ISO 8601, UTC, to the millisecond
  actor: string // first 12 hex characters of the SHA-256 of the admin token
  request_id: string
  action: string
  resource_type: string
  resource_id: number
  before: string | null // JSON, secrets masked
  after: string | null
}

export type AuditLogRow = Selectable<AuditLogTable>
export type NewAuditLogRow = Insertable<AuditLogTable>
