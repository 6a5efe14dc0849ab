import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness, type Reply } from '../helpers/app.ts'
import { assertResponsesConform } from '../helpers/openapi.ts'
import {
  TRUSTED_HOSTS_REJECTION, UNTRUSTED_HOST, clientCredentialsToken, closedPort, startTestIdp, type TestIdp
} from '../helpers/test-idp.ts'

// Issue 4, the unhappy paths of the consumer flow: Tyk's force rules, bad provision input, an IdP that
// refuses or cannot be reached, and the state machine of access requests. Through HTTP only; the IdP's
// side is checked in its own store (the embedded IdP's idp_models rows, a test IdP's hasClient).
for (const dialect of dialects) {
  describe(`DCR faults on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let issuer: string
    let m2m: number
    let web: number
    const idps: TestIdp[] = []
    let counter = 0
    const fresh = (prefix: string) => `${prefix}-${++counter}`

    before(async () => {
      h = await startHarness(dialect, { embeddedIdp: true })
      issuer = h.idp!.issuer
      const provider = (await h.call('POST', '/portal-api/oauth-providers/embedded')).body
      assert.equal(provider.Name, 'Embedded IdP')
      m2m = provider.ClientTypes.find((t: { Name: string }) => t.Name === 'Machine to machine').ID
      web = provider.ClientTypes.find((t: { Name: string }) => t.Name === 'Web application').ID
    })
    after(async () => {
      try {
        await h.close()
      } finally {
        for (const idp of idps) await idp.close()
      }
    })

    // --- helpers -------------------------------------------------------------------------------------

    const embeddedClientCount = async (): Promise<number> => {
      const row = await sql<{ count: number | string }>`select count(*) as count from idp_models where model = 'Client'`.execute(h.database.db)
      return Number(row.rows[0]!.count)
    }
    const embeddedHasClient = async (clientId: string): Promise<boolean> => {
      const row = await h.database.db.selectFrom('idp_models').select('id').where('model', '=', 'Client').where('client_id', '=', clientId).executeTakeFirst()
      return row !== undefined
    }
    const ok = (reply: Reply, status = 200) => { assert.equal(reply.status, status, JSON.stringify(reply.body)); return reply.body }
    /** A 4xx whose errors name the problem; `envelope` for Tyk's StatusWithErrors. */
    const refused = (reply: Reply, status: number, expected: RegExp, envelope = true) => {
      assert.equal(reply.status, status, JSON.stringify(reply.body))
      if (envelope) assert.equal(reply.body.status, 'error', JSON.stringify(reply.body))
      assert.ok(Array.isArray(reply.body.errors), JSON.stringify(reply.body))
      assert.ok(reply.body.errors.some((message: string) => expected.test(message)), `${JSON.stringify(reply.body.errors)} should match ${expected}`)
    }
    const createProvider = async (name: string, type: string, wellKnownUrl: string, token?: string) =>
      ok(await h.call('POST', '/portal-api/oauth-providers', { Name: name, Type: type, WellKnownURL: wellKnownUrl, ...(token === undefined ? {} : { RegistrationAccessToken: token }) })).ID as number
    const createClientType = async (providerId: number, name: string, grant: 'client_credentials' | 'authorization_code') =>
      ok(await h.call('POST', `/portal-api/oauth-providers/${providerId}/client-types`, {
        Name: name, GrantType: grant, ResponseTypes: grant === 'client_credentials' ? 'token' : 'code', TokenEndpointAuthMethod: 'client_secret_basic'
      })).ID as number
    const createProduct = async (dcr: boolean, scope: string, attach: number[] = []) => {
      const id = ok(await h.call('POST', '/portal-api/products', { Name: fresh('product').replace('-', '_'), DCREnabled: dcr, Scopes: scope }), 201).ID as number
      for (const typeId of attach) ok(await h.call('POST', `/portal-api/products/${id}/client_types`, { ID: typeId }), 201)
      return id
    }
    const createPlan = async (scope: string) => ok(await h.call('POST', '/portal-api/plans', { Name: fresh('plan').replace('-', '_'), ProviderID: 1, JWTScope: scope })).ID as number
    const createApp = async (redirectUrls = '') => ok(await h.call('POST', '/portal-api/apps', { Name: fresh('App'), RedirectURLs: redirectUrls })).ID as number
    const provision = async (appId: number, planId: number, productIds: number[], typeId: number) =>
      ok(await h.call('PUT', `/portal-api/apps/${appId}/provision`, { PlanID: planId, ProductIDs: productIds, DCRTemplateID: typeId })).ID as number
    const credentialsOf = async (appId: number, requestId: number) =>
      ok(await h.call('GET', `/portal-api/apps/${appId}/access-requests/${requestId}/credentials`)) as Array<{ ID: number; OAuthClientID: string; OAuthClientSecret: string; Scope: string }>
    const requestOf = async (requestId: number) => ok(await h.call('GET', `/portal-api/access_requests/${requestId}`))
    /** One consumer of a client type: an app with an approved request (and its credential) and a second, pending request. */
    const consumer = async (typeId: number, productId: number, planId: number) => {
      const appId = await createApp()
      const approvedId = await provision(appId, planId, [productId], typeId)
      ok(await h.call('PUT', `/portal-api/access_requests/${approvedId}/approve`))
      const [credential] = await credentialsOf(appId, approvedId)
      assert.ok(credential !== undefined)
      const otherApp = await createApp()
      const pendingId = await provision(otherApp, planId, [productId], typeId)
      assert.equal((await requestOf(pendingId)).Status, 'pending')
      return { appId, approvedId, pendingId, credential }
    }

    // --- force rules ---------------------------------------------------------------------------------

    it('deleting a client type: 400 while attached, 400 while it has live credentials, ?force=true cleans up at the IdP', async () => {
      const typeId = await createClientType(1, fresh('Force M2M'), 'client_credentials')
      const productScope = fresh('force-api')
      const productId = await createProduct(true, productScope, [typeId])
      const planId = await createPlan(fresh('force-plan'))
      const { appId, approvedId, pendingId, credential } = await consumer(typeId, productId, planId)
      assert.equal(await embeddedHasClient(credential.OAuthClientID), true)
      const path = `/portal-api/oauth-providers/1/client-types/${typeId}`

      const attached = await h.call('DELETE', path)
      refused(attached, 400, new RegExp(`client type ${typeId} .* is attached to product ${productId}`), false)
      assert.ok(attached.body.errors.some((message: string) => message.includes('?force=true')))
      ok(await h.call('DELETE', `/portal-api/products/${productId}/client_types/${typeId}`))
      const live = await h.call('DELETE', `${path}?force=false`)
      refused(live, 400, new RegExp(`live credentials: IdP client "${credential.OAuthClientID}" of app ${appId}`), false)
      assert.equal(live.body.errors.some((message: string) => message.includes('attached to product')), false, 'detached: only the credential is named')
      ok(await h.call('GET', path), 200)
      assert.equal(await embeddedHasClient(credential.OAuthClientID), true, 'a refused delete touches nothing at the IdP')

      assert.deepEqual(ok(await h.call('DELETE', `${path}?force=true`)), { status: 'ok' })
      assert.equal((await h.call('GET', path)).status, 404)
      assert.equal((await requestOf(pendingId)).Status, 'rejected', 'the pending request is rejected')
      assert.equal(await embeddedHasClient(credential.OAuthClientID), false, 'the IdP client is deleted at the IdP')
      assert.deepEqual(await credentialsOf(appId, approvedId), [], 'the credential is gone')
      assert.deepEqual((await requestOf(approvedId)).Credentials, [])
      await assert.rejects(clientCredentialsToken({ issuer }, credential.OAuthClientID, credential.OAuthClientSecret, productScope), 'the client no longer gets tokens')
    })

    it('deleting a provider: 400 while used, ?force=true rejects pending requests and deletes its clients at the IdP', async () => {
      const productScope = fresh('prov-api')
      const planScope = fresh('prov-plan')
      const idp = await startTestIdp({ profile: 'keycloak', scopes: ['openid', productScope, planScope] })
      idps.push(idp)
      const providerId = await createProvider(fresh('Keycloak to delete'), 'Keycloak', idp.wellKnownUrl, idp.initialAccessToken)
      const typeId = await createClientType(providerId, 'Service', 'client_credentials')
      const productId = await createProduct(true, productScope, [typeId])
      const planId = await createPlan(planScope)
      const { appId, approvedId, pendingId, credential } = await consumer(typeId, productId, planId)
      assert.equal(await idp.hasClient(credential.OAuthClientID), true)
      const path = `/portal-api/oauth-providers/${providerId}`

      const used = await h.call('DELETE', path)
      refused(used, 400, new RegExp(`is attached to product ${productId}`), false)
      assert.ok(used.body.errors.some((message: string) => message.includes(`IdP client "${credential.OAuthClientID}"`)), JSON.stringify(used.body))
      ok(await h.call('GET', path))
      assert.equal(await idp.hasClient(credential.OAuthClientID), true)

      assert.deepEqual(ok(await h.call('DELETE', `${path}?force=true`)), { status: 'ok' })
      assert.equal((await h.call('GET', path)).status, 404)
      assert.equal((await h.call('GET', `${path}/client-types/${typeId}`)).status, 404)
      assert.equal((await requestOf(pendingId)).Status, 'rejected')
      assert.equal(await idp.hasClient(credential.OAuthClientID), false, 'the IdP client is deleted at the IdP')
      assert.deepEqual(await credentialsOf(appId, approvedId), [])
      assert.deepEqual(ok(await h.call('GET', `/portal-api/products/${productId}`)).Templates, [], 'detached from the product')
      assert.equal(idp.staleTokenPresentations(), 0)
    })

    // --- bad input -----------------------------------------------------------------------------------

    it('refuses bad provision input with a clear 4xx naming the problem, creating nothing at the IdP', async () => {
      const dcrProduct = await createProduct(true, fresh('bad-api'), [m2m])
      const bareProduct = await createProduct(true, fresh('bare-api')) // no client type attached
      const webProduct = await createProduct(true, fresh('bad-web'), [web])
      const plainProduct = await createProduct(false, '')
      const planId = await createPlan(fresh('bad-plan'))
      const appId = await createApp() // no RedirectURLs
      const clientsBefore = await embeddedClientCount()
      const provisionWith = async (body: unknown, app = appId) => await h.call('PUT', `/portal-api/apps/${app}/provision`, body)

      refused(await provisionWith({ PlanID: planId, ProductIDs: [bareProduct], DCRTemplateID: m2m }), 422,
        new RegExp(`DCRTemplateID ${m2m} \\("Machine to machine"\\) is not offered by product ${bareProduct}`))
      refused(await provisionWith({ PlanID: 999999, ProductIDs: [dcrProduct], DCRTemplateID: m2m }), 422, /PlanID 999999 does not exist/)
      refused(await provisionWith({ PlanID: planId, ProductIDs: [plainProduct], DCRTemplateID: m2m }), 422,
        new RegExp(`DCRTemplateID ${m2m} applies to DCR products only; product ${plainProduct} is not DCR-enabled`))
      refused(await provisionWith({ PlanID: planId, ProductIDs: [dcrProduct] }), 422, /DCRTemplateID is required for DCR products/)
      refused(await provisionWith({ PlanID: planId, ProductIDs: [dcrProduct], DCRTemplateID: 0 }), 422, /DCRTemplateID is required for DCR products/)
      refused(await provisionWith({ PlanID: planId, ProductIDs: [webProduct], DCRTemplateID: web }), 422,
        new RegExp(`app ${appId} has no RedirectURLs, which client type "Web application" \\(authorization_code,refresh_token\\) needs`))
      refused(await provisionWith({ PlanID: String(planId), ProductIDs: [dcrProduct], DCRTemplateID: m2m }), 422, /PlanID/)
      refused(await provisionWith({ PlanID: planId, ProductIDs: [dcrProduct], DCRTemplateID: 999999 }), 422, /DCRTemplateID 999999 is not a client type/)
      refused(await provisionWith({ PlanID: planId, ProductIDs: [999999], DCRTemplateID: m2m }), 422, /product 999999 does not exist/)
      const unknownApp = await provisionWith({ PlanID: planId, ProductIDs: [dcrProduct], DCRTemplateID: m2m }, 999999)
      assert.equal(unknownApp.status, 404, JSON.stringify(unknownApp.body))
      assert.ok(unknownApp.body.errors.some((message: string) => message.includes('999999')), JSON.stringify(unknownApp.body))

      // Redirect URIs an IdP must never see are refused when the app is saved.
      for (const url of ['https://app.example/cb#fragment', 'javascript:alert(1)']) {
        const reply = await h.call('POST', '/portal-api/apps', { Name: fresh('Bad redirect app'), RedirectURLs: url })
        assert.ok(reply.status >= 400 && reply.status < 500, `${url}: ${reply.status} ${JSON.stringify(reply.body)}`)
        assert.ok(reply.body.errors.some((message: string) => message.includes(url.slice(0, 12))), JSON.stringify(reply.body))
      }

      assert.deepEqual(ok(await h.call('GET', `/portal-api/apps/${appId}/access-requests`)), [], 'no access request was created')
      assert.equal(await embeddedClientCount(), clientsBefore, 'nothing was created at the IdP')
    })

    // --- the IdP refusing, or unreachable --------------------------------------------------------------

    it('an IdP refusing the registration (Keycloak Trusted Hosts): 422 with its error, the request stays pending', async () => {
      const productScope = fresh('kc-api')
      const planScope = fresh('kc-plan')
      const idp = await startTestIdp({ profile: 'keycloak', scopes: ['openid', productScope, planScope] })
      idps.push(idp)
      const providerId = await createProvider(fresh('Keycloak policy'), 'Keycloak', idp.wellKnownUrl, idp.initialAccessToken)
      const typeId = await createClientType(providerId, 'Web', 'authorization_code')
      const productId = await createProduct(true, productScope, [typeId])
      const planId = await createPlan(planScope)
      const appId = await createApp(`https://${UNTRUSTED_HOST}/cb`)
      const requestId = await provision(appId, planId, [productId], typeId)

      const approve = await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)
      refused(approve, 422, /insufficient_scope/)
      assert.ok(approve.body.errors.some((message: string) => message.includes('insufficient_scope') && message.includes(TRUSTED_HOSTS_REJECTION)), JSON.stringify(approve.body))
      const request = await requestOf(requestId)
      assert.equal(request.Status, 'pending')
      assert.ok(request.LastError.includes(TRUSTED_HOSTS_REJECTION), request.LastError)
      assert.deepEqual(request.Credentials, [])
      assert.deepEqual(await h.database.db.selectFrom('oauth_clients').select('id').where('app_id', '=', appId).execute(), [], 'nothing recorded')
      const registrations = idp.requests.filter((r) => r.startsWith('POST /realms/test/clients-registrations'))
      assert.equal(registrations.length, 1, 'one registration attempt')
      assert.equal(idp.requests.some((r) => r.startsWith('DELETE') || r.startsWith('PUT')), false, 'nothing half-created to clean up')
      assert.equal(idp.initialAccessToken.length > 0 && JSON.stringify(approve.body).includes(idp.initialAccessToken), false)
    })

    it('an unreachable IdP: approve answers 502 and the request stays pending', async () => {
      const providerId = await createProvider(fresh('Nowhere'), 'Other', `http://127.0.0.1:${await closedPort()}/.well-known/openid-configuration`, 'nowhere-initial-token')
      const typeId = await createClientType(providerId, 'Service', 'client_credentials')
      const productId = await createProduct(true, fresh('gone-api'), [typeId])
      const planId = await createPlan(fresh('gone-plan'))
      const appId = await createApp()
      const requestId = await provision(appId, planId, [productId], typeId)

      const approve = await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)
      assert.equal(approve.status, 502, JSON.stringify(approve.body))
      assert.ok(Array.isArray(approve.body.errors) && approve.body.errors.length > 0, JSON.stringify(approve.body))
      const request = await requestOf(requestId)
      assert.equal(request.Status, 'pending')
      assert.notEqual(request.LastError, '')
      assert.deepEqual(request.Credentials, [])
    })

    /** An approved credential whose IdP then goes away (closed): every IdP call fails to connect. */
    const approvedAtClosedIdp = async (name: string) => {
      const productScope = fresh(`${name}-api`)
      const planScope = fresh(`${name}-plan`)
      const idp = await startTestIdp({ profile: 'rfc', scopes: ['openid', productScope, planScope] })
      idps.push(idp)
      const providerId = await createProvider(fresh(name), 'Other', idp.wellKnownUrl, idp.initialAccessToken)
      const typeId = await createClientType(providerId, 'Service', 'client_credentials')
      const productId = await createProduct(true, productScope, [typeId])
      const planId = await createPlan(planScope)
      const appId = await createApp()
      const requestId = await provision(appId, planId, [productId], typeId)
      ok(await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`))
      const [credential] = await credentialsOf(appId, requestId)
      assert.ok(credential !== undefined)
      await idp.close()
      return { providerId, typeId, appId, requestId, credential }
    }

    it('an IdP gone after approval: deleting the credential or its request answers 502 and keeps them', async () => {
      const { appId, requestId, credential } = await approvedAtClosedIdp('lost')

      const deleted = await h.call('DELETE', `/portal-api/apps/${appId}/access-requests/${requestId}/credentials/${credential.ID}`)
      assert.equal(deleted.status, 502, JSON.stringify(deleted.body))
      assert.ok(Array.isArray(deleted.body.errors) && deleted.body.errors.length > 0)
      assert.deepEqual((await credentialsOf(appId, requestId)).map((c) => c.OAuthClientID), [credential.OAuthClientID], 'the credential is still listed')
      const deletedRequest = await h.call('DELETE', `/portal-api/access_requests/${requestId}`)
      assert.equal(deletedRequest.status, 502, JSON.stringify(deletedRequest.body))
      const request = await requestOf(requestId)
      assert.equal(request.Status, 'approved')
      assert.equal(request.Credentials.length, 1)
    })

    it('an IdP gone after approval: deleting the app, or the provider with ?force=true, answers a documented 502 and keeps everything', async () => {
      const { providerId, typeId, appId, requestId, credential } = await approvedAtClosedIdp('gone')

      const recorded = h.responses.length
      const app = await h.call('DELETE', `/portal-api/apps/${appId}`)
      const provider = await h.call('DELETE', `/portal-api/oauth-providers/${providerId}?force=true`)
      const clientType = await h.call('DELETE', `/portal-api/oauth-providers/${providerId}/client-types/${typeId}?force=true`)
      // Checked here, then taken out of the harness's end-of-suite check, so that a failure is reported by this test.
      const mine = h.responses.splice(recorded)
      assert.deepEqual([app.status, provider.status, clientType.status], [502, 502, 502], JSON.stringify([app.body, provider.body, clientType.body]))
      assert.deepEqual((await credentialsOf(appId, requestId)).map((c) => c.OAuthClientID), [credential.OAuthClientID], 'the credential is kept')
      assert.equal((await requestOf(requestId)).Status, 'approved')
      ok(await h.call('GET', `/portal-api/oauth-providers/${providerId}/client-types/${typeId}`))
      await assertResponsesConform(h.app, mine)
    })

    // --- the life of an access request -----------------------------------------------------------------

    it('approve twice → 422; reject a pending request → rejected; delete a request → its credential and IdP client go', async () => {
      const productScope = fresh('life-api')
      const productId = await createProduct(true, productScope, [m2m])
      const planId = await createPlan(fresh('life-plan'))
      const appId = await createApp()

      const requestId = await provision(appId, planId, [productId], m2m)
      ok(await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`))
      const clients = await embeddedClientCount()
      refused(await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`), 422, new RegExp(`access request ${requestId} is approved, not pending`))
      assert.equal(await embeddedClientCount(), clients, 'a second approval registers nothing')
      const [credential] = await credentialsOf(appId, requestId)
      assert.ok(credential !== undefined)
      assert.equal((await credentialsOf(appId, requestId)).length, 1)

      const otherApp = await createApp()
      const pendingId = await provision(otherApp, planId, [productId], m2m)
      const rejected = await h.call('PUT', `/portal-api/access_requests/${pendingId}/reject`)
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body))
      assert.equal(rejected.body.status, 'ok')
      assert.equal((await requestOf(pendingId)).Status, 'rejected')
      assert.equal(await embeddedClientCount(), clients, 'rejecting a pending request touches nothing at the IdP')
      refused(await h.call('PUT', `/portal-api/access_requests/${pendingId}/approve`), 422, /rejected, not pending/)
      refused(await h.call('PUT', `/portal-api/access_requests/${pendingId}/reject`), 422, /already rejected/)

      const token = await clientCredentialsToken({ issuer }, credential.OAuthClientID, credential.OAuthClientSecret, productScope)
      assert.equal(typeof token.access_token, 'string')
      assert.deepEqual(ok(await h.call('DELETE', `/portal-api/access_requests/${requestId}`)), { status: 'ok' })
      assert.equal((await h.call('GET', `/portal-api/access_requests/${requestId}`)).status, 404)
      assert.equal(await embeddedHasClient(credential.OAuthClientID), false, 'the IdP client is deleted')
      assert.equal(await embeddedClientCount(), clients - 1)
      await assert.rejects(clientCredentialsToken({ issuer }, credential.OAuthClientID, credential.OAuthClientSecret, productScope))
      assert.equal(ok(await h.call('GET', `/portal-api/apps/${appId}`)).AccessRequests.length, 0)
    })

    it('two approvals of one request at the same time: one 200, one 422, one credential, one IdP client', async () => {
      const productId = await createProduct(true, fresh('race-api'), [m2m])
      const planId = await createPlan(fresh('race-plan'))
      const appId = await createApp()
      const requestId = await provision(appId, planId, [productId], m2m)
      const clients = await embeddedClientCount()
      const replies = await Promise.all([1, 2].map(async () => await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)))
      assert.deepEqual(replies.map((reply) => reply.status).sort(), [200, 422], JSON.stringify(replies.map((reply) => reply.body)))
      refused(replies.find((reply) => reply.status !== 200)!, 422, new RegExp(`access request ${requestId} is approved, not pending`))
      assert.equal((await credentialsOf(appId, requestId)).length, 1)
      assert.equal(await embeddedClientCount(), clients + 1, 'one client at the IdP')
      assert.equal((await requestOf(requestId)).Status, 'approved')
    })

    it('approve and reject of one request at the same time end as in some serial order: rejected, holding nothing', async () => {
      const productId = await createProduct(true, fresh('race2-api'), [m2m])
      const planId = await createPlan(fresh('race2-plan'))
      const appId = await createApp()
      const requestId = await provision(appId, planId, [productId], m2m)
      const clients = await embeddedClientCount()
      const [approve, reject] = await Promise.all([
        h.call('PUT', `/portal-api/access_requests/${requestId}/approve`),
        h.call('PUT', `/portal-api/access_requests/${requestId}/reject`)
      ])
      // Either order answers reject 200: approve → reject releases the credential; reject → approve answers 422.
      assert.equal(reject.status, 200, JSON.stringify(reject.body))
      assert.ok([200, 422].includes(approve.status), JSON.stringify(approve.body))
      const request = await requestOf(requestId)
      assert.deepEqual({ Status: request.Status, Credentials: request.Credentials.length }, { Status: 'rejected', Credentials: 0 }, 'a request answered "rejected" holds no credential')
      assert.equal(await embeddedClientCount(), clients, 'no IdP client left behind')
    })

    it('approve and delete of one request at the same time leave no client behind, locally or at the IdP', async () => {
      const productId = await createProduct(true, fresh('race3-api'), [m2m])
      const planId = await createPlan(fresh('race3-plan'))
      const appId = await createApp()
      const requestId = await provision(appId, planId, [productId], m2m)
      const clients = await embeddedClientCount()
      const [approve, remove] = await Promise.all([
        h.call('PUT', `/portal-api/access_requests/${requestId}/approve`),
        h.call('DELETE', `/portal-api/access_requests/${requestId}`)
      ])
      // Either order: approve → delete (200, 200), or delete → approve (404 for the approval); nothing is left.
      const observed = {
        remove: remove.status,
        approve: [200, 404].includes(approve.status) ? 'ok' : `${approve.status} ${JSON.stringify(approve.body)}`,
        request: (await h.call('GET', `/portal-api/access_requests/${requestId}`)).status,
        localClients: (await h.database.db.selectFrom('oauth_clients').select('client_id').where('app_id', '=', appId).execute()).length,
        newIdpClients: await embeddedClientCount() - clients,
        deleteApp: (await h.call('DELETE', `/portal-api/apps/${appId}`)).status
      }
      assert.deepEqual(observed, { remove: 200, approve: 'ok', request: 404, localClients: 0, newIdpClients: 0, deleteApp: 200 })
    })
  })
}
