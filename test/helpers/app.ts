// An app built on a real database, with a controllable clock, captured logs, and every response
// recorded so that closing the harness checks each one against the generated OpenAPI document.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp, type ConsoleSetup, type RateLimits } from '../../src/app.ts'
import type { DcrEngine } from '../../src/dcr/index.ts'
import type { Database } from '../../src/db/database.ts'
import { startEmbeddedIdp, type EmbeddedIdp } from '../../src/idp/embedded-idp.ts'
import { createLogger } from '../../src/logger.ts'
import { SecretBox } from '../../src/shared/secret-box.ts'
import { assertResponsesConform, type RecordedResponse } from './openapi.ts'
import type { TestDialect } from './dialects.ts'

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'
/** Seals the harness's secrets at rest; tests open stored values with it. */
export const TEST_SECRET_BOX = new SecretBox([{ id: 'test', key: Buffer.alloc(32, 7) }])

export interface Harness {
  readonly app: FastifyInstance
  readonly database: Database
  /** The embedded IdP, when the harness runs one. */
  readonly idp: EmbeddedIdp | undefined
  /** Every log line the app wrote, as text. */
  readonly logs: string[]
  /** Every response seen, for the OpenAPI conformance check. */
  readonly responses: RecordedResponse[]
  readonly clock: { now: Date; advance(ms: number): void }
  /** Inject with the admin token unless headers say otherwise; the body is parsed JSON. */
  call(method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>
  close(): Promise<void>
}

export interface Reply {
  readonly status: number
  readonly body: any
  readonly raw: LightMyRequestResponse
}

/** An error answer with this status whose `errors` include one matching `expected` (it names the field and the value). */
export function assertNamed (reply: Reply, status: number, expected: RegExp): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body))
  assert.ok(Array.isArray(reply.body.errors), JSON.stringify(reply.body))
  assert.ok(reply.body.errors.some((message: string) => expected.test(message)), `${JSON.stringify(reply.body.errors)} should match ${expected}`)
}

export interface HarnessOptions {
  /** Run the embedded IdP on a free loopback port, as `npm start` does; POST /portal-api/oauth-providers/embedded connects it. */
  readonly embeddedIdp?: boolean
  /** Its issuer, when it is reached through another origin (a fault proxy). */
  readonly idpIssuer?: string
  /** A DCR engine of the test's own (short timeouts); closed by the test. */
  readonly engine?: DcrEngine
  /** Share a database with another harness (a second replica); not closed by this harness. */
  readonly database?: Database
  /** Default: generous, so that suites sending many wrong tokens or canaries are not slowed (rate-limit tests set their own). */
  readonly rateLimits?: Partial<RateLimits>
  /** Serve the console and the developer portal (their pages; sessions are made by the test). */
  readonly console?: ConsoleSetup
}

export async function startHarness (dialect: TestDialect, options: HarnessOptions = {}): Promise<Harness> {
  const database = options.database ?? await dialect.open()
  const logs: string[] = []
  const sink = new Writable({ write (chunk, _encoding, done) { logs.push(String(chunk)); done() } })
  const logger = createLogger('trace', sink)
  const clock = { now: new Date('2026-11-27T10:00:00.000Z'), advance (ms: number) { clock.now = new Date(clock.now.getTime() + ms) } }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-harness-'))
  const idp = options.embeddedIdp === true
    ? await startEmbeddedIdp({ db: database.db, secretBox: TEST_SECRET_BOX, host: '127.0.0.1', port: 0, dataDir, logger, ...(options.idpIssuer === undefined ? {} : { issuer: options.idpIssuer }) })
    : undefined
  const app = await buildApp({
    database,
    adminToken: ADMIN_TOKEN,
    logger,
    secretBox: TEST_SECRET_BOX,
    now: () => clock.now,
    rateLimits: options.rateLimits ?? { authFailures: 100_000, canaries: 100_000 },
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    ...(options.console === undefined ? {} : { console: options.console }),
    ...(idp === undefined ? {} : { embeddedIdp: idp, onScopesSaved: idp.ensureScopes })
  })
  const responses: RecordedResponse[] = []

  async function call (method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const raw = await app.inject({
      method,
      url,
      headers: { authorization: ADMIN_TOKEN, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) })
    })
    const parsed = raw.body === '' ? undefined : JSON.parse(raw.body)
    responses.push({ method: String(method), url, status: raw.statusCode, body: parsed, contentType: String(raw.headers['content-type'] ?? '') })
    return { status: raw.statusCode, body: parsed, raw }
  }

  return {
    app,
    database,
    idp,
    logs,
    responses,
    clock,
    call,
    async close () {
      try {
        await assertResponsesConform(app, responses)
      } finally {
        await app.close()
        await idp?.close()
        if (options.database === undefined) await database.close()
        fs.rmSync(dataDir, { recursive: true, force: true })
      }
    }
  }
}
