import assert from 'node:assert/strict'
import type http from 'node:http'
import { after, before, describe, it } from 'node:test'
import { HttpGate, IdpError, type IdpFailureStage } from '../../src/dcr/index.ts'
import { closedPort, startStubServer, type StubServer } from '../helpers/test-idp.ts'

const TOKEN = 'SENTINEL-bearer-token-5b1e'

/** Every route of the stub, by path. */
const ROUTES: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void> = {
  '/json': (_req, res) => json(res, 200, { ok: true }),
  '/echo': (req, res) => {
    let body = ''
    req.on('data', (chunk) => { body += String(chunk) })
    req.on('end', () => json(res, 200, { method: req.method, contentType: req.headers['content-type'], authorization: req.headers.authorization, body }))
  },
  '/empty': (_req, res) => { res.writeHead(204).end() },
  '/html': (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>') },
  '/broken-json': (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":') },
  '/declared-large': (_req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) }).end() },
  '/streamed-large': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ padding: 'x'.repeat(3 * 1024 * 1024) }))
  },
  '/redirect': (_req, res) => { res.writeHead(301, { location: '/moved?access_token=SENTINEL-in-query' }).end() },
  '/oauth-error': (_req, res) => json(res, 400, { error: 'invalid_client_metadata', error_description: 'redirect_uris is mandatory property' }),
  '/okta-error': (_req, res) => json(res, 404, { errorCode: 'E0000007', errorSummary: 'Not found: Resource not found: abc (AppOAuthClient)', errorCauses: [{ errorSummary: 'client_id: unknown' }] }),
  '/echoing-error': (req, res) => json(res, 401, { error: 'invalid_token', error_description: `token ${String(req.headers.authorization)} is not valid` }),
  '/bearer-challenge': (_req, res) => { res.writeHead(401, { 'www-authenticate': 'Bearer realm="x", error="invalid_token", error_description="expired"' }).end() },
  '/proxy-error': (_req, res) => { res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>') },
  // Never answered, never finished: only the gate's own timeouts end these calls (no race between two timers).
  '/slow-headers': () => { /* never answered */ },
  '/slow-body': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write('{"a":')
  }
}

function json (res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

async function failure (promise: Promise<unknown>, stage: IdpFailureStage): Promise<IdpError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  assert.ok(error instanceof IdpError, `expected IdpError, got ${String(error)}`)
  assert.equal(error.stage, stage, error.message)
  return error
}

describe('HTTP gate', () => {
  let stub: StubServer
  const gate = new HttpGate({ headersTimeoutMs: 300, bodyTimeoutMs: 300, maxResponseBytes: 1024 * 1024 })
  const get = async (path: string) => await gate.send({ method: 'GET', url: `${stub.origin}${path}`, headers: { authorization: `Bearer ${TOKEN}` } })

  before(async () => { stub = await startStubServer((req, res, origin) => ROUTES[new URL(req.url ?? '/', origin).pathname]?.(req, res)) })
  after(async () => { await gate.close(); await stub.close() })

  it('returns parsed JSON and undefined for an empty 204', async () => {
    assert.deepEqual((await get('/json')).body, { ok: true })
    const empty = await gate.send({ method: 'DELETE', url: `${stub.origin}/empty` })
    assert.equal(empty.status, 204)
    assert.equal(empty.body, undefined)
  })

  it('sends JSON and form bodies with their content types and the caller headers', async () => {
    const sentJson = (await gate.send({ method: 'POST', url: `${stub.origin}/echo`, json: { a: 1 }, headers: { authorization: 'SSWS x' } })).body
    assert.deepEqual(sentJson, { method: 'POST', contentType: 'application/json', authorization: 'SSWS x', body: '{"a":1}' })
    const sentForm = (await gate.send({ method: 'PUT', url: `${stub.origin}/echo`, form: { grant_type: 'client_credentials', scope: 'a b' } })).body as { contentType: string; body: string }
    assert.equal(sentForm.contentType, 'application/x-www-form-urlencoded')
    assert.equal(sentForm.body, 'grant_type=client_credentials&scope=a+b')
  })

  it('refuses a body that is not JSON', async () => {
    const error = await failure(get('/html'), 'non_json')
    assert.equal(error.code, 'idp_failed')
    assert.match(error.message, /text\/html/)
    await failure(get('/broken-json'), 'non_json')
  })

  it('caps the response size from content-length and while streaming', async () => {
    await failure(get('/declared-large'), 'too_large')
    const error = await failure(get('/streamed-large'), 'too_large')
    assert.match(error.message, /exceeds 1048576 bytes/)
  })

  it('never follows a redirect and keeps the query out of the message', async () => {
    const error = await failure(get('/redirect'), 'redirect')
    assert.equal(error.status, 301)
    assert.match(error.message, /\/moved/)
    assert.doesNotMatch(error.message, /SENTINEL|access_token/)
  })

  it('names the IdP error and its description, in RFC 7591 and Okta shapes', async () => {
    const rfc = await failure(get('/oauth-error'), 'oauth_error')
    assert.equal(rfc.status, 400)
    assert.equal(rfc.oauthError, 'invalid_client_metadata')
    assert.match(rfc.message, /HTTP 400 invalid_client_metadata: redirect_uris is mandatory property/)
    const okta = await failure(get('/okta-error'), 'oauth_error')
    assert.equal(okta.oauthError, 'E0000007')
    assert.match(okta.message, /E0000007: Not found: Resource not found: abc \(AppOAuthClient\) — client_id: unknown/)
    const challenge = await failure(get('/bearer-challenge'), 'oauth_error')
    assert.match(challenge.message, /invalid_token: expired/)
  })

  it('blanks out a credential that the IdP echoes in its error', async () => {
    const error = await failure(get('/echoing-error'), 'oauth_error')
    assert.doesNotMatch(error.message, new RegExp(TOKEN))
    assert.match(error.message, /\[redacted\]/)
  })

  it('classifies other non-2xx answers as http_error with the status', async () => {
    const error = await failure(get('/proxy-error'), 'http_error')
    assert.equal(error.status, 502)
    assert.doesNotMatch(error.message, /Bad Gateway/)
  })

  it('times out waiting for headers and for a stalled body, as idp_timeout', async () => {
    const headers = await failure(get('/slow-headers'), 'timeout')
    assert.equal(headers.code, 'idp_timeout')
    assert.match(headers.message, /headers timeout/)
    const body = await failure(get('/slow-body'), 'timeout')
    assert.match(body.message, /body timeout/)
  })

  it('reports a refused connection as unreachable, and a non-http URL without a call', async () => {
    const error = await failure(gate.send({ method: 'GET', url: `http://127.0.0.1:${await closedPort()}/x?secret=1` }), 'unreachable')
    assert.match(error.message, /ECONNREFUSED/)
    assert.doesNotMatch(error.message, /secret/)
    await failure(gate.send({ method: 'GET', url: 'file:///etc/passwd' }), 'unreachable')
  })
})
