// Storage of Idempotency-Key reservations and first answers (src/http/idempotency.ts uses it).
import type { Db } from './database.ts'
import type { IdempotencyKeyRow, IdempotencyKeyTable } from './tables/idempotency-key.table.ts'

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
