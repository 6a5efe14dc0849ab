// A write whose loss in a crash harms nothing (a lease's release: the lease expires anyway) need not wait
// for its own flush to disk; the next durable commit flushes it with its own (WAL order, both dialects).
import { PostgresAdapter, sql } from 'kysely'
import type { Db } from './database.ts'

/** Runs `write` committed without waiting for the disk: PostgreSQL `synchronous_commit = off` for it, SQLite `synchronous = NORMAL`. */
export async function unflushed<T> (db: Db, write: (db: Db) => Promise<T>): Promise<T> {
  if (isPostgres(db)) {
    return await db.transaction().execute(async (trx) => {
      await sql`set local synchronous_commit = off`.execute(trx)
      return await write(trx)
    })
  }
  // One connection, held: no other statement commits between the two pragmas. FULL as database.ts opens it.
  return await db.connection().execute(async (connection) => {
    await sql`pragma synchronous = NORMAL`.execute(connection)
    try {
      return await write(connection)
    } finally {
      await sql`pragma synchronous = FULL`.execute(connection)
    }
  })
}

export function isPostgres (db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}
