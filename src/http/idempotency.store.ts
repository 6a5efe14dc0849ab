// Storage of Idempotency-Key reservations and first answers (src/http/idempotency.ts uses it).
import type { Selectable } from 'kysely'
import type { Db } from '../db/database.ts'

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

/** Reserves the key for a request; false when the key is already there (in flight or answered). */
export async function reserveKey (db: Db, row: IdempotencyKeyTable): Promise<boolean> {
  const result = await db.insertInto('idempotency_keys').values(row)
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0
}

export async function findKey (db: Db, scope: string, key: string): Promise<IdempotencyKeyRow | undefined> {
  return await db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst()
}

/** Removes the key if it expired. */
export async function deleteExpiredKey (db: Db, scope: string, key: string, now: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('expires_at', '<=', now).execute()
}

export async function completeKey (db: Db, scope: string, key: string, status: number, body: string, headers: Record<string, string>): Promise<void> {
  await db.updateTable('idempotency_keys')
    .set({ response_status: status, response_body: body, response_headers: JSON.stringify(headers) })
    .where('scope', '=', scope).where('key', '=', key).where('response_status', 'is', null)
    .execute()
}

/** Frees a reservation whose request ended without a definitive answer (5xx): a retry may run it again. */
export async function releaseKey (db: Db, scope: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('response_status', 'is', null).execute()
}

export async function deleteExpiredKeys (db: Db, now: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).execute()
}
