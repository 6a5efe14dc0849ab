import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { KyselyAdapter } from '../../src/idp/kysely-adapter.ts'
import { TEST_SECRET_BOX, startHarness, type Harness } from '../helpers/app.ts'
import { CLIENT_REGISTRATION_TOKEN, openColumn, sealColumn } from '../../src/shared/sealed-columns.ts'
import { clientCredentialsToken } from '../helpers/test-idp.ts'
import { DcrEngine } from '../../src/dcr/index.ts'

// The consumer flow of issue 4 against the embedded IdP, through HTTP only (as the README's curl walk-through).
for (const dialect of dialects) {
  describe(`the DCR flow on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let issuer: string
    let m2m: number
    let web: number
    before(async () => {
      h = await startHarness(dialect, { embeddedIdp: true })
      issuer = h.idp!.issuer
      const provider = (await h.call('POST', '/portal-api/oauth-providers/embedded')).body
      assert.equal(provider.Name, 'Embedded IdP')
      m2m = provider.ClientTypes.find((t: { Name: string }) => t.Name === 'Machine to machine').ID
      web = provider.ClientTypes.find((t: { Name: string }) => t.Name === 'Web application').ID
    })
    after(async () => { await h.close() })

    /** The embedded IdP's own record of a client (its storage), without a management call. */
    const idpClient = async (clientId: string): Promise<Record<string, any> | undefined> => {
      return await new KyselyAdapter(h.database.db, 'Client', TEST_SECRET_BOX).find(clientId)
    }
    const introspect = async (clientId: string, secret: string, token: string) => {
      const response = await fetch(`${issuer}/token/introspection`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token })
      })
      return await response.json() as { active: boolean; scope?: string; client_id?: string }
    }
    const setUp = async (name: string, scopes: { product: string; plan: string }, typeId: number, redirectUrls = '', userId?: number) => {
      const product = await h.call('POST', '/portal-api/products', { Name: `${name} product`, DCREnabled: true, Scopes: scopes.product })
      assert.equal(product.status, 201, JSON.stringify(product.body))
      assert.equal((await h.call('POST', `/portal-api/products/${product.body.ID}/client_types`, { ID: typeId })).status, 201)
      const plan = await h.call('POST', '/portal-api/plans', { Name: `${name} plan`, ProviderID: 1, JWTScope: scopes.plan })
      assert.equal(plan.status, 200, JSON.stringify(plan.body))
      const app = await h.call('POST', '/portal-api/apps', { Name: `${name} app`, RedirectURLs: redirectUrls, ...(userId === undefined ? {} : { UserID: userId }) })
      assert.equal(app.status, 200, JSON.stringify(app.body))
      return { productId: product.body.ID as number, planId: plan.body.ID as number, appId: app.body.ID as number }
    }
    const provisionAndApprove = async (appId: number, planId: number, productIds: number[], typeId: number) => {
      const provisioned = await h.call('PUT', `/portal-api/apps/${appId}/provision`, { PlanID: planId, ProductIDs: productIds, DCRTemplateID: typeId })
      assert.equal(provisioned.status, 200, JSON.stringify(provisioned.body))
      assert.equal(provisioned.body.status, 'ok')
      const id = provisioned.body.ID as number
      const approved = await h.call('PUT', `/portal-api/access_requests/${id}/approve`)
      assert.deepEqual([approved.status, approved.body.status], [200, 'ok'], JSON.stringify(approved.body))
      const credentials = await h.call('GET', `/portal-api/apps/${appId}/access-requests/${id}/credentials`)
      assert.equal(credentials.status, 200)
      assert.equal(credentials.body.length, 1)
      return { requestId: id, credential: credentials.body[0] }
    }

    it('provider → client type → product → plan → app → provision → approve → a token with the product and plan scopes → delete', async () => {
      const { productId, planId, appId } = await setUp('Payments', { product: 'payments', plan: 'free-plan' }, m2m)
      const pending = await h.call('PUT', `/portal-api/apps/${appId}/provision`, { PlanID: planId, ProductIDs: [productId], DCRTemplateID: m2m })
      const requestId = pending.body.ID
      const shown = await h.call('GET', `/portal-api/access_requests/${requestId}`)
      assert.equal(shown.body.Status, 'pending')
      assert.equal(shown.body.DCREnabled, true)
      assert.equal(shown.body.DCRTemplateID, m2m)
      assert.deepEqual(shown.body.Credentials, [])
      assert.equal((await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)).status, 200)

      const [credential] = (await h.call('GET', `/portal-api/apps/${appId}/access-requests/${requestId}/credentials`)).body
      assert.equal(credential.AccessRequest, `AccessRequest#${requestId}`)
      assert.equal(credential.Scope.split(' ').sort().join(' '), 'free-plan payments')
      assert.equal(credential.GrantType, 'client_credentials')
      assert.equal(credential.TokenEndpoints, 'client_secret_basic')
      assert.equal(credential.DCRRegistrationAccessToken, '[redacted]')
      assert.ok(credential.DCRRegistrationClientURI.startsWith(issuer))
      const response = JSON.parse(credential.DCRResponse)
      assert.equal(response.client_id, credential.OAuthClientID)
      assert.equal('client_secret' in response || 'registration_access_token' in response, false, 'secrets removed from DCRResponse')
      assert.match(response.client_name, /^Payments app \[portal:/, 'the correlation tag travels in client_name')

      const token = await clientCredentialsToken({ issuer }, credential.OAuthClientID, credential.OAuthClientSecret, 'payments free-plan')
      const introspection = await introspect(credential.OAuthClientID, credential.OAuthClientSecret, token.access_token)
      assert.equal(introspection.active, true)
      assert.deepEqual(introspection.scope?.split(' ').sort(), ['free-plan', 'payments'])

      const deleted = await h.call('DELETE', `/portal-api/apps/${appId}/access-requests/${requestId}/credentials/${credential.ID}`)
      assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok', message: `client ${credential.OAuthClientID} is deleted at the IdP` }])
      assert.equal(await idpClient(credential.OAuthClientID), undefined, 'the IdP client is gone')
      await assert.rejects(clientCredentialsToken({ issuer }, credential.OAuthClientID, credential.OAuthClientSecret, 'payments'), 'the same client_id can no longer get a token')
      assert.equal((await h.call('GET', `/portal-api/access_requests/${requestId}`)).body.Status, 'approved', 'the access request survives (Tyk 1.8.3)')
    })

    it('registers a web client with exactly the app redirect URIs and grant types', async () => {
      const redirects = 'https://app.example.com/cb,http://127.0.0.1:8080/callback'
      const { productId, planId, appId } = await setUp('Web', { product: 'web-read', plan: 'web-plan' }, web, redirects)
      const { credential } = await provisionAndApprove(appId, planId, [productId], web)
      // Read back through RFC 7592 with the stored registration access token, keeping the rotated one.
      const row = await h.database.db.selectFrom('oauth_clients').selectAll().where('client_id', '=', credential.OAuthClientID).executeTakeFirstOrThrow()
      const engine = new DcrEngine()
      const connection = { id: 1, type: 'Other' as const, wellKnownUrl: `${issuer}/.well-known/openid-configuration`, initialAccessToken: null, sslInsecureSkipVerify: false }
      const registrationAccessToken = openColumn(TEST_SECRET_BOX, CLIENT_REGISTRATION_TOKEN, row.id, row.registration_access_token)!
      const read = await engine.read(connection, { clientId: row.client_id, registrationAccessToken, registrationClientUri: row.registration_client_uri! })
      await engine.close()
      const rotated = sealColumn(TEST_SECRET_BOX, CLIENT_REGISTRATION_TOKEN, row.id, read.registrationAccessToken ?? null)
      await h.database.db.updateTable('oauth_clients').set({ registration_access_token: rotated }).where('id', '=', row.id).execute()
      assert.deepEqual(read.response.redirect_uris, redirects.split(','))
      assert.deepEqual(read.response.grant_types, ['authorization_code', 'refresh_token'])
      assert.deepEqual(read.response.response_types, ['code'])
      assert.deepEqual((await idpClient(credential.OAuthClientID))?.redirect_uris, redirects.split(','))
      assert.equal(credential.RedirectURI, redirects)
      assert.equal(credential.GrantType, 'authorization_code,refresh_token')
      const removed = await h.call('DELETE', `/portal-api/apps/${appId}`)
      assert.equal(removed.status, 200, 'managed with the rotated token: ' + JSON.stringify(removed.body))
      assert.equal(await idpClient(credential.OAuthClientID), undefined)
    })

    it('keeps one IdP client per app and client type: scopes are added, then taken back, then the client deleted', async () => {
      const first = await setUp('Shared', { product: 'orders', plan: 'gold' }, m2m)
      const second = await h.call('POST', '/portal-api/products', { Name: 'Shared second product', DCREnabled: true, Scopes: 'invoices' })
      await h.call('POST', `/portal-api/products/${second.body.ID}/client_types`, { ID: m2m })
      const one = await provisionAndApprove(first.appId, first.planId, [first.productId], m2m)
      const two = await provisionAndApprove(first.appId, first.planId, [second.body.ID], m2m)
      assert.equal(two.credential.OAuthClientID, one.credential.OAuthClientID, 'the same client')
      assert.equal(two.credential.OAuthClientSecret, one.credential.OAuthClientSecret)
      const clientId = one.credential.OAuthClientID
      assert.deepEqual((await idpClient(clientId))?.scope.split(' ').sort(), ['gold', 'invoices', 'orders'])
      assert.equal((await h.call('GET', `/portal-api/apps/${first.appId}`)).body.AccessRequests.length, 2)

      assert.equal((await h.call('DELETE', `/portal-api/access_requests/${two.requestId}`)).status, 200)
      assert.deepEqual((await idpClient(clientId))?.scope.split(' ').sort(), ['gold', 'orders'], "the deleted request's scope is gone")
      const token = await clientCredentialsToken({ issuer }, clientId, one.credential.OAuthClientSecret, 'orders')
      assert.equal(typeof token.access_token, 'string', 'the remaining credential still works')

      assert.equal((await h.call('DELETE', `/portal-api/apps/${first.appId}/access-requests/${one.requestId}`)).status, 200)
      assert.equal(await idpClient(clientId), undefined, 'the last one deletes the client')
      assert.equal((await h.call('GET', `/portal-api/access_requests/${one.requestId}`)).status, 404)
    })

    it('approves at once on a plan with AutoApproveAccessRequests, and deleting the app removes its client', async () => {
      const { productId, appId } = await setUp('Auto', { product: 'auto-scope', plan: 'auto-plan-scope' }, m2m)
      const plan = await h.call('POST', '/portal-api/plans', { Name: 'Auto approve plan', ProviderID: 1, JWTScope: 'auto-approved', AutoApproveAccessRequests: true })
      const provisioned = await h.call('PUT', `/portal-api/apps/${appId}/provision`, { PlanID: plan.body.ID, ProductIDs: [productId], DCRTemplateID: m2m })
      assert.equal(provisioned.status, 200)
      assert.match(provisioned.body.message, /approved/)
      const request = (await h.call('GET', `/portal-api/access_requests/${provisioned.body.ID}`)).body
      assert.equal(request.Status, 'approved')
      assert.equal(request.ProvisionImmediately, true)
      const clientId = request.Credentials[0].OAuthClientID
      assert.ok(await idpClient(clientId))
      assert.equal((await h.call('DELETE', `/portal-api/apps/${appId}`)).status, 200)
      assert.equal(await idpClient(clientId), undefined)
      assert.equal((await h.call('GET', `/portal-api/access_requests/${provisioned.body.ID}`)).status, 404)
    })

    it('audits provision, approval, rotation and deletion, with who and no secret', async () => {
      const { productId, planId, appId } = await setUp('Audited', { product: 'audited', plan: 'audited-plan' }, m2m)
      const { requestId, credential } = await provisionAndApprove(appId, planId, [productId], m2m)
      assert.equal((await h.call('PUT', `/portal-api/apps/${appId}/access-requests/${requestId}/credentials/${credential.ID}/rotate`)).status, 200)
      assert.equal((await h.call('DELETE', `/portal-api/access_requests/${requestId}`)).status, 200)
      const log = (await h.call('GET', '/portal-api/audit-log?per_page=1000')).body as Array<{ Action: string; ResourceType: string; ResourceID: number; Actor: string }>
      const mine = log.filter((e) => (e.ResourceType === 'access_request' && e.ResourceID === requestId) || (e.ResourceType === 'credential' && e.ResourceID === credential.ID))
      assert.deepEqual(mine.map((e) => `${e.ResourceType} ${e.Action}`).sort(), ['access_request approve', 'access_request create', 'access_request delete', 'credential delete', 'credential rotate'])
      assert.ok(mine.every((e) => /^bootstrap-token:[0-9a-f]{12}$/.test(e.Actor)))
      assert.equal(JSON.stringify(log).includes(credential.OAuthClientSecret), false)
    })

    it('lists access requests with Tyk fields, globally and per app', async () => {
      const user = (await h.call('POST', '/portal-api/users', { Email: 'listed@acme.test' })).body
      const { productId, planId, appId } = await setUp('Listed', { product: 'listed', plan: 'listed-plan' }, m2m, '', user.ID)
      const provisioned = await h.call('PUT', `/portal-api/apps/${appId}/provision`, { PlanID: planId, ProductIDs: [productId], DCRTemplateID: m2m })
      assert.equal(provisioned.status, 200, JSON.stringify(provisioned.body))
      const all = await h.call('GET', '/portal-api/access_requests?per_page=1000')
      assert.equal(all.status, 200)
      const perApp = await h.call('GET', `/portal-api/apps/${appId}/access-requests`)
      assert.equal(perApp.status, 200)
      assert.deepEqual(perApp.body.map((item: { ID: number }) => item.ID), [provisioned.body.ID])
      const listed = all.body.find((item: { ID: number }) => item.ID === provisioned.body.ID)
      assert.deepEqual([listed?.Status, listed?.User], ['pending', `User#${user.ID}`], JSON.stringify(listed))
      for (const item of [...all.body, ...perApp.body]) {
        assert.equal(typeof item.Client, 'string')
        assert.match(item.User, /^User#\d+$/)
        assert.ok(['pending', 'approved', 'rejected'].includes(item.Status))
      }
      assert.equal((await h.call('GET', '/portal-api/apps/999/access-requests')).status, 404)
    })

    it('answers an id that cannot name a row with the 404 of an unknown one, on every access-request, credential and IdP-operation path', async () => {
      const { productId, planId, appId } = await setUp('Paths', { product: 'paths-scope', plan: 'paths-plan' }, m2m)
      const { requestId, credential } = await provisionAndApprove(appId, planId, [productId], m2m)
      const app = (id: string) => [`Application Not found: app_id "${id}"`]
      const request = (id: string, ofApp?: number) => [`Access request Not found: access_request_id "${id}"${ofApp === undefined ? '' : ` of app_id "${ofApp}"`}`]
      const credentialOf = (id: string) => [`Credential Not found: credential_id "${id}" of access_request_id "${requestId}"`]
      const credentials = `/portal-api/apps/${appId}/access-requests/${requestId}/credentials`
      for (const id of ['0', '-1', '1e3', '9007199254740993', 'abc', '999999']) {
        const expected: Array<[string, string, string[]]> = [
          ['GET', `/portal-api/access_requests/${id}`, request(id)],
          ['DELETE', `/portal-api/access_requests/${id}`, request(id)],
          ['PUT', `/portal-api/access_requests/${id}/approve`, request(id)],
          ['PUT', `/portal-api/access_requests/${id}/reject`, request(id)],
          ['GET', `/portal-api/apps/${id}/access-requests`, app(id)],
          ['GET', `/portal-api/apps/${id}/access-requests/${id}`, app(id)],
          ['GET', `/portal-api/apps/${appId}/access-requests/${id}`, request(id, appId)],
          ['DELETE', `/portal-api/apps/${appId}/access-requests/${id}`, request(id, appId)],
          ['GET', `/portal-api/apps/${id}/access-requests/${id}/credentials/${id}`, app(id)],
          ['GET', `/portal-api/apps/${appId}/access-requests/${id}/credentials`, request(id, appId)],
          ['PUT', `/portal-api/apps/${appId}/access-requests/${id}/credentials/${id}/rotate`, request(id, appId)],
          ['GET', `${credentials}/${id}`, credentialOf(id)],
          ['DELETE', `${credentials}/${id}`, credentialOf(id)],
          ['PUT', `${credentials}/${id}/rotate`, credentialOf(id)],
          ['DELETE', `/portal-api/idp-operations/registrations/${id}`, [`IdP operation Not found: no unknown registration "${id}"`]],
          ['DELETE', `/portal-api/idp-operations/deletions/${id}`, [`IdP operation Not found: no pending deletion "${id}"`]]
        ]
        for (const [method, url, errors] of expected) {
          const reply = await h.call(method, url)
          // Approve's and reject's failures carry Tyk's StatusWithMessage `message` beside `errors` (issue 10).
          const tykMessage = /\/(approve|reject)$/.test(url) ? { message: errors.join('; ') } : {}
          assert.deepEqual([reply.status, reply.body], [404, { ...tykMessage, errors }], `${method} ${url}`)
        }
      }
      const provisioned = await h.call('PUT', '/portal-api/apps/abc/provision', { PlanID: planId, ProductIDs: [productId], DCRTemplateID: m2m })
      assert.deepEqual([provisioned.status, provisioned.body], [404, { errors: app('abc') }])
      assert.equal((await h.call('GET', `${credentials}/${credential.ID}`)).body.OAuthClientID, credential.OAuthClientID, 'the real ids still answer')
    })

    it('seals registration access tokens at rest, and never returns or logs them', async () => {
      const kept = await setUp('Sealed', { product: 'sealed-scope', plan: 'sealed-plan' }, m2m)
      await provisionAndApprove(kept.appId, kept.planId, [kept.productId], m2m)
      const rows = await h.database.db.selectFrom('oauth_clients').select(['id', 'registration_access_token']).execute()
      const bodies = h.responses.map((r) => JSON.stringify(r.body)).join('\n')
      const logs = h.logs.join('')
      assert.ok(rows.length > 0)
      for (const row of rows) {
        assert.ok(row.registration_access_token?.startsWith('v1.test.'), 'sealed at rest')
        const token = openColumn(TEST_SECRET_BOX, CLIENT_REGISTRATION_TOKEN, row.id, row.registration_access_token)
        if (token === null) continue
        assert.equal(bodies.includes(token), false)
        assert.equal(logs.includes(token), false)
      }
    })
  })
}
