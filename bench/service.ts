// Benchmark child: the real service (buildApp from src/app.ts on a real database), in its own process
// so that the load generator (bench/bench.ts) never shares its event loop. Two modes:
//   seed   migrate, insert the benchmark rows through Kysely in batches, report their ids, exit;
//   serve  listen on a free 127.0.0.1 port, report it, run until told to stop (or the parent goes).
// Seeding runs in its own process so that its garbage does not inflate the served process's RSS.
// Environment: the service's own (PORTAL_DATABASE_URL, PORTAL_ADMIN_TOKEN, PORTAL_LOG_LEVEL, …) read
// through parseConfig, plus BENCH_PG_SCHEMA for the PostgreSQL schema the benchmark works in.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startEmbeddedIdp } from '../src/idp/embedded-idp.ts'
import { SecretBox } from '../src/shared/secret-box.ts'
import { buildApp } from '../src/app.ts'
import { parseConfig } from '../src/config.ts'
import { openDatabase, type Database } from '../src/db/database.ts'
import { createLogger } from '../src/logger.ts'
import { sql } from 'kysely'

const SMALL_ROWS = 100
const LARGE_ROWS = 100_000
const BATCH_ROWS = 1000 // 9 columns × 1000 = 9000 parameters: under SQLite's and PostgreSQL's limits

export interface SeedIds {
  readonly smallProviderId: number
  readonly largeProviderId: number
  /** The client type the GET and PUT measurements address (first of the small provider). */
  readonly clientTypeId: number
  readonly smallRows: number
  readonly largeRows: number
}

export type ChildMessage =
  | { readonly type: 'seeded'; readonly ids: SeedIds; readonly ms: number }
  | { readonly type: 'listening'; readonly port: number; readonly idp?: { readonly wellKnownUrl: string; readonly initialAccessToken: string } }

async function open (): Promise<{ database: Database; config: ReturnType<typeof parseConfig> }> {
  const config = parseConfig(process.env)
  const pgSchema = process.env.BENCH_PG_SCHEMA
  const database = await openDatabase(config.database, pgSchema === undefined ? {} : { pgSchema })
  return { database, config }
}

async function seed (database: Database): Promise<SeedIds> {
  const now = new Date().toISOString()
  const clientType = (providerId: number, i: number) => ({
    provider_id: providerId,
    name: i === 1 ? 'Confidential' : `Client type ${i}`,
    description: `Benchmark client type ${i}: a server-side application that does not act on behalf of end-users`,
    response_types: 'code',
    grant_types: 'authorization_code,refresh_token',
    token_endpoint_auth_method: 'client_secret_basic',
    okta_app_type: '',
    created_at: now,
    updated_at: now
  })
  const ids = await database.db.transaction().execute(async (trx) => {
    const provider = async (name: string) => (await trx.insertInto('oauth_providers').values({
      name,
      type: 'Keycloak',
      well_known_url: `http://127.0.0.1:8180/realms/${name}/.well-known/openid-configuration`,
      registration_access_token: null,
      ssl_insecure_skip_verify: 0,
      created_at: now,
      updated_at: now
    }).returning('id').executeTakeFirstOrThrow()).id
    const smallProviderId = await provider('bench-100')
    const largeProviderId = await provider('bench-100000')
    for (const [providerId, rows] of [[smallProviderId, SMALL_ROWS], [largeProviderId, LARGE_ROWS]] as const) {
      for (let first = 1; first <= rows; first += BATCH_ROWS) {
        const batch = Array.from({ length: Math.min(BATCH_ROWS, rows - first + 1) }, (_, k) => clientType(providerId, first + k))
        await trx.insertInto('oauth_client_types').values(batch).execute()
      }
    }
    const first = await trx.selectFrom('oauth_client_types').select('id').where('provider_id', '=', smallProviderId)
      .orderBy('id').limit(1).executeTakeFirstOrThrow()
    return { smallProviderId, largeProviderId, clientTypeId: first.id, smallRows: SMALL_ROWS, largeRows: LARGE_ROWS }
  })
  // PostgreSQL plans from statistics, which autovacuum gathers some time after a bulk load: measure the
  // steady state. Right after the load (no statistics), the 100 000-row page is planned as a bitmap scan
  // plus an on-disk sort of all 100 000 rows (~40 ms a query; see the bench report of issue 6).
  // And the steady state of list_positions: rows that arrive one per request update their block's count
  // as HOT updates, which keep the table on one page (5 000 single-row inserts: 8 KB, 104 202 of 104 897
  // updates HOT); the seed's 100 000 inserts in one transaction leave 100 000 dead versions over 700
  // pages, which made every page of the long list read 375 heap pages (2.3 ms) and no plain VACUUM
  // compacts. VACUUM FULL gives the table its steady-state shape.
  if (database.dialect === 'postgres') {
    await sql`vacuum full list_positions`.execute(database.db)
    await sql`analyze oauth_providers, oauth_client_types, list_positions`.execute(database.db)
  }
  return ids
}

async function serve (database: Database, config: ReturnType<typeof parseConfig>): Promise<void> {
  if (config.adminToken === undefined) throw new Error('PORTAL_ADMIN_TOKEN must be set by the benchmark')
  const secretBox = new SecretBox([{ id: 'bench', key: randomBytes(32) }])
  const logger = createLogger(config.logLevel)
  // The approve measurement needs the embedded IdP (registration included); the others run without it.
  const idp = process.env.BENCH_EMBEDDED_IDP === '1'
    ? await startEmbeddedIdp({ db: database.db, secretBox, host: '127.0.0.1', port: 0, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-idp-')), logger })
    : undefined
  const app = await buildApp({ database, adminToken: config.adminToken, logger, secretBox, ...(idp === undefined ? {} : { embeddedIdp: idp, onScopesSaved: idp.ensureScopes }) })
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    // A clean exit, so that --cpu-prof writes its profile.
    app.close().then(() => idp?.close()).then(() => database.close()).then(() => process.exit(0), () => process.exit(1))
  }
  process.on('message', (message: { type?: string }) => { if (message.type === 'stop') stop() })
  process.once('SIGTERM', stop)
  process.once('disconnect', stop) // the parent went away: never outlive it
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  send({ type: 'listening', port: address.port, ...(idp === undefined ? {} : { idp: { wellKnownUrl: idp.wellKnownUrl, initialAccessToken: idp.initialAccessToken } }) })
}

function send (message: ChildMessage): void {
  if (process.send === undefined) throw new Error('bench/service.ts runs as a child of bench/bench.ts (IPC channel missing)')
  process.send(message)
}

const mode = process.argv[2]
try {
  const { database, config } = await open()
  if (mode === 'seed') {
    const started = performance.now()
    const ids = await seed(database)
    await database.close()
    send({ type: 'seeded', ids, ms: Math.round(performance.now() - started) })
    process.disconnect?.()
  } else if (mode === 'serve') {
    await serve(database, config)
  } else {
    throw new Error(`usage: service.ts seed|serve (got ${String(mode)})`)
  }
} catch (error) {
  process.stderr.write(`bench service (${String(mode)}): ${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
}
