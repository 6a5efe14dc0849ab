import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { TEST_SECRET_BOX, type Harness } from '../helpers/app.ts'
import type { FaultProxy } from '../helpers/fault-proxy.ts'
import { startProxied, type Proxied } from '../helpers/proxied.ts'
import { CLIENT_REGISTRATION_TOKEN, DELETION_REGISTRATION_TOKEN, openColumn, sealColumn } from '../../src/shared/sealed-columns.ts'

// Issue 11 items 2, 4, 5 and 10: every IdP call that creates or removes a client is recorded before it is
// sent, and the calls for one client are serialised and re-read their rows. The embedded IdP sits behind a
// fault proxy that holds its answers until the test lets them go: the interleavings are forced, not timed.
for (const dialect of dialects) {
  describe(`IdP calls recorded before they are sent, on ${dialect.name}`, { skip: dialect.skip }, () => {
    let proxied: Proxied
    let h: Harness
    let proxy: FaultProxy
    let m2m: number
    let counter = 0
    before(async () => {
      proxied = await startProxied(dialect, 5_000)
      ;({ h, proxy, machineType: m2m } = proxied)
    })
    after(async () => { await proxied.close() })

    /** The clients the embedded IdP holds. */
    const idpClients = async () => await proxied.idpClients()
    const tombstones = async () => await h.database.db.selectFrom('idp_deletions').selectAll().execute()
    /** Every client at the IdP is held by a credential or listed for an operator; every held client exists there. */
    const assertNothingUntracked = async () => {
      const atIdp = await idpClients()
      const held = (await h.database.db.selectFrom('oauth_clients').select('client_id').execute()).map((r) => r.client_id)
      const listed = (await tombstones()).map((r) => r.client_id)
      assert.deepEqual(atIdp.filter((id) => !held.includes(id) && !listed.includes(id)), [], 'no client at the IdP is neither held nor listed')
      assert.deepEqual(held.filter((id) => !atIdp.includes(id)), [], 'no held client is unknown to the IdP')
    }
    /** An approved access request of a new app, and its credential. */
    const approved = async () => {
      const { appId, requestId } = await proxied.pendingRequest('recorded')
      assert.equal((await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)).status, 200)
      const credential = (await h.call('GET', `/portal-api/apps/${appId}/access-requests/${requestId}/credentials`)).body[0]
      return { appId, requestId, credential, url: `/portal-api/apps/${appId}/access-requests/${requestId}/credentials/${credential.ID}` }
    }
    /** Holds the IdP's answers to `method` on paths under `pathPrefix` until the returned release() is called. */
    const holdAnswers = (method: string, pathPrefix: string) => {
      let release!: () => void
      const released = new Promise<void>((resolve) => { release = resolve })
      proxy.fault = (m, path) => m === method && path.startsWith(pathPrefix) ? { kind: 'hold_until', release: released } : undefined
      return () => { proxy.fault = undefined; release() }
    }
    /** Sends `send()` with the IdP's answers to `method pathPrefix…` held; resolves once its call has reached the IdP. */
    const whileHeld = async <T>(method: string, pathPrefix: string, send: () => Promise<T>) => {
      const release = holdAnswers(method, pathPrefix)
      const arrived = proxy.arrival(method, pathPrefix)
      const answer = send()
      await arrived
      return { answer, release }
    }

    it('writes the old client\'s tombstone before rotation sends its DELETE, and drops it once the IdP confirms (item 2)', async () => {
      const { credential, url } = await approved()
      const { answer: rotation, release } = await whileHeld('DELETE', '/reg/', async () => await h.call('PUT', `${url}/rotate`))
      // The DELETE has reached the IdP and its answer is held: a crash now must leave a record.
      const during = await tombstones()
      assert.deepEqual(during.map((row) => [row.client_id, row.lease_key === null]), [[credential.OAuthClientID, false]], 'recorded as in flight under the client\'s lease')
      release()
      assert.equal((await rotation).status, 200)
      assert.deepEqual(await tombstones(), [], 'forgotten once the IdP confirmed')
      await assertNothingUntracked()
    })

    it('writes a tombstone before deleting a credential\'s last client, and drops it with the rows (item 2)', async () => {
      const { credential, url } = await approved()
      const { answer: deletion, release } = await whileHeld('DELETE', '/reg/', async () => await h.call('DELETE', url))
      assert.deepEqual((await tombstones()).map((row) => row.client_id), [credential.OAuthClientID])
      release()
      assert.equal((await deletion).status, 200)
      assert.deepEqual(await tombstones(), [])
      await assertNothingUntracked()
    })

    it('finishes a deletion whose sender died: the reconciler deletes the client at the IdP and the rows that held it (item 2)', async () => {
      const { credential, url } = await approved()
      // What a process killed during the DELETE leaves: the tombstone under a lease nobody holds, the rows.
      const row = await h.database.db.selectFrom('oauth_clients').selectAll().where('client_id', '=', credential.OAuthClientID).executeTakeFirstOrThrow()
      const tombstone = await h.database.db.insertInto('idp_deletions').values({
        provider_id: row.provider_id, client_id: credential.OAuthClientID, registration_access_token: null, registration_client_uri: row.registration_client_uri,
        reason: 'deleted here with its credentials', next_attempt_at: '9999-01-01T00:00:00.000Z', last_error: null,
        created_at: h.clock.now.toISOString(), lease_key: `oauth-client:${row.app_id}:${row.client_type_id}`
      }).returning('id').executeTakeFirstOrThrow()
      const token = openColumn(TEST_SECRET_BOX, CLIENT_REGISTRATION_TOKEN, row.id, row.registration_access_token)
      await h.database.db.updateTable('idp_deletions').set({ registration_access_token: sealColumn(TEST_SECRET_BOX, DELETION_REGISTRATION_TOKEN, tombstone.id, token) })
        .where('id', '=', tombstone.id).execute()
      const report = await h.app.reconciler.runOnce()
      assert.equal(report?.deleted, 1, JSON.stringify(report))
      assert.equal((await idpClients()).includes(credential.OAuthClientID), false, 'deleted at the IdP')
      assert.equal((await h.call('GET', url)).status, 404, 'the credential that held it is gone')
      assert.deepEqual(await tombstones(), [])
      await assertNothingUntracked()
    })

    it('leaves a tombstone whose sender still holds the lease to its sender', async () => {
      const { credential, url } = await approved()
      const { answer: deletion, release } = await whileHeld('DELETE', '/reg/', async () => await h.call('DELETE', url))
      assert.deepEqual(await h.app.reconciler.runOnce(), { staleRegistrations: 0, deleted: 0, rescheduled: 0 })
      assert.deepEqual((await tombstones()).map((row) => row.client_id), [credential.OAuthClientID])
      release()
      assert.equal((await deletion).status, 200)
      await assertNothingUntracked()
    })

    it('refuses a registration while an intent of a dead process is in flight, however recent (item 5)', async () => {
      const { appId, requestId } = await proxied.pendingRequest('recorded')
      // A process died a moment ago while its registration for this app and client type was in flight.
      const now = h.clock.now.toISOString()
      const tag = `portal:${appId}:${m2m}:dead0000`
      await h.database.db.insertInto('idp_registrations').values({ provider_id: 1, app_id: appId, client_type_id: m2m, correlation_tag: tag, state: 'in_flight', last_error: null, created_at: now, updated_at: now }).execute()
      const posts = proxy.requests.filter((r) => r === 'POST /reg').length
      const refused = await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)
      assert.equal(refused.status, 409, JSON.stringify(refused.body))
      assert.match(refused.body.errors[0], new RegExp(`unknown outcome: look for a client named "… \\[${tag}\\]"`))
      assert.equal(proxy.requests.filter((r) => r === 'POST /reg').length, posts, 'no second registration was sent')
      const listed = (await h.call('GET', '/portal-api/idp-operations')).body.Registrations.find((r: { CorrelationTag: string }) => r.CorrelationTag === tag)
      assert.equal(listed.State, 'unknown', 'now resolvable by an operator')
      assert.equal((await h.call('DELETE', `/portal-api/idp-operations/registrations/${listed.ID}`)).status, 200)
      assert.equal((await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)).status, 200)
    })

    it('the reconciler marks an intent in flight with its lease free as unknown at once (item 5)', async () => {
      const now = h.clock.now.toISOString()
      await h.database.db.insertInto('idp_registrations').values({ provider_id: 1, app_id: 4242, client_type_id: m2m, correlation_tag: 'portal:4242:1:fresh', state: 'in_flight', last_error: null, created_at: now, updated_at: now }).execute()
      assert.equal((await h.app.reconciler.runOnce())?.staleRegistrations, 1)
      const row = await h.database.db.selectFrom('idp_registrations').select('state').where('correlation_tag', '=', 'portal:4242:1:fresh').executeTakeFirstOrThrow()
      assert.equal(row.state, 'unknown')
      await h.database.db.deleteFrom('idp_registrations').where('correlation_tag', '=', 'portal:4242:1:fresh').execute()
    })

    for (const first of ['rotate', 'delete'] as const) {
      it(`serialises a ${first} and the other operation on one credential, fired at once: the loser gets a clear 404, no client is lost (item 4)`, async () => {
        const { credential, url } = await approved()
        // The first operation holds the client's lease while the IdP's answer to its call is held.
        const [method, path] = first === 'rotate' ? ['POST', '/reg'] : ['DELETE', '/reg/']
        const rotate = async () => await h.call('PUT', `${url}/rotate`)
        const remove = async () => await h.call('DELETE', url)
        const { answer: winner, release } = await whileHeld(method, path, first === 'rotate' ? rotate : remove)
        const loser = first === 'rotate' ? remove() : rotate()
        release()
        const [won, lost] = await Promise.all([winner, loser])
        assert.equal(won.status, 200, JSON.stringify(won.body))
        if (first === 'rotate') {
          // The delete re-read the credential under the lease and deleted the replacement, not the old client.
          assert.equal(lost.status, 200, JSON.stringify(lost.body))
          assert.equal((await idpClients()).includes(won.body.OAuthClientID ?? ''), false)
        } else {
          assert.equal(lost.status, 404, JSON.stringify(lost.body))
          assert.match(lost.body.errors[0], new RegExp(`Credential Not found: credential_id "?${credential.ID}"?`))
        }
        assert.equal((await h.call('GET', url)).status, 404)
        assert.deepEqual(await tombstones(), [])
        await assertNothingUntracked()
      })
    }

    it('lists a canary whose registration answer cannot be read, and one whose deletion fails (item 10)', async () => {
      proxy.fault = (method, path) => method === 'POST' && path === '/reg' ? { kind: 'answer', status: 201 } : undefined // an empty, unreadable 201
      const lost = await h.call('POST', '/portal-api/oauth-providers/1/verify?canary=true')
      proxy.fault = undefined
      const register = lost.body.Findings.find((f: { Check: string }) => f.Check === 'canary_register')
      assert.equal(register.Status, 'error')
      const tag = /correlation tag (canary-[0-9a-f]+)/.exec(register.Message)?.[1]
      assert.ok(tag, register.Message)
      const operations = (await h.call('GET', '/portal-api/idp-operations')).body
      assert.deepEqual(operations.Registrations.filter((r: { CorrelationTag: string }) => r.CorrelationTag === tag).map((r: { State: string; AppID: number }) => [r.State, r.AppID]), [['unknown', 0]])

      proxy.fault = (method, path) => method === 'DELETE' && path.startsWith('/reg/') ? { kind: 'answer', status: 503, body: { error: 'temporarily_unavailable' } } : undefined
      const undeleted = await h.call('POST', '/portal-api/oauth-providers/1/verify?canary=true')
      proxy.fault = undefined
      const deletion = undeleted.body.Findings.find((f: { Check: string }) => f.Check === 'canary_delete')
      assert.equal(deletion.Status, 'error')
      const clientId = /throw-away client (\S+) yet/.exec(deletion.Message)?.[1]
      assert.ok(clientId, deletion.Message)
      const listed = (await h.call('GET', '/portal-api/idp-operations')).body.Deletions.find((d: { ClientID: string }) => d.ClientID === clientId)
      assert.equal(listed?.Reason, 'verification canary')
      assert.equal((await h.database.db.selectFrom('idp_registrations').select('id').where('app_id', '=', 0).where('state', '=', 'in_flight').execute()).length, 0, 'its intent is gone, the tombstone stays')
      // The reconciler finishes it once the IdP is back.
      h.clock.advance(10_000)
      assert.equal((await h.app.reconciler.runOnce())?.deleted, 1)
      assert.equal((await idpClients()).includes(clientId), false)
      for (const r of operations.Registrations.filter((r: { CorrelationTag: string }) => r.CorrelationTag === tag)) await h.call('DELETE', `/portal-api/idp-operations/registrations/${r.ID}`)
    })

    it('a failed auto-approval answers 422 naming its pending access request; the same provision retries that request (item 10)', async () => {
      counter++
      const product = await h.call('POST', '/portal-api/products', { Name: `records product ${counter}`, DCREnabled: true, Scopes: `records-${counter}` })
      await h.call('POST', `/portal-api/products/${product.body.ID}/client_types`, { ID: m2m })
      const plan = await h.call('POST', '/portal-api/plans', { Name: `records plan ${counter}`, ProviderID: 1, AutoApproveAccessRequests: true })
      const app = await h.call('POST', '/portal-api/apps', { Name: `records app ${counter}` })
      const provision = { PlanID: plan.body.ID, ProductIDs: [product.body.ID], DCRTemplateID: m2m }
      proxy.fault = (method, path) => method === 'POST' && path === '/reg' ? { kind: 'answer', status: 400, body: { error: 'invalid_client_metadata', error_description: 'policy' } } : undefined
      const refused = await h.call('PUT', `/portal-api/apps/${app.body.ID}/provision`, provision)
      const again = await h.call('PUT', `/portal-api/apps/${app.body.ID}/provision`, provision)
      proxy.fault = undefined
      assert.equal(refused.status, 422, JSON.stringify(refused.body))
      const id = Number(/access request (\d+) stays pending/.exec(refused.body.errors[0])?.[1])
      assert.ok(id > 0, refused.body.errors[0])
      assert.equal((await h.call('GET', `/portal-api/access_requests/${id}`)).body.Status, 'pending')
      assert.equal(again.status, 422)
      assert.match(again.body.errors[0], new RegExp(`access request ${id} stays pending`), 'the retry names the same request')
      const retried = await h.call('PUT', `/portal-api/apps/${app.body.ID}/provision`, provision)
      assert.equal(retried.status, 200, JSON.stringify(retried.body))
      assert.equal(retried.body.ID, id)
      const requests = (await h.call('GET', `/portal-api/apps/${app.body.ID}/access-requests`)).body
      assert.deepEqual(requests.map((r: { ID: number; Status: string }) => [r.ID, r.Status]), [[id, 'approved']], 'one request, no pending duplicates')
    })

    it('20 parallel deletes of one credential: one succeeds, the others answer 404, none says "unmanageable" (item 10)', async () => {
      const { url } = await approved()
      const answers = await Promise.all(Array.from({ length: 20 }, async () => await h.call('DELETE', url)))
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, ...Array<number>(19).fill(404)])
      for (const answer of answers.filter((a) => a.status !== 200)) assert.match(answer.body.errors[0], /Credential Not found/)
      assert.deepEqual(await tombstones(), [])
      await assertNothingUntracked()
    })
  })
}
