// Every database suite runs once per dialect. SQLite always; PostgreSQL when a server answers at
// PORTAL_TEST_POSTGRES_URL (required: unreachable fails) or at the default local URL (optional:
// unreachable skips, and the test output says so). Each suite gets its own schema.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { openDatabase, type Database } from '../../src/db/database.ts'
import type { Dialect } from '../../src/db/dialect.ts'

const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test'
const requiredUrl = process.env.PORTAL_TEST_POSTGRES_URL || undefined
/** Where the PostgreSQL variants run (tests that start service processes hand it to them). */
export const postgresUrl = requiredUrl ?? DEFAULT_POSTGRES_URL

export interface TestDialect {
  readonly name: Dialect
  /** false, or why this variant is skipped (shown by the test runner). */
  readonly skip: string | false
  /** A fresh, migrated, empty database; `close()` removes it. */
  open(): Promise<Database>
  /** PostgreSQL only: a second handle (its own pools) on the same database, as a second replica has. */
  reopen?(database: Database): Promise<Database>
}

async function postgresAnswers (): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => { /* only probing whether the server answers */ })
  }
}

const postgresSkip = requiredUrl !== undefined || await postgresAnswers()
  ? false
  : `PostgreSQL variant SKIPPED: no server at ${DEFAULT_POSTGRES_URL} (set PORTAL_TEST_POSTGRES_URL to require it)`

const schemas = new WeakMap<Database, string>()

export const dialects: readonly TestDialect[] = [
  {
    name: 'sqlite',
    skip: false,
    async open () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-test-'))
      const database = await openDatabase({ dialect: 'sqlite', file: path.join(dir, 'portal.db') })
      return { ...database, close: async () => { await database.close(); fs.rmSync(dir, { recursive: true, force: true }) } }
    }
  },
  {
    name: 'postgres',
    skip: postgresSkip,
    async reopen (database: Database) {
      const schema = schemas.get(database)
      if (schema === undefined) throw new Error('reopen() takes a database from open()')
      return await openDatabase({ dialect: 'postgres', url: postgresUrl }, { pgSchema: schema })
    },
    async open () {
      const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`
      const database = await openDatabase({ dialect: 'postgres', url: postgresUrl }, { pgSchema: schema })
      const handle: Database = {
        ...database,
        close: async () => {
          await database.close()
          const client = new pg.Client({ connectionString: postgresUrl })
          await client.connect()
          await client.query(`drop schema if exists ${schema} cascade`)
          await client.end()
        }
      }
      schemas.set(handle, schema)
      return handle
    }
  }
]

if (postgresSkip !== false) process.stderr.write(`\n*** ${postgresSkip} ***\n\n`)
