import assert from 'node:assert/strict'
import type http from 'node:http'
import { after, describe, it } from 'node:test'
import { DcrEngine, Discovery, expectedIssuers, HttpGate, IdpError, type ClientTemplate, type IdpFailureStage, type ProviderConnection } from '../../src/dcr/index.ts'
import { closedPort, discoveryDocument, faults, startStubServer, type StubHandler, type StubServer } from '../helpers/test-idp.ts'

const M2M: ClientTemplate = { grantTypes: ['client_credentials'], responseTypes: [], tokenEndpointAuthMethod: 'client_secret_basic', oktaAppType: '' }
const APP = { redirectUris: [], scopes: ['payments'], clientName: 'Payments app', correlationTag: 'req-1' }
const IAT = 'SENTINEL-initial-access-token-91c2'

function providerAt (wellKnownUrl: string): ProviderConnection {
  return { id: 1, type: 'Other', wellKnownUrl, initialAccessToken: IAT, sslInsecureSkipVerify: false }
}

function json (res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

describe('expectedIssuers', () => {
  it('accepts the prefix and its trailing-slash variant only (OIDC Discovery §4, §4.3)', () => {
    assert.deepEqual(expectedIssuers('https://kc.example/realms/a/.well-known/openid-configuration'), ['https://kc.example/realms/a', 'https://kc.example/realms/a/'])
    assert.deepEqual(expectedIssuers('https://idp.example/.well-known/openid-configuration'), ['https://idp.example', 'https://idp.example/'])
    assert.deepEqual(expectedIssuers('https://okta.example/oauth2/default/.well-known/oauth-authorization-server'), ['https://okta.example/oauth2/default', 'https://okta.example/oauth2/default/'])
  })

  it('reads RFC 8414 §3.1 URLs with the suffix before the path', () => {
    assert.deepEqual(expectedIssuers('https://as.example/.well-known/oauth-authorization-server/tenant'), ['https://as.example/tenant'])
  })

  it('refuses URLs that are not well-known URLs', () => {
    for (const url of ['https://idp.example/realms/a', 'not a url', 'ftp://idp.example/.well-known/openid-configuration']) {
      assert.throws(() => expectedIssuers(url), (error: unknown) => error instanceof IdpError && error.stage === 'invalid_metadata')
    }
  })
})

describe('discovery failures stop before any registration attempt', () => {
  const servers: StubServer[] = []
  const engine = new DcrEngine({ gate: new HttpGate({ headersTimeoutMs: 200, bodyTimeoutMs: 200 }) })
  after(async () => { await engine.close(); await Promise.all(servers.map(async (server) => await server.close())) })

  async function expectFailure (handler: StubHandler, stage: IdpFailureStage, pattern: RegExp): Promise<void> {
    const stub = await startStubServer(handler)
    servers.push(stub)
    const error = await engine.register(providerAt(`${stub.origin}/.well-known/openid-configuration`), M2M, APP).then(() => undefined, (caught: unknown) => caught)
    assert.ok(error instanceof IdpError, String(error))
    assert.equal(error.stage, stage, error.message)
    assert.match(error.message, pattern)
    assert.doesNotMatch(error.message, new RegExp(IAT))
    assert.deepEqual(stub.requests.filter((line) => !line.includes('.well-known')), [], 'no registration attempt')
  }

  it('issuer mismatch', async () => { await expectFailure(faults.wrongIssuer, 'issuer_mismatch', /names issuer "http:\/\/127\.0\.0\.1:1\/evil", expected "http:\/\/127\.0\.0\.1:\d+"/) })
  it('redirect', async () => { await expectFailure(faults.redirect, 'redirect', /redirect \(HTTP 302 to http:\/\/127\.0\.0\.1:\d+\/elsewhere\/\.well-known\/openid-configuration\)/) })
  it('HTML body', async () => { await expectFailure(faults.html, 'non_json', /content type "text\/html"/) })
  it('5 MB body', async () => { await expectFailure(faults.huge, 'too_large', /exceeds 1048576 bytes/) })
  it('no registration_endpoint', async () => { await expectFailure(faults.noRegistrationEndpoint, 'invalid_metadata', /has no registration_endpoint/) })
  it('header timeout', async () => { await expectFailure(faults.slowHeaders, 'timeout', /did not answer .* in time \(headers timeout\)/) })

  it('connection refused', async () => {
    const error = await engine.register(providerAt(`http://127.0.0.1:${await closedPort()}/.well-known/openid-configuration`), M2M, APP).then(() => undefined, (caught: unknown) => caught)
    assert.ok(error instanceof IdpError)
    assert.equal(error.stage, 'unreachable')
    assert.match(error.message, /unreachable .*ECONNREFUSED/)
  })
})

describe('discovery cache and re-discovery', () => {
  const gate = new HttpGate()
  after(async () => { await gate.close() })

  it('caches per URL for the TTL, and forgets on invalidate', async () => {
    const stub = await startStubServer((_req, res, origin) => json(res, 200, discoveryDocument(origin)))
    let now = new Date('2026-11-27T10:00:00Z')
    const discovery = new Discovery(gate, { ttlMs: 60_000, now: () => now })
    const url = `${stub.origin}/.well-known/openid-configuration`
    try {
      const first = await discovery.discover(url)
      assert.equal(first.registrationEndpoint, `${stub.origin}/register`)
      await discovery.discover(url)
      assert.equal(stub.requests.length, 1)
      now = new Date(now.getTime() + 61_000)
      await discovery.discover(url)
      assert.equal(stub.requests.length, 2)
      discovery.invalidate(url)
      await discovery.discover(url)
      assert.equal(stub.requests.length, 3)
      await discovery.discover(url, { insecureSkipVerify: true }) // cached apart from the verifying fetch
      assert.equal(stub.requests.length, 4)
    } finally {
      await stub.close()
    }
  })

  it('re-discovers once when the registration endpoint answers 404, then registers at the new one', async () => {
    let moved = false
    const stub = await startStubServer((req, res, origin) => {
      const path = new URL(req.url ?? '/', origin).pathname
      if (path === '/.well-known/openid-configuration') return json(res, 200, discoveryDocument(origin, { registration_endpoint: `${origin}/${moved ? 'v2' : 'v1'}/register` }))
      if (path === '/v1/register') { moved = true; return json(res, 404, { error: 'not_found' }) }
      json(res, 201, { client_id: 'moved-client', client_secret: 's', client_secret_expires_at: 0 })
    })
    const engine = new DcrEngine({ gate })
    try {
      const client = await engine.register(providerAt(`${stub.origin}/.well-known/openid-configuration`), M2M, APP)
      assert.equal(client.clientId, 'moved-client')
      assert.deepEqual(stub.requests, ['GET /.well-known/openid-configuration', 'POST /v1/register', 'GET /.well-known/openid-configuration', 'POST /v2/register'])
    } finally {
      await stub.close()
    }
  })

  it('does not POST again when re-discovery names the same endpoint', async () => {
    const stub = await startStubServer((req, res, origin) => {
      if (new URL(req.url ?? '/', origin).pathname === '/.well-known/openid-configuration') return json(res, 200, discoveryDocument(origin))
      json(res, 404, { error: 'not_found' })
    })
    const engine = new DcrEngine({ gate })
    try {
      const error = await engine.register(providerAt(`${stub.origin}/.well-known/openid-configuration`), M2M, APP).then(() => undefined, (caught: unknown) => caught)
      assert.ok(error instanceof IdpError && error.status === 404)
      assert.equal(stub.requests.filter((line) => line.startsWith('POST')).length, 1)
    } finally {
      await stub.close()
    }
  })
})
