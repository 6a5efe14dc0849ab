// Idempotency-Key reservations and first answers (src/http/idempotency.ts, src/db/idempotency.store.ts).
import type { Selectable } from 'kysely'

export interface IdempotencyKeyTable {
  scope: string // admin token fingerprint, method and route pattern
  key: string
  request_hash: string
  response_status: number | null // null while the first request is in flight
  response_body: string | null
  response_headers: string | null // JSON object
  created_at: string // ISO 8601, UTC
  expires_at: string
}

export type IdempotencyKeyRow = Selectable<IdempotencyKeyTable>
