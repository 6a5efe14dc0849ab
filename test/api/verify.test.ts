import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness } from '../helpers/app.ts'
import { closedPort, discoveryDocument, faults, startStubServer, startTestIdp, type StubHandler, type StubServer, type TestIdp } from '../helpers/test-idp.ts'

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

    it('reports discovery, issuer, endpoint and each client type; the token is untested without a canary', async () => {
      const id = await createProvider('RFC', { RegistrationAccessToken: idp.initialAccessToken })
      await h.call('POST', `/portal-api/oauth-providers/${id}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })
      await h.call('POST', `/portal-api/oauth-providers/${id}/client-types`, { Name: 'Legacy', ResponseTypes: 'token', GrantType: 'password' })
      const before = idp.requests.filter((r) => r.startsWith('POST')).length
      const reply = await h.call('POST', `/portal-api/oauth-providers/${id}/verify`)
      assert.equal(reply.status, 200)
      assert.deepEqual(checks(reply.body), {
        discovery: 'ok', issuer: 'ok', registration_endpoint: 'ok', 'client_type:M2M': 'ok', 'client_type:Legacy': 'error', initial_access_token: 'warning'
      })
      assert.equal(reply.body.Status, 'error')
      assert.match(reply.body.Findings.find((f: { Check: string }) => f.Check === 'client_type:Legacy').Message, /grant types password not in the IdP's grant_types_supported/)
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

    it('answers 404 for an unknown provider and 400 for a bad ?canary', async () => {
      assert.equal((await h.call('POST', '/portal-api/oauth-providers/9999/verify')).status, 404)
      const id = await createProvider('Query', {})
      const reply = await h.call('POST', `/portal-api/oauth-providers/${id}/verify?canary=1`)
      assert.equal(reply.status, 400)
      assert.match(reply.body.errors[0], /query parameter canary must be one of "true", "false", got "1"/)
    })
  })
}
