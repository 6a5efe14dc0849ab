// Kysely over better-sqlite3 (default) or pg, chosen by PORTAL_DATABASE_URL. Everything above this file
// is dialect-agnostic; the few differences (id columns, unique-violation codes) are handled here.
import fs from 'node:fs'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase as KyselySqliteDatabase } from 'kysely'
import pg from 'pg'
import { AppError } from '../errors.ts'
import type { DatabaseTarget, Dialect } from './dialect.ts'
import type { Tables } from './tables.ts'
import { migrateToLatest } from './migrate.ts'

export type Db = Kysely<Tables>

export interface Database {
  readonly db: Db
  readonly dialect: Dialect
  /** Resolves when the database answers a trivial query (GET /ready). */
  ping(): Promise<void>
  /**
   * Runs `task` holding the lock `key` across every process on this database (replicas): a PostgreSQL
   * session advisory lock on a connection of its own, never a transaction, so an IdP call may run inside.
   * SQLite has one writing process, so there the task just runs. Combine with an in-process lock.
   */
  withLock<T>(key: string, task: () => Promise<T>): Promise<T>
  /** As withLock, but gives up at once (undefined) when another process holds the lock: leases. */
  tryWithLock<T>(key: string, task: () => Promise<T>): Promise<T | undefined>
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
  const locks = target.dialect === 'postgres' ? postgresLocks(target.url, options.pgSchema) : undefined
  return {
    db,
    dialect: target.dialect,
    ping: async () => { await sql`select 1`.execute(db) },
    withLock: locks?.withLock ?? (async (_key, task) => await task()),
    tryWithLock: locks?.tryWithLock ?? (async (_key, task) => await task()),
    close: async () => {
      await locks?.close()
      await db.destroy()
    }
  }
}

/**
 * Advisory locks on a pool of their own, so that tasks holding a lock never starve the query pool. Keys
 * are hashed with the schema, so databases sharing a PostgreSQL database (test suites) never meet.
 */
function postgresLocks (url: string, schema: string | undefined) {
  const pool = new pg.Pool({ connectionString: url, max: 16, connectionTimeoutMillis: 5000 })
  const id = `${schema ?? ''}:`
  const locked = async <T>(key: string, wait: boolean, task: () => Promise<T>): Promise<T | undefined> => {
    const client = await pool.connect()
    try {
      const { rows } = await client.query<{ held: boolean }>(
        wait ? 'select pg_advisory_lock(hashtext($1)) is not null as held' : 'select pg_try_advisory_lock(hashtext($1)) as held', [id + key])
      if (rows[0]?.held !== true) return undefined
      try {
        return await task()
      } finally {
        await client.query('select pg_advisory_unlock(hashtext($1))', [id + key])
      }
    } finally {
      client.release()
    }
  }
  return {
    withLock: async <T>(key: string, task: () => Promise<T>) => (await locked(key, true, task)) as T,
    tryWithLock: async <T>(key: string, task: () => Promise<T>) => await locked(key, false, task),
    close: async () => { await pool.end() }
  }
}

function openSqlite (file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const database = new SqliteDatabase(file)
  database.pragma('journal_mode = WAL')
  // FULL: an acknowledged write survives a power loss, not only a process crash.
  database.pragma('synchronous = FULL')
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 5000')
  return new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) })
}

const STATEMENT_CACHE_SIZE = 256

/**
 * Kysely's SQLite driver prepares every query anew; preparing was a fifth of a GET's CPU time (bench
 * profile). Statements are reused by SQL text, which is safe: Kysely runs one query at a time on the
 * one connection. Oldest out first when full.
 */
function withStatementCache (database: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>()
  return {
    close: () => { database.close() },
    prepare (sql) {
      let statement = statements.get(sql)
      if (statement === undefined) {
        statement = database.prepare(sql)
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!)
        statements.set(sql, statement)
      }
      return statement
    }
  }
}

async function openPostgres (url: string, schema: string | undefined): Promise<Db> {
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
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) })
}

/** Runs a write; a unique-constraint violation (either dialect) becomes a 409 with the given message. */
export async function uniqueOrConflict<T> (write: Promise<T>, message: string): Promise<T> {
  try {
    return await write
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('conflict', message)
    throw error
  }
}
