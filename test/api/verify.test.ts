import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness } from '../helpers/app.ts'
import { closedPort, discoveryDocument, faults, startStubServer, startTestIdp, type StubHandler, type StubServer, type TestIdp } from '../helpers/test-idp.ts'
import { CANARY_REDIRECT_URI } from '../../src/modules/oauth-providers/provider-verification.ts'

/** A stub answering its well-known path with this document, any other path 404. */
const onWellKnownDocument = (document: (origin: string) => object): StubHandler => (req, res, origin) => {
  if (new URL(req.url ?? '/', origin).pathname !== '/.well-known/openid-configuration') return void res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document(origin)))
}

const SENTINEL = 'SENTINEL-verify-token'

for (const dialect of dialects) {
  describe(`POST /oauth-providers/{id}/verify on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let idp: TestIdp
    let stubs: StubServer[]
    before(async () => {
      h = await startHarness(dialect)
      idp = await startTestIdp({ profile: 'rfc' })
      stubs = []
    })
    after(async () => {
      await h.close()
      await idp.close()
      for (const stub of stubs) await stub.close()
    })

    const createProvider = async (name: string, fields: Record<string, unknown>) =>
      (await h.call('POST', '/portal-api/oauth-providers', { Name: name, Type: 'Other', WellKnownURL: idp.wellKnownUrl, ...fields })).body.ID as number
    const checks = (body: { Findings: Array<{ Check: string; Status: string }> }) => Object.fromEntries(body.Findings.map((f) => [f.Check, f.Status]))

    // Issue 10 item 6: a discovery document that under-advertises is a warning, not an error.
    it('reports discovery, issuer, endpoint and each client type (a grant not advertised is a warning); the token is untested without a canary', async () => {
      const id = await createProvider('RFC', { RegistrationAccessToken: idp.initialAccessToken })
      await h.call('POST', `/portal-api/oauth-providers/${id}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })
      await h.call('POST', `/portal-api/oauth-providers/${id}/client-types`, { Name: 'Legacy', ResponseTypes: 'token', GrantType: 'password' })
      const before = idp.requests.filter((r) => r.startsWith('POST')).length
      const reply = await h.call('POST', `/portal-api/oauth-providers/${id}/verify`)
      assert.equal(reply.status, 200)
      assert.deepEqual(checks(reply.body), {
        discovery: 'ok', issuer: 'ok', registration_endpoint: 'ok', 'client_type:M2M': 'ok', 'client_type:Legacy': 'warning', initial_access_token: 'warning'
      })
      assert.equal(reply.body.Status, 'warning')
      assert.match(reply.body.Findings.find((f: { Check: string }) => f.Check === 'client_type:Legacy').Message, /grant types password not in the IdP's grant_types_supported .*may under-advertise; verify with \?canary=true/)
      assert.equal(idp.requests.filter((r) => r.startsWith('POST')).length, before, 'no registration without ?canary=true')
    })

    it('with ?canary=true registers a throw-away client and deletes it: all ok', async () => {
      const id = await createProvider('Canary', { RegistrationAccessToken: idp.initialAccessToken })
      const reply = await h.call('POST', `/portal-api/oauth-providers/${id}/verify?canary=true`)
      assert.deepEqual(checks(reply.body), { discovery: 'ok', issuer: 'ok', registration_endpoint: 'ok', initial_access_token: 'ok', canary_register: 'ok', machine_redirect_uris: 'ok', canary_delete: 'ok' })
      assert.equal(reply.body.Status, 'ok')
      const clientId = /client (\S+)$/.exec(reply.body.Findings.find((f: { Check: string }) => f.Check === 'canary_delete').Message)?.[1]
      assert.ok(clientId)
      assert.equal(await idp.hasClient(clientId), false, 'nothing left at the IdP')
    })

    // Issue 10 item 6: the canary registers as the provider's own client types need, so it passes wherever a
    // real approval would: here an IdP that follows OpenID Connect Registration (redirect_uris on every
    // registration, as Glewlwyd) and leaves refresh_token out of its discovery document.
    it('with ?canary=true registers as a web client type needs (a redirect URI, authorization_code) at an IdP that demands redirect_uris', async () => {
      const registered: Array<Record<string, unknown>> = []
      const strict = await startStubServer((req, res, origin) => {
        const path = new URL(req.url ?? '/', origin).pathname
        const answer = (status: number, body?: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body)) }
        if (path === '/.well-known/openid-configuration') {
          answer(200, discoveryDocument(origin, { grant_types_supported: ['authorization_code'], response_types_supported: ['code'], token_endpoint_auth_methods_supported: ['client_secret_basic'] }))
        } else if (path === '/register' && req.method === 'POST') {
          let text = ''
          req.on('data', (chunk) => { text += String(chunk) })
          req.on('end', () => {
            const body = JSON.parse(text) as Record<string, unknown>
            registered.push(body)
            if (!Array.isArray(body.redirect_uris) || body.redirect_uris.length === 0) answer(400, { error: 'invalid_redirect_uri', error_description: 'redirect_uris is required' })
            else answer(201, { ...body, client_id: 'canary-1', client_secret: 's', registration_access_token: 'rat', registration_client_uri: `${origin}/register/canary-1` })
          })
        } else if (path === '/register/canary-1' && req.method === 'DELETE') {
          answer(204)
        } else {
          answer(404, { error: 'not_found' })
        }
      })
      stubs.push(strict)
      const id = await createProvider('Strict registration', { WellKnownURL: `${strict.origin}/.well-known/openid-configuration`, RegistrationAccessToken: 'iat' })
      await h.call('POST', `/portal-api/oauth-providers/${id}/client-types`, { Name: 'Web', ResponseTypes: 'code', GrantType: 'authorization_code,refresh_token' })
      const reply = await h.call('POST', `/portal-api/oauth-providers/${id}/verify?canary=true`)
      assert.deepEqual(checks(reply.body), {
        discovery: 'ok', issuer: 'ok', registration_endpoint: 'ok', 'client_type:Web': 'warning', initial_access_token: 'ok', canary_register: 'ok', canary_delete: 'ok'
      }, JSON.stringify(reply.body, null, 2))
      assert.equal(reply.body.Status, 'warning')
      assert.match(reply.body.Findings.find((f: { Check: string }) => f.Check === 'canary_register').Message, /as client type "Web" \(authorization_code, refresh_token\)/)
      assert.equal(registered.length, 1)
      assert.deepEqual([registered[0]?.redirect_uris, registered[0]?.grant_types, registered[0]?.response_types], [[CANARY_REDIRECT_URI], ['authorization_code', 'refresh_token'], ['code']])
    })

    it('names a refused initial access token and never echoes it', async () => {
      const id = await createProvider('Wrong token', { RegistrationAccessToken: SENTINEL })
      const reply = await h.call('POST', `/portal-api/oauth-providers/${id}/verify?canary=true`)
      assert.equal(reply.body.Status, 'error')
      assert.equal(checks(reply.body).initial_access_token, 'error')
      assert.equal(checks(reply.body).canary_register, 'error')
      assert.equal(JSON.stringify(reply.body).includes(SENTINEL), false)
      assert.equal(h.logs.join('').includes(SENTINEL), false)
    })

    const broken: Array<[string, () => Promise<string>, string, RegExp]> = [
      ['connection refused', async () => `http://127.0.0.1:${await closedPort()}/.well-known/openid-configuration`, 'discovery', /unreachable|refused|connect/i],
      ['issuer mismatch', async () => { const s = await startStubServer(faults.wrongIssuer); stubs.push(s); return `${s.origin}/.well-known/openid-configuration` }, 'issuer', /issuer/],
      ['an HTML page', async () => { const s = await startStubServer(faults.html); stubs.push(s); return `${s.origin}/.well-known/openid-configuration` }, 'discovery', /JSON/],
      ['no registration endpoint', async () => { const s = await startStubServer(faults.noRegistrationEndpoint); stubs.push(s); return `${s.origin}/.well-known/openid-configuration` }, 'registration_endpoint', /no registration_endpoint/]
    ]
    for (const [name, url, check, message] of broken) {
      it(`reports ${name} as an error on ${check}, with 200`, async () => {
        const id = await createProvider(`broken ${name}`, { WellKnownURL: await url() })
        const reply = await h.call('POST', `/portal-api/oauth-providers/${id}/verify?canary=true`)
        assert.equal(reply.status, 200)
        assert.equal(reply.body.Status, 'error')
        const finding = reply.body.Findings.find((f: { Check: string }) => f.Check === check)
        assert.equal(finding?.Status, 'error', JSON.stringify(reply.body))
        assert.match(finding.Message, message)
        assert.equal(reply.body.Findings.some((f: { Check: string }) => f.Check === 'canary_register'), false, 'no registration attempt')
      })
    }

    it('copies nothing an internal server wrote into its findings: no error_description, issuer or listed value beyond short tokens (issue 11 item 11)', async () => {
      const hostile = '<script>alert(1)</script> db_password=hunter2-internal'
      const stub = await startStubServer((req, res, origin) => {
        const path = new URL(req.url ?? '/', origin).pathname
        if (path === '/.well-known/openid-configuration') {
          const document = discoveryDocument(origin, { grant_types_supported: ['authorization_code', hostile], token_endpoint_auth_methods_supported: ['client_secret_basic'] })
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document))
        }
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client_metadata', error_description: hostile }))
      })
      stubs.push(stub)
      const id = await createProvider('Hostile', { WellKnownURL: `${stub.origin}/.well-known/openid-configuration` })
      await h.call('POST', `/portal-api/oauth-providers/${id}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })
      const reply = await h.call('POST', `/portal-api/oauth-providers/${id}/verify?canary=true`)
      assert.equal(reply.status, 200)
      const text = JSON.stringify(reply.body)
      for (const leak of ['<script', 'hunter2', 'alert(']) assert.equal(text.includes(leak), false, `${leak} reflected: ${text}`)
      const finding = (check: string) => reply.body.Findings.find((f: { Check: string }) => f.Check === check).Message as string
      assert.match(finding('canary_register'), /the IdP refused the request \(HTTP 400, error invalid_client_metadata\)/)
      assert.match(finding('client_type:M2M'), /not in the IdP's grant_types_supported \(authorization_code and 1 more not shown\)/)

      const wrongIssuer = await startStubServer(onWellKnownDocument((origin) => discoveryDocument(origin, { issuer: `http://127.0.0.1:1/${hostile}` })))
      stubs.push(wrongIssuer)
      const other = await createProvider('Hostile issuer', { WellKnownURL: `${wrongIssuer.origin}/.well-known/openid-configuration` })
      const mismatch = await h.call('POST', `/portal-api/oauth-providers/${other}/verify`)
      const issuer = mismatch.body.Findings.find((f: { Check: string }) => f.Check === 'issuer')
      assert.equal(issuer.Status, 'error')
      assert.equal(issuer.Message, `the discovery document names another issuer than ${wrongIssuer.origin} (OpenID Connect Discovery §4.3)`)
    })

    it('answers 404 for an unknown provider and 400 for a bad ?canary (Go\'s boolean spellings are good)', async () => {
      assert.equal((await h.call('POST', '/portal-api/oauth-providers/9999/verify')).status, 404)
      const id = await createProvider('Query', {})
      const reply = await h.call('POST', `/portal-api/oauth-providers/${id}/verify?canary=yes`)
      assert.equal(reply.status, 400)
      assert.match(reply.body.errors[0], /query parameter canary must be one of "1", "t", .*"False", got "yes"/)
      assert.equal((await h.call('POST', `/portal-api/oauth-providers/${id}/verify?canary=0`)).status, 200)
    })
  })
}
