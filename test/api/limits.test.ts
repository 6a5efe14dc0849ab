// Input and resource limits (issue 5 item 7, security-checklist §6 items 23–26 and 39): body caps in the
// JSON parser answered 400/413/415 naming the field and the limit, identically on SQLite and PostgreSQL;
// and overload shed with 503 + Retry-After (in-flight admin requests, per-provider IdP calls) while
// /health and /ready keep answering. Every server listens on 127.0.0.1.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppDeps } from '../../src/app.ts'
import type { Database } from '../../src/db/database.ts'
import { createLogger } from '../../src/logger.ts'
import { ADMIN_TOKEN, TEST_SECRET_BOX, startHarness, type Harness } from '../helpers/app.ts'
import { dialects } from '../helpers/dialects.ts'
import { assertResponsesConform, type RecordedResponse } from '../helpers/openapi.ts'

const PROVIDERS = '/portal-api/oauth-providers'
const PROVIDER = { Name: 'Limits', Type: 'Other', WellKnownURL: 'http://idp.internal:8180/.well-known/openid-configuration' }

/** `depth` arrays inside one another, innermost holding 1. */
const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`

for (const dialect of dialects) {
  describe(`input limits on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    before(async () => { h = await startHarness(dialect) })
    after(async () => { await h.close() })

    const post = async (body: string | Buffer, headers: Record<string, string> = {}) => await h.call('POST', PROVIDERS, body, headers)
    const refused = async (body: string | Buffer, status: number, message: string | RegExp, headers: Record<string, string> = {}) => {
      const reply = await post(body, headers)
      assert.equal(reply.status, status, JSON.stringify(reply.body))
      assert.equal(reply.raw.headers['retry-after'], undefined)
      if (typeof message === 'string') assert.deepEqual(reply.body, { errors: [message] })
      else assert.match(reply.body.errors[0], message)
      return reply
    }

    it('answers 413 naming the limit, 415 for another content type, 400 for a wrong Content-Length', async () => {
      await refused(JSON.stringify({ ...PROVIDER, Name: 'x'.repeat(1024 * 1024) }), 413, 'request body is too large: at most 1048576 bytes are accepted')
      await refused(JSON.stringify(PROVIDER), 415, 'Content-Type must be application/json, got "text/plain"', { 'content-type': 'text/plain' })
      await refused('Name=x', 415, 'Content-Type must be application/json, got "application/x-www-form-urlencoded"', { 'content-type': 'application/x-www-form-urlencoded' })
      const wrongLength = await h.app.inject({ method: 'POST', url: PROVIDERS, headers: { authorization: ADMIN_TOKEN, 'content-type': 'application/json', 'content-length': '5' }, payload: JSON.stringify(PROVIDER) })
      assert.equal(wrongLength.statusCode, 400)
    })

    it('caps nesting at 32 levels, naming the path', async () => {
      await refused(JSON.stringify({ ...PROVIDER, Name: JSON.parse(nested(32)) }), 400, `Name${'[0]'.repeat(31)} is nested 33 levels deep; at most 32 levels of objects and arrays are allowed`)
      // 32 levels pass the parser; the schema then says what Name must be.
      await refused(JSON.stringify({ ...PROVIDER, Name: JSON.parse(nested(31)) }), 400, /^Name must be a string, got \[\[/)
      const deepObject = `{"a":${'{"b":'.repeat(40)}1${'}'.repeat(40)}}`
      await refused(deepObject, 400, /^a\.b\.b\.b.* is nested 33 levels deep/)
    })

    // The messages show where the parser stopped (level 33, key 10001): it never walks the rest.
    it('answers a 100,000-level nested array and an 80,000-key object with 400, stopping at the limit', async () => {
      for (const [body, expected] of [
        [nested(100_000), /is nested 33 levels deep; at most 32/],
        [`{${Array.from({ length: 80_000 }, (_, i) => `"k${i}":0`).join(',')}}`, /^request body has more than 10000 keys in all \(the limit was passed at k10000\)$/]
      ] as const) {
        assert.ok(Buffer.byteLength(body) < 1024 * 1024)
        await refused(body, 400, expected)
      }
    })

    it('answers a body of 6,000 unknown fields in linear work: 20 problems named, then how many more (issue 11 item 3)', async () => {
      const body = JSON.stringify({ ...PROVIDER, ...Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`Unknown${i}`, i])) })
      // Serialising the whole body once per unknown field was the quadratic cost: count what JSON.stringify writes.
      const stringify = JSON.stringify
      let written = 0
      JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
        const text = stringify(...args)
        written += text?.length ?? 0
        return text
      }) as typeof JSON.stringify
      let reply: Awaited<ReturnType<typeof post>>
      try {
        reply = await post(body)
      } finally {
        JSON.stringify = stringify
      }
      assert.equal(reply.status, 400)
      assert.equal(reply.body.errors.length, 21)
      assert.equal(reply.body.errors[0], 'unknown field "Unknown0"')
      assert.equal(reply.body.errors[20], '… and 5980 more problem(s) of the same kind or others: fix these first')
      assert.ok(written < 4 * body.length, `JSON.stringify wrote ${written} characters for a body of ${body.length}`)
    })

    it('caps arrays at 1000 items and strings at 64 KiB, naming the field', async () => {
      const { ID } = (await h.call('POST', PROVIDERS, { ...PROVIDER, Name: 'Caps' })).body
      const types = `${PROVIDERS}/${ID as number}/client-types`
      const many = await h.call('POST', types, { Name: 'many', ResponseTypes: 'code', GrantType: Array.from({ length: 1001 }, () => 'client_credentials') })
      assert.deepEqual([many.status, many.body], [400, { errors: ['GrantType has 1001 items; at most 1000 items are allowed in an array'] }])
      await refused(JSON.stringify({ ...PROVIDER, Name: 'x'.repeat(64 * 1024 + 1) }), 400, 'Name is 65537 characters long; at most 65536 characters (64 KiB) are allowed in a string')
      await refused(`{"${'k'.repeat(64 * 1024 + 1)}":1}`, 400, /^field name \["kkkk.*…"\] is 65537 characters long; at most 65536 characters \(64 KiB\)/)
    })

    it('refuses duplicate keys and prototype poisoning; Object.prototype stays clean', async () => {
      await refused('{"Name":"first","Type":"Other","Name":"second"}', 400, 'Name appears more than once in the same object (duplicate JSON key)')
      await refused('{"a":{"x":1,"y":2,"x":3}}', 400, 'a.x appears more than once in the same object (duplicate JSON key)')
      await refused('{"a":[{"k":1},{"k":2,"\\u006b":3}]}', 400, 'a[1].k appears more than once in the same object (duplicate JSON key)')
      await refused('{"__proto__":{"polluted":1},"Name":"p"}', 400, /forbidden __proto__ or constructor\.prototype key/)
      await refused('{"Name":"p","constructor":{"prototype":{"polluted":1}}}', 400, /forbidden __proto__ or constructor\.prototype key/)
      assert.equal(({} as Record<string, unknown>).polluted, undefined)
    })

    it('refuses NUL, invalid UTF-8 and lone surrogates the same way on this dialect, and stores a valid pair exactly', async () => {
      const before = (await h.call('GET', `${PROVIDERS}?per_page=1000`)).body.length as number
      await refused(JSON.stringify({ ...PROVIDER, Name: 'nul\u0000here' }), 400, 'Name must not contain the NUL character (\\u0000)')
      await refused('{"Na\\u0000me":"x"}', 400, 'field name ["Na\\u0000me"] must not contain the NUL character (\\u0000)')
      await refused(Buffer.from([0x7b, 0x22, 0x4e, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 400, 'request body is not valid UTF-8')
      await refused(Buffer.concat([Buffer.from('{"Name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), 400, 'request body is not valid UTF-8') // CESU-8 surrogate
      await refused(`{"Name":"lone \\ud800 high","Type":"Other","WellKnownURL":"${PROVIDER.WellKnownURL}"}`, 400, 'Name contains a lone UTF-16 surrogate (\\ud800) at character 6: not valid Unicode text')
      await refused(`{"Name":"\\udc00","Type":"Other","WellKnownURL":"${PROVIDER.WellKnownURL}"}`, 400, 'Name contains a lone UTF-16 surrogate (\\udc00) at character 1: not valid Unicode text')
      await refused('{"Name":"ok","Type":"Other","WellKnownURL":"x","Extra":["a","\\ude00\\ud83d"]}', 400, /^Extra\[1\] contains a lone UTF-16 surrogate \(\\ude00\)/)
      assert.equal((await h.call('GET', `${PROVIDERS}?per_page=1000`)).body.length, before, 'nothing stored')

      const created = await post(`{"Name":"emoji \\ud83d\\ude00 ok","Type":"Other","WellKnownURL":"${PROVIDER.WellKnownURL}"}`)
      assert.equal(created.status, 200, JSON.stringify(created.body))
      assert.equal((await h.call('GET', `${PROVIDERS}/${created.body.ID as number}`)).body.Name, 'emoji \u{1F600} ok')
    })
  })
}

// ---------------------------------------------------------------------------------------------------
// Overload: real HTTP on 127.0.0.1 against an app built with small caps and stub IdPs that hold answers.

interface StubIdp {
  readonly origin: string
  /** Requests received, as "METHOD /path". */
  readonly requests: string[]
  hold: boolean
  release(): void
  close(): Promise<void>
}

async function startStubIdp (): Promise<StubIdp> {
  const held: Array<() => void> = []
  let registered = 0
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (req.url === '/.well-known/openid-configuration') return send(200, { issuer: stub.origin, registration_endpoint: `${stub.origin}/register`, token_endpoint: `${stub.origin}/token` })
    if (req.method === 'POST' && req.url === '/register') {
      req.resume()
      const id = `client-${++registered}`
      return send(201, { client_id: id, client_secret: `secret-${id}`, registration_access_token: `rat-${id}`, registration_client_uri: `${stub.origin}/register/${id}`, grant_types: ['client_credentials'] })
    }
    send(404, { error: 'not_found' })
  }
  const server = http.createServer((req, res) => {
    stub.requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`)
    if (stub.hold) held.push(() => { answer(req, res) })
    else answer(req, res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const stub: StubIdp = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    hold: false,
    release () { stub.hold = false; for (const go of held.splice(0)) go() },
    async close () {
      stub.release()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
  return stub
}

interface LiveApp {
  readonly app: FastifyInstance
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>
  close(): Promise<void>
}

async function startLiveApp (database: Database, options: Pick<AppDeps, 'gate' | 'maxConcurrentRequests'>): Promise<LiveApp> {
  const app = await buildApp({ database, adminToken: ADMIN_TOKEN, logger: createLogger('silent'), secretBox: TEST_SECRET_BOX, ...options })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const responses: RecordedResponse[] = []
  return {
    app,
    async call (method, path, body) {
      const response = await fetch(`${origin}${path}`, {
        method,
        headers: { authorization: ADMIN_TOKEN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
      const text = await response.text()
      const parsed = text === '' ? undefined : JSON.parse(text)
      responses.push({ method, url: path, status: response.status, body: parsed, contentType: response.headers.get('content-type') ?? '' })
      return { status: response.status, body: parsed, headers: response.headers }
    },
    async close () {
      try {
        await assertResponsesConform(app, responses)
      } finally {
        await app.close()
      }
    }
  }
}

async function waitFor (condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const sqlite = dialects.find((d) => d.name === 'sqlite')!

describe('overload on sqlite', () => {
  let database: Database
  let slow: StubIdp
  let fast: StubIdp
  before(async () => {
    database = await sqlite.open()
    slow = await startStubIdp()
    fast = await startStubIdp()
  })
  after(async () => {
    await slow.close()
    await fast.close()
    await database.close()
  })

  const wellKnown = (stub: StubIdp) => `${stub.origin}/.well-known/openid-configuration`

  // Timeouts here only turn a regression (a refusal that waits for the held calls) into a failure instead of a hang.
  it('sheds admin requests beyond the in-flight cap with 503 + Retry-After while /health and /ready answer 200', { timeout: 30_000 }, async () => {
    const live = await startLiveApp(database, { maxConcurrentRequests: 3 })
    try {
      const provider = (await live.call('POST', PROVIDERS, { Name: 'Slow for shedding', Type: 'Other', WellKnownURL: wellKnown(slow) })).body
      slow.hold = true
      slow.requests.length = 0
      const verifies = Array.from({ length: 3 }, async () => await live.call('POST', `${PROVIDERS}/${provider.ID as number}/verify`))
      await waitFor(() => slow.requests.length === 3) // three admin requests in flight, each waiting for the IdP

      // Answered while the three still wait at the IdP: shedding waits for nothing.
      const shed = await live.call('GET', PROVIDERS)
      assert.equal(shed.status, 503)
      assert.equal(shed.headers.get('retry-after'), '1')
      assert.deepEqual(shed.body, { errors: ['the service is busy: 3 requests are already in progress; retry after 1 s'] })
      assert.equal((await live.call('GET', '/health')).status, 200)
      assert.equal((await live.call('GET', '/ready')).status, 200)

      slow.release()
      for (const reply of await Promise.all(verifies)) assert.equal(reply.status, 200, JSON.stringify(reply.body))
      assert.equal((await live.call('GET', PROVIDERS)).status, 200, 'capacity is back once they finished')
    } finally {
      slow.release()
      await live.close()
    }
  })

  it('caps concurrent calls per provider: the excess approvals fail fast with 503 + Retry-After; another provider and /health are not blocked', { timeout: 30_000 }, async () => {
    const live = await startLiveApp(database, { gate: { maxConcurrentPerProvider: 2, maxQueuedPerProvider: 1 }, maxConcurrentRequests: 50 })
    try {
      const provider = (await live.call('POST', PROVIDERS, { Name: 'Slow for the cap', Type: 'Other', WellKnownURL: wellKnown(slow) })).body
      const other = (await live.call('POST', PROVIDERS, { Name: 'Fast one', Type: 'Other', WellKnownURL: wellKnown(fast) })).body
      const type = await live.call('POST', `${PROVIDERS}/${provider.ID as number}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })
      assert.equal(type.status, 200, JSON.stringify(type.body))
      const product = await live.call('POST', '/portal-api/products', { Name: 'capped', DCREnabled: true, Scopes: 'capped' })
      assert.equal(product.status, 201, JSON.stringify(product.body))
      assert.equal((await live.call('POST', `/portal-api/products/${product.body.ID as number}/client_types`, { ID: type.body.ID })).status, 201)
      const plan = await live.call('POST', '/portal-api/plans', { Name: 'capped plan', ProviderID: provider.ID, JWTScope: 'capped-plan' })
      assert.equal(plan.status, 200, JSON.stringify(plan.body))
      const requestIds: number[] = []
      for (let i = 0; i < 5; i++) {
        const app = await live.call('POST', '/portal-api/apps', { Name: `capped app ${i}`, RedirectURLs: '' })
        assert.equal(app.status, 200, JSON.stringify(app.body))
        const provisioned = await live.call('PUT', `/portal-api/apps/${app.body.ID as number}/provision`, { PlanID: plan.body.ID, ProductIDs: [product.body.ID], DCRTemplateID: type.body.ID })
        assert.equal(provisioned.status, 200, JSON.stringify(provisioned.body))
        requestIds.push(provisioned.body.ID as number)
      }

      slow.hold = true
      slow.requests.length = 0
      const approvals = requestIds.map(async (id) => await live.call('PUT', `/portal-api/access_requests/${id}/approve`))
      // Two calls reach the IdP, one waits; the other two are refused without waiting for anything: they are
      // the ones answered while the IdP holds every answer (the final count below shows no third one).
      const shed: Array<{ status: number; body: any; headers: Headers }> = []
      for (const approval of approvals) void approval.then((reply) => { if (slow.hold) shed.push(reply) })
      await waitFor(() => slow.requests.length === 2 && shed.length === 2)
      for (const reply of shed) {
        assert.equal(reply.status, 503)
        assert.equal(reply.headers.get('retry-after'), '1')
        const message = `Identity provider ${provider.ID as number} already has 2 calls in progress and 1 waiting; nothing was sent, retry shortly`
        // Approve's failures carry Tyk's StatusWithMessage `message` beside `errors` (issue 10).
        assert.deepEqual(reply.body, { message, errors: [message] })
      }
      assert.equal(slow.requests.length, 2, 'nothing beyond the cap reached the IdP')

      // Meanwhile: another provider answers, and so does /health.
      const verified = await live.call('POST', `${PROVIDERS}/${other.ID as number}/verify`)
      assert.equal(verified.status, 200)
      assert.equal(verified.body.Findings.find((f: { Check: string }) => f.Check === 'discovery').Status, 'ok')
      assert.equal((await live.call('GET', '/health')).status, 200)

      slow.release()
      const outcomes = await Promise.all(approvals)
      assert.deepEqual(outcomes.map((reply) => reply.status).sort(), [200, 200, 200, 503, 503], JSON.stringify(outcomes.map((reply) => reply.body)))
      assert.equal(slow.requests.filter((line) => line === 'POST /register').length, 3, 'one registration per approval that got a slot')
    } finally {
      slow.release()
      await live.close()
    }
  })
})
