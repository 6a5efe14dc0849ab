// Kysely over better-sqlite3 (default) or pg, chosen by PORTAL_DATABASE_URL. Everything above this file
// is dialect-agnostic; the few differences (id columns, unique-violation codes) are handled here.
import fs from 'node:fs'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, sql } from 'kysely'
import type { PoolClient } from 'pg'
import { AppError } from '../errors.ts'
import type { DatabaseTarget, Dialect } from './dialect.ts'
import type { Tables } from './tables.ts'
import { GroupCommitDialect } from './group-commit.ts'
import { migrateToLatest } from './migrate.ts'
import { preparedStatementName } from './statement-names.ts'

export type Db = Kysely<Tables>

export interface Database {
  readonly db: Db
  readonly dialect: Dialect
  /** Resolves when the database answers a trivial query (GET /ready). */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface OpenOptions {
  /** PostgreSQL schema to work in (tests give each suite its own); created when missing. */
  readonly pgSchema?: string
}

export async function openDatabase (target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const db = target.dialect === 'sqlite' ? openSqlite(target.file) : await openPostgres(target.url, options.pgSchema)
  try {
    await migrateToLatest(db, target.dialect)
  } catch (error) {
    await db.destroy()
    throw error
  }
  return {
    db,
    dialect: target.dialect,
    ping: async () => { await sql`select 1`.execute(db) },
    close: async () => { await db.destroy() }
  }
}

function openSqlite (file: string): Db {
  const inMemory = file === ':memory:'
  if (!inMemory) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 })
    // The database holds sealed secrets and audit history: readable by its owner only. SQLite gives the
    // -wal and -shm files the database file's mode (issue 11 item 7).
    fs.closeSync(fs.openSync(file, 'a', 0o600))
    fs.chmodSync(file, 0o600)
  }
  const writer = new SqliteDatabase(file)
  writer.pragma('journal_mode = WAL')
  // Durability is the group commit driver's: it fsyncs the WAL, off the event loop, before it acknowledges
  // a write (group-commit.ts), so an acknowledged write survives a power loss, not only a process crash.
  writer.pragma('foreign_keys = ON')
  writer.pragma('busy_timeout = 5000')
  const reader = inMemory ? undefined : new SqliteDatabase(file, { readonly: true })
  reader?.pragma('busy_timeout = 5000')
  // The reader serves only while a write group is open, and every COMMIT empties its page cache: SQLite's
  // own default of 2 MB, not better-sqlite3's 16, so the second connection adds little resident memory.
  reader?.pragma('cache_size = -2000')
  return new Kysely<Tables>({ dialect: new GroupCommitDialect({ writer, reader, walFile: inMemory ? undefined : `${file}-wal` }) })
}

async function openPostgres (url: string, schema: string | undefined): Promise<Db> {
  // Loaded only for PostgreSQL: a SQLite service never holds the driver (issue 14 item 5).
  const { default: pg } = await import('pg')
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}`)
  if (schema !== undefined) {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    try {
      await admin.query(`create schema if not exists ${schema}`)
    } finally {
      await admin.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` })
  })
  pool.on('connect', namePreparedStatements)
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) })
}

/**
 * Kysely sends every query unnamed, so PostgreSQL parses and plans it each time; the SQL of a prepared
 * query (prepared.ts) goes as a named statement instead, prepared once per connection (pg keeps the names).
 * A bounded set: other SQL, whose text may vary without end (`in ($1, …, $n)`), stays unnamed.
 */
function namePreparedStatements (client: PoolClient): void {
  const query = client.query.bind(client) as (config: unknown, values?: unknown) => unknown
  client.query = ((text: unknown, values?: unknown) => {
    const name = typeof text === 'string' ? preparedStatementName(text) : undefined
    return name === undefined ? query(text, values) : query({ name, text, values })
  }) as PoolClient['query']
}

/** Runs a write; a unique-constraint violation (either dialect) becomes a 409 with the given message. */
export async function uniqueOrConflict<T> (write: Promise<T>, message: string): Promise<T> {
  try {
    return await write
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('conflict_taken', message)
    throw error
  }
}
