// Outbound safety of the one gate (issue 5 item 8, security-checklist §6 items 5 and 20) and its per-provider
// cap on concurrent calls (item 7). Every server here listens on 127.0.0.1; refused addresses are never
// contacted: literal IPs are refused before the dispatcher is called (a MockAgent with no network proves
// it), and names are mapped by a test resolver, refused inside the socket's lookup, before any connect.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo, LookupFunction } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { MockAgent } from 'undici'
import { DcrEngine, HttpGate, IdpError, type IdpFailureStage, type ProviderConnection } from '../../src/dcr/index.ts'
import { refusalReason } from '../../src/dcr/address-policy.ts'

async function failure (promise: Promise<unknown>, stage: IdpFailureStage): Promise<IdpError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  assert.ok(error instanceof IdpError, `expected IdpError, got ${String(error)}`)
  assert.equal(error.stage, stage, error.message)
  return error
}

/** A loopback server that counts TCP connections and requests; `hold` keeps answers back until released. */
interface CountingServer {
  readonly origin: string
  readonly port: number
  connections: number
  readonly requests: string[]
  hold: boolean
  release(): void
  close(): Promise<void>
}

async function startCountingServer (answer: (req: http.IncomingMessage, res: http.ServerResponse, origin: string) => void): Promise<CountingServer> {
  const held: Array<() => void> = []
  const server = http.createServer((req, res) => {
    state.requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`)
    if (state.hold) held.push(() => { answer(req, res, state.origin) })
    else answer(req, res, state.origin)
  })
  server.on('connection', () => { state.connections++ })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const state: CountingServer = {
    origin: `http://127.0.0.1:${port}`,
    port,
    connections: 0,
    requests: [],
    hold: false,
    release () { state.hold = false; for (const answer of held.splice(0)) answer() },
    async close () {
      state.release()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
  return state
}

function json (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
}

/** A resolver for test names only; anything else is an error, so no real DNS is ever asked. */
function resolver (table: Record<string, string | string[] | (() => string)>): LookupFunction & { calls: string[] } {
  const calls: string[] = []
  const lookup = ((hostname: string, options: { all?: boolean }, callback: (error: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void) => {
    calls.push(hostname)
    const entry = table[hostname]
    if (entry === undefined) { callback(Object.assign(new Error(`test resolver: unknown ${hostname}`), { code: 'ENOTFOUND' }), '', 0); return }
    const addresses = (typeof entry === 'function' ? [entry()] : Array.isArray(entry) ? entry : [entry]).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
    if (options.all === true) callback(null, addresses)
    else callback(null, addresses[0]!.address, addresses[0]!.family)
  }) as LookupFunction & { calls: string[] }
  lookup.calls = calls
  return lookup
}

describe('the address policy', () => {
  const always = ['169.254.169.254', '169.254.0.1', 'fe80::1', 'fe80::1%eth0', 'fd00:ec2::254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '0.0.0.0', '::']
  const privateOnes = ['127.0.0.1', '127.1.2.3', '::1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']
  const publicOnes = ['8.8.8.8', '172.32.0.1', '169.255.0.1', '2001:db8::1', '100.64.0.1']

  it('always refuses link-local, metadata and unspecified addresses', () => {
    for (const address of always) {
      assert.ok(refusalReason(address, { denyPrivate: false }) !== undefined, `${address} refused`)
      assert.ok(refusalReason(address, { denyPrivate: true }) !== undefined, `${address} refused`)
    }
    assert.match(refusalReason('169.254.169.254', { denyPrivate: false }) ?? '', /link-local/)
    assert.match(refusalReason('fd00:ec2::254', { denyPrivate: false }) ?? '', /metadata/)
  })

  it('refuses metadata addresses in every form that reaches them (issue 11 item 8)', () => {
    const forms = {
      '100.100.100.200': /metadata/, // Alibaba Cloud, outside link-local
      '[::169.254.169.254]': /link-local/, // IPv4-compatible IPv6
      '::a9fe:a9fe': /link-local/,
      '[64:ff9b::a9fe:a9fe]': /link-local/, // NAT64 (RFC 6052)
      '64:ff9b::169.254.169.254': /link-local/,
      '64:ff9b:1::a9fe:a9fe': /link-local/, // local-use NAT64 (RFC 8215)
      '[2002:a9fe:a9fe::1]': /link-local/, // 6to4 (RFC 3056)
      '64:ff9b::6464:64c8': /metadata/ // NAT64 of 100.100.100.200
    }
    for (const [address, reason] of Object.entries(forms)) {
      assert.match(refusalReason(address, { denyPrivate: false }) ?? 'allowed', reason, address)
    }
    // The embedded IPv4 address is judged as itself: private through NAT64 and 6to4 only with denyPrivate.
    for (const address of ['64:ff9b::7f00:1', '2002:a00:1::1']) {
      assert.equal(refusalReason(address, { denyPrivate: false }), undefined, `${address} allowed by default`)
      assert.ok(refusalReason(address, { denyPrivate: true }) !== undefined, `${address} refused with denyPrivate`)
    }
    for (const address of ['64:ff9b::808:808', '2002:808:808::1']) assert.equal(refusalReason(address, { denyPrivate: true }), undefined, `${address} allowed`)
  })

  it('allows private and loopback addresses unless denyPrivate, and public ones always', () => {
    for (const address of privateOnes) {
      assert.equal(refusalReason(address, { denyPrivate: false }), undefined, `${address} allowed by default`)
      assert.ok(refusalReason(address, { denyPrivate: true }) !== undefined, `${address} refused with denyPrivate`)
    }
    for (const address of publicOnes) assert.equal(refusalReason(address, { denyPrivate: true }), undefined, `${address} allowed`)
  })
})

describe('the gate refuses forbidden addresses before connecting', () => {
  it('refuses literal metadata and link-local IPs in every spelling, without calling the dispatcher', async () => {
    const offline = new MockAgent()
    offline.disableNetConnect() // a call that reached the dispatcher would fail as "unreachable", not as refused
    const gate = new HttpGate({ dispatcher: offline })
    try {
      for (const url of [
        'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
        'http://[fd00:ec2::254]/latest/meta-data/',
        'http://2852039166/latest/meta-data/', // decimal 169.254.169.254
        'http://0251.0376.0251.0376/', // octal
        'http://[::ffff:169.254.169.254]/',
        'https://[fe80::1]/.well-known/openid-configuration',
        'http://0.0.0.0:8080/'
      ]) {
        const error = await failure(gate.send({ method: 'GET', url, headers: { authorization: 'Bearer SENTINEL-rat' } }), 'forbidden_address')
        assert.equal(error.code, 'idp_failed')
        assert.match(error.message, /refused/)
        assert.equal(error.message.includes('SENTINEL'), false)
      }
      const error = await failure(gate.send({ method: 'GET', url: 'http://169.254.169.254/x' }), 'forbidden_address')
      assert.equal(error.message, 'Identity provider call GET http://169.254.169.254/x refused: 169.254.169.254 is link-local (cloud metadata services live there); identity provider calls to it are refused')
    } finally {
      await gate.close()
      await offline.close()
    }
  })

  describe('names, resolved in the connect path', () => {
    let server: CountingServer
    before(async () => {
      server = await startCountingServer((req, res) => json(res, 200, { ok: true, path: req.url }, { connection: 'close' }))
    })
    after(async () => { await server.close() })

    it('refuses a name that resolves to 169.254.169.254, and to fd00:ec2::254, in the lookup: no socket is opened', async () => {
      const lookup = resolver({ 'metadata.test': '169.254.169.254', 'metadata6.test': 'fd00:ec2::254' })
      const gate = new HttpGate({ lookup, connectTimeoutMs: 1_000 })
      try {
        const error = await failure(gate.send({ method: 'GET', url: `http://metadata.test:${server.port}/latest/meta-data/` }), 'forbidden_address')
        assert.match(error.message, /metadata\.test resolves to 169\.254\.169\.254, which is link-local/)
        await failure(gate.send({ method: 'GET', url: `http://metadata6.test:${server.port}/` }), 'forbidden_address')
        assert.deepEqual(lookup.calls, ['metadata.test', 'metadata6.test'], 'refused in the lookup')
      } finally {
        await gate.close()
      }
    })

    it('refuses a name whose answers include a refused address, even next to an allowed one', async () => {
      const lookup = resolver({ 'mixed.test': ['127.0.0.1', '169.254.169.254'] })
      const gate = new HttpGate({ lookup })
      const before = server.connections
      try {
        await failure(gate.send({ method: 'GET', url: `http://mixed.test:${server.port}/json` }), 'forbidden_address')
        assert.equal(server.connections, before, 'the loopback server saw no connection')
      } finally {
        await gate.close()
      }
    })

    it('refuses a DNS rebinding: the first answer is allowed, the next connection resolves to the metadata address', async () => {
      const answers = ['127.0.0.1', '169.254.169.254']
      const lookup = resolver({ 'rebind.test': () => answers.shift() ?? '169.254.169.254' })
      const gate = new HttpGate({ lookup })
      try {
        const first = await gate.send({ method: 'GET', url: `http://rebind.test:${server.port}/first` })
        assert.deepEqual(first.body, { ok: true, path: '/first' })
        const connections = server.connections
        const requests = server.requests.length
        // The server closed the first connection, so the second call opens a new one and resolves again.
        await failure(gate.send({ method: 'GET', url: `http://rebind.test:${server.port}/second` }), 'forbidden_address')
        assert.equal(server.connections, connections, 'no second connection')
        assert.equal(server.requests.length, requests)
        assert.deepEqual(lookup.calls, ['rebind.test', 'rebind.test'])
      } finally {
        await gate.close()
      }
    })

    it('allows loopback and private addresses by default, and refuses them with denyPrivateAddresses', async () => {
      const lookup = resolver({ 'internal.test': '127.0.0.1' })
      const open = new HttpGate({ lookup })
      const strict = new HttpGate({ lookup, denyPrivateAddresses: true })
      try {
        assert.deepEqual((await open.send({ method: 'GET', url: `http://internal.test:${server.port}/ok` })).body, { ok: true, path: '/ok' })
        assert.deepEqual((await open.send({ method: 'GET', url: `${server.origin}/literal` })).body, { ok: true, path: '/literal' })
        const before = server.connections
        const byName = await failure(strict.send({ method: 'GET', url: `http://internal.test:${server.port}/no` }), 'forbidden_address')
        assert.match(byName.message, /internal\.test resolves to 127\.0\.0\.1, which is loopback/)
        const byIp = await failure(strict.send({ method: 'GET', url: `${server.origin}/no` }), 'forbidden_address')
        assert.match(byIp.message, /127\.0\.0\.1 is loopback/)
        assert.equal(server.connections, before, 'nothing connected')
      } finally {
        await open.close()
        await strict.close()
      }
    })
  })
})

describe('registration access tokens stay on the registration endpoint origin (RFC 7592 §5)', () => {
  let idp: CountingServer
  let elsewhere: CountingServer
  let provider: ProviderConnection
  const engine = new DcrEngine()
  before(async () => {
    elsewhere = await startCountingServer((_req, res) => json(res, 200, { client_id: 'abc' }))
    idp = await startCountingServer((req, res, origin) => {
      if (req.url === '/.well-known/openid-configuration') return json(res, 200, { issuer: origin, registration_endpoint: `${origin}/register` })
      if (req.method === 'POST' && req.url === '/register') {
        // A registration answer pointing management somewhere else: stored, but never given the token.
        return json(res, 201, { client_id: 'abc', client_secret: 's', registration_access_token: 'SENTINEL-rat', registration_client_uri: `${elsewhere.origin}/register/abc` })
      }
      json(res, 404, { error: 'not_found' })
    })
    provider = { id: 1, type: 'Other', wellKnownUrl: `${idp.origin}/.well-known/openid-configuration`, initialAccessToken: null, sslInsecureSkipVerify: false }
  })
  after(async () => { await engine.close(); await idp.close(); await elsewhere.close() })

  it('refuses read, update and delete at a registration_client_uri on another origin, sending nothing there', async () => {
    const client = await engine.register(provider, { grantTypes: ['client_credentials'], responseTypes: [], tokenEndpointAuthMethod: 'client_secret_basic', oktaAppType: '' },
      { redirectUris: [], scopes: [], clientName: 'c', correlationTag: 't' })
    assert.equal(client.registrationClientUri, `${elsewhere.origin}/register/abc`)
    const template = { grantTypes: ['client_credentials'], responseTypes: [], tokenEndpointAuthMethod: 'client_secret_basic' as const, oktaAppType: '' as const }
    for (const call of [
      engine.read(provider, client),
      engine.update(provider, client, template, { redirectUris: [], scopes: [], clientName: 'c', correlationTag: 't' }),
      engine.remove(provider, client)
    ]) {
      const error = await failure(call, 'invalid_response')
      assert.match(error.message, new RegExp(`is not on the registration endpoint's origin ${idp.origin}`))
      assert.equal(error.message.includes('SENTINEL'), false)
    }
    // Another port is another origin (RFC 6454): same host, still refused.
    const sameHost = { ...client, registrationClientUri: `http://127.0.0.1:${elsewhere.port}/register/abc` }
    await failure(engine.read(provider, sameHost), 'invalid_response')
    assert.equal(elsewhere.connections, 0, 'the foreign origin was never contacted')
    assert.deepEqual(elsewhere.requests, [])
  })
})

describe('the per-provider cap on concurrent IdP calls', () => {
  let slow: CountingServer
  let fast: CountingServer
  before(async () => {
    slow = await startCountingServer((_req, res) => json(res, 200, { slow: true }))
    fast = await startCountingServer((_req, res) => json(res, 200, { fast: true }))
  })
  after(async () => { await slow.close(); await fast.close() })

  // The timeout only turns a regression (a refusal that waits for the held calls) into a failure instead of a hang.
  it('runs 2 at once, queues 1, refuses the rest at once with 503 + Retry-After; another provider is not blocked', { timeout: 30_000 }, async () => {
    const gate = new HttpGate({ maxConcurrentPerProvider: 2, maxQueuedPerProvider: 1 })
    slow.hold = true
    try {
      const calls = Array.from({ length: 5 }, async (_, i) => await gate.send({ method: 'GET', url: `${slow.origin}/call/${i}`, provider: 'identity provider 7' }))
      const settled = calls.map(async (call) => await call.then((response) => response, (error: unknown) => error))
      // The two beyond the queue fail while the slow IdP holds every answer: they waited for nothing.
      const refused = await Promise.all([settled[3], settled[4]])
      for (const error of refused) {
        assert.ok(error instanceof IdpError)
        assert.equal(error.stage, 'overloaded')
        assert.equal(error.code, 'overloaded')
        assert.equal(error.retryAfterSeconds, 1)
        assert.equal(error.message, 'Identity provider 7 already has 2 calls in progress and 1 waiting; nothing was sent, retry shortly')
      }
      assert.deepEqual(gate.limiter.load('identity provider 7'), { active: 2, waiting: 1 })
      await waitFor(() => slow.requests.length === 2)

      // Another provider has its own lane.
      assert.deepEqual((await gate.send({ method: 'GET', url: `${fast.origin}/x`, provider: 'identity provider 8' })).body, { fast: true })
      // No lane given: the URL's origin is the lane, so the slow origin's lane stays separate too.
      assert.deepEqual((await gate.send({ method: 'GET', url: `${fast.origin}/y` })).body, { fast: true })

      slow.release()
      const answered = await Promise.all(settled.slice(0, 3))
      for (const response of answered) assert.deepEqual((response as { body: unknown }).body, { slow: true })
      assert.equal(slow.requests.length, 3, 'the queued call ran once a slot was free; the refused ones never reached the IdP')
      assert.deepEqual(gate.limiter.load('identity provider 7'), { active: 0, waiting: 0 })
    } finally {
      slow.release()
      await gate.close()
    }
  })
})

async function waitFor (condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('the initial access token stays on the origin the admin configured (issue 11 item 1)', () => {
  let elsewhere: CountingServer
  let idp: CountingServer
  let pointsTo = ''
  const engine = new DcrEngine()
  const template = { grantTypes: ['client_credentials'], responseTypes: [], tokenEndpointAuthMethod: 'client_secret_basic' as const, oktaAppType: '' as const }
  const request = { redirectUris: [], scopes: [], clientName: 'c', correlationTag: 't' }
  before(async () => {
    elsewhere = await startCountingServer((_req, res) => json(res, 201, { client_id: 'stolen' }))
    idp = await startCountingServer((req, res, origin) => {
      if (req.url === '/.well-known/openid-configuration') return json(res, 200, { issuer: origin, registration_endpoint: pointsTo })
      json(res, 404, { error: 'not_found' })
    })
  })
  after(async () => { await engine.close(); await idp.close(); await elsewhere.close() })

  for (const [name, target] of [
    ['another host', () => `${elsewhere.origin}/register`],
    ['another port of the same host', () => `http://127.0.0.1:${elsewhere.port}/register`],
    // The origin includes the scheme (RFC 6454): the rule that refuses https here refuses a downgrade to http.
    ['another scheme', () => idp.origin.replace('http:', 'https:') + '/register']
  ] as const) {
    it(`sends no registration to a registration_endpoint on ${name}`, async () => {
      pointsTo = target()
      const wellKnown = `${idp.origin}/.well-known/openid-configuration`
      const provider: ProviderConnection = { id: 7, type: 'Okta', wellKnownUrl: wellKnown, initialAccessToken: 'SENTINEL-ssws', sslInsecureSkipVerify: false }
      engine.discovery.invalidate(wellKnown)
      const error = await failure(engine.register(provider, template, request), 'invalid_metadata')
      assert.match(error.message, /is not on the origin of the WellKnownURL, http:\/\/127\.0\.0\.1:\d+: the initial access token is sent only to the origin the provider was configured with/)
      assert.equal(error.message.includes('SENTINEL'), false)
      assert.equal(elsewhere.connections, 0, 'the other origin was never contacted')
    })
  }
})
