// The row lock of optimistic concurrency (src/shared/precondition.ts): taken inside the transaction of a
// change, before the If-Match comparison.
import { sql } from 'kysely'
import type { Db } from './database.ts'

export type VersionedTable = 'oauth_providers' | 'oauth_client_types' | 'products' | 'plans'

/**
 * Locks a row for the rest of the transaction, before its state is compared. PostgreSQL: a concurrent
 * writer waits here until we commit, then reads our change and fails the comparison. SQLite: Kysely runs
 * one transaction at a time on its one connection, so this only makes ours a write transaction early.
 */
export async function lockRow (trx: Db, table: VersionedTable, id: number | undefined): Promise<void> {
  if (id === undefined) return
  await sql`update ${sql.table(table)} set updated_at = updated_at where id = ${id}`.execute(trx)
}
