import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { TEST_SECRET_BOX, type Harness } from '../helpers/app.ts'
import type { FaultProxy } from '../helpers/fault-proxy.ts'
import { startProxied, type Proxied } from '../helpers/proxied.ts'
import { CLIENT_REGISTRATION_TOKEN, openColumn } from '../../src/shared/sealed-columns.ts'

// Issue 5 items 1 and 2: IdP calls as a recorded saga, against the real embedded IdP behind a fault proxy.
for (const dialect of dialects) {
  describe(`the recorded saga on ${dialect.name}`, { skip: dialect.skip }, () => {
    let proxied: Proxied
    let h: Harness
    let proxy: FaultProxy
    let m2m: number
    before(async () => {
      // Short timeouts: a held answer becomes a timeout after the IdP has acted.
      proxied = await startProxied(dialect, 400)
      ;({ h, proxy, machineType: m2m } = proxied)
    })
    after(async () => { await proxied.close() })

    const idpClients = async () => await proxied.idpClients()
    const registrationPosts = () => proxy.requests.filter((r) => r === 'POST /reg').length
    const pendingRequest = async () => await proxied.pendingRequest('saga')
    const credentialOf = async (appId: number, requestId: number) =>
      (await h.call('GET', `/portal-api/apps/${appId}/access-requests/${requestId}/credentials`)).body[0]

    it('a registration whose answer is lost is recorded as unknown, surfaced, and never re-posted blindly', async () => {
      const { appId, requestId } = await pendingRequest()
      const clientsBefore = await idpClients()
      const postsBefore = registrationPosts()
      proxy.fault = (method, path) => method === 'POST' && path === '/reg' ? { kind: 'hold_answer' } : undefined
      const approve = await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`) // the gate's timeout ends it
      proxy.fault = undefined
      proxy.release()
      assert.equal(approve.status, 504, JSON.stringify(approve.body))
      assert.match(approve.body.errors[0], /outcome is unknown \(correlation tag portal:\d+:\d+:[0-9a-f]+\)/)
      const created = (await idpClients()).filter((id) => !clientsBefore.includes(id))
      assert.equal(created.length, 1, 'the IdP did create the client')
      const request = (await h.call('GET', `/portal-api/access_requests/${requestId}`)).body
      assert.equal(request.Status, 'pending')
      assert.match(request.LastError, /outcome is unknown/)

      const operations = (await h.call('GET', '/portal-api/idp-operations')).body
      const unknown = operations.Registrations.find((r: { State: string; CorrelationTag: string }) => r.State === 'unknown' && r.CorrelationTag.startsWith(`portal:${appId}:`))
      assert.ok(unknown, JSON.stringify(operations))

      const again = await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)
      assert.equal(again.status, 409)
      assert.match(again.body.errors[0], new RegExp(`unknown outcome: look for a client named "… \\[${unknown.CorrelationTag}\\]"`))
      assert.equal(registrationPosts(), postsBefore + 1, 'no second registration was sent')

      // The operator deletes the client at the IdP (here: through its storage) and resolves the operation.
      await h.database.db.deleteFrom('idp_models').where('model', '=', 'Client').where('client_id', '=', created[0]!).execute()
      assert.equal((await h.call('DELETE', `/portal-api/idp-operations/registrations/${unknown.ID}`)).status, 200)
      assert.equal((await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)).status, 200)
      assert.equal((await h.call('DELETE', `/portal-api/idp-operations/registrations/${unknown.ID}`)).status, 404)
    })

    it('a replaced client that the IdP cannot delete now is retried by the reconciler, honouring Retry-After', async () => {
      const { appId, requestId } = await pendingRequest()
      assert.equal((await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)).status, 200)
      const old = await credentialOf(appId, requestId)
      proxy.fault = (method) => method === 'DELETE' ? { kind: 'answer', status: 503, headers: { 'retry-after': '120' }, body: { error: 'temporarily_unavailable' } } : undefined
      const rotated = await h.call('PUT', `/portal-api/apps/${appId}/access-requests/${requestId}/credentials/${old.ID}/rotate`)
      assert.equal(rotated.status, 200, 'the consumer gets the new client whatever happens to the old one')
      assert.ok((await idpClients()).includes(old.OAuthClientID), 'the old client is still at the IdP')
      let deletion = (await h.call('GET', '/portal-api/idp-operations')).body.Deletions.find((d: { ClientID: string }) => d.ClientID === old.OAuthClientID)
      assert.ok(deletion)
      assert.match(deletion.Reason, /replaced by client/)

      // Still failing, with Retry-After: 120 s → the next attempt waits that long.
      assert.deepEqual(await h.app.reconciler.runOnce(), { staleRegistrations: 0, deleted: 0, rescheduled: 1 })
      deletion = (await h.call('GET', '/portal-api/idp-operations')).body.Deletions.find((d: { ClientID: string }) => d.ClientID === old.OAuthClientID)
      assert.equal(deletion.Attempts, 1)
      assert.equal(deletion.NextAttemptAt, '2026-11-27 10:02')
      proxy.fault = undefined
      assert.deepEqual(await h.app.reconciler.runOnce(), { staleRegistrations: 0, deleted: 0, rescheduled: 0 }, 'not due yet')
      h.clock.advance(121_000)
      assert.deepEqual(await h.app.reconciler.runOnce(), { staleRegistrations: 0, deleted: 1, rescheduled: 0 })
      assert.equal((await idpClients()).includes(old.OAuthClientID), false, 'deleted at the IdP')
      assert.equal((await h.call('GET', '/portal-api/idp-operations')).body.Deletions.some((d: { ClientID: string }) => d.ClientID === old.OAuthClientID), false)
    })

    it('a registration access token lost after a rotating call marks the client unmanageable, once, and never loops', async () => {
      const { appId, requestId } = await pendingRequest()
      assert.equal((await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)).status, 200)
      const credential = await credentialOf(appId, requestId)
      // The IdP rotates the token on this read (as Keycloak does), and the answer is lost to the portal.
      const row = await h.database.db.selectFrom('oauth_clients').selectAll().where('client_id', '=', credential.OAuthClientID).executeTakeFirstOrThrow()
      const token = openColumn(TEST_SECRET_BOX, CLIENT_REGISTRATION_TOKEN, row.id, row.registration_access_token)
      assert.equal((await fetch(row.registration_client_uri!, { headers: { authorization: `Bearer ${token}` } })).status, 200)

      // A second approval needs an update of that client: refused with a clear message, client marked.
      const product = await h.call('POST', '/portal-api/products', { Name: 'lost token product', DCREnabled: true, Scopes: 'lost-token' })
      await h.call('POST', `/portal-api/products/${product.body.ID}/client_types`, { ID: m2m })
      const plan = await h.call('POST', '/portal-api/plans', { Name: 'lost token plan', ProviderID: 1 })
      const second = await h.call('PUT', `/portal-api/apps/${appId}/provision`, { PlanID: plan.body.ID, ProductIDs: [product.body.ID], DCRTemplateID: m2m })
      const refused = await h.call('PUT', `/portal-api/access_requests/${second.body.ID}/approve`)
      assert.equal(refused.status, 409)
      assert.match(refused.body.errors[0], /refused the registration access token of client .* can no longer update or delete it/)
      const marked = await credentialOf(appId, requestId)
      assert.equal(marked.State, 'unmanageable')
      assert.match(marked.LastError, /delete it at the IdP by hand/)
      const putsBefore = proxy.requests.filter((r) => r.startsWith('PUT /reg')).length
      assert.equal((await h.call('PUT', `/portal-api/access_requests/${second.body.ID}/approve`)).status, 409)
      assert.equal(proxy.requests.filter((r) => r.startsWith('PUT /reg')).length, putsBefore, 'no second attempt with the dead token')

      // Deleting it here works, and leaves the operator a note to delete it at the IdP.
      assert.equal((await h.call('DELETE', `/portal-api/apps/${appId}`)).status, 200)
      const note = (await h.call('GET', '/portal-api/idp-operations')).body.Deletions.find((d: { ClientID: string }) => d.ClientID === credential.OAuthClientID)
      assert.equal(note?.NextAttemptAt, '', 'by hand, not retried')
      assert.equal((await h.app.reconciler.runOnce())?.deleted, 0)
    })

    it('the reconciler turns intents left in flight by a dead process into unknown ones', async () => {
      const old = new Date(h.clock.now.getTime() - 10 * 60_000).toISOString()
      await h.database.db.insertInto('idp_registrations').values({ provider_id: 1, app_id: 999, client_type_id: m2m, correlation_tag: 'portal:999:1:dead', state: 'in_flight', last_error: null, created_at: old, updated_at: old }).execute()
      const report = await h.app.reconciler.runOnce()
      assert.equal(report?.staleRegistrations, 1)
      const row = (await h.call('GET', '/portal-api/idp-operations')).body.Registrations.find((r: { CorrelationTag: string }) => r.CorrelationTag === 'portal:999:1:dead')
      assert.equal(row.State, 'unknown')
      assert.match(row.LastError, /stopped while this registration was in flight/)
    })
  })
}
