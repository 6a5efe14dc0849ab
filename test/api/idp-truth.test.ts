import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness } from '../helpers/app.ts'
import { clientCredentialsToken, startTestIdp, type TestIdp } from '../helpers/test-idp.ts'

// Issue 10 item 4 and its "Done when": no answer claims a deletion at an IdP that did not happen. Against an
// IdP that registers but offers no RFC 7592 management (no registration_client_uri): rotate, delete a
// credential, delete an app, delete the provider with force=true; each leaves an operator item instead.
for (const dialect of dialects) {
  describe(`answers about an IdP without client management on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let idp: TestIdp
    let providerId: number
    let machineType: number
    let counter = 0
    before(async () => {
      h = await startHarness(dialect)
      const scopes = Array.from({ length: 8 }, (_, i) => [`truth-api-${i + 1}`, `truth-plan-${i + 1}`]).flat()
      idp = await startTestIdp({ profile: 'register-only', scopes: ['openid', ...scopes] })
      const provider = await h.call('POST', '/portal-api/oauth-providers', {
        Name: 'Register-only IdP', Type: 'Other', WellKnownURL: idp.wellKnownUrl, RegistrationAccessToken: idp.initialAccessToken
      })
      assert.equal(provider.status, 200, JSON.stringify(provider.body))
      providerId = provider.body.ID
      const clientType = await h.call('POST', `/portal-api/oauth-providers/${providerId}/client-types`, {
        Name: 'Service', ResponseTypes: 'token', GrantType: 'client_credentials', TokenEndpointAuthMethod: 'client_secret_basic'
      })
      assert.equal(clientType.status, 200, JSON.stringify(clientType.body))
      machineType = clientType.body.ID
    })
    after(async () => {
      try {
        await h.close()
      } finally {
        await idp.close()
      }
    })

    /** A new app with an approved access request for the machine type; its one credential. */
    const approvedCredential = async () => {
      counter++
      const product = await h.call('POST', '/portal-api/products', { Name: `truth product ${counter}`, DCREnabled: true, Scopes: `truth-api-${counter}` })
      assert.equal(product.status, 201, JSON.stringify(product.body))
      assert.equal((await h.call('POST', `/portal-api/products/${product.body.ID}/client_types`, { ID: machineType })).status, 201)
      const plan = await h.call('POST', '/portal-api/plans', { Name: `truth plan ${counter}`, ProviderID: providerId, JWTScope: `truth-plan-${counter}` })
      assert.equal(plan.status, 200, JSON.stringify(plan.body))
      const app = await h.call('POST', '/portal-api/apps', { Name: `truth app ${counter}` })
      const provisioned = await h.call('PUT', `/portal-api/apps/${app.body.ID}/provision`, { PlanID: plan.body.ID, ProductIDs: [product.body.ID], DCRTemplateID: machineType })
      assert.equal(provisioned.status, 200, JSON.stringify(provisioned.body))
      const approved = await h.call('PUT', `/portal-api/access_requests/${provisioned.body.ID}/approve`)
      assert.equal(approved.status, 200, JSON.stringify(approved.body))
      const path = `/portal-api/apps/${app.body.ID}/access-requests/${provisioned.body.ID}/credentials`
      const [credential] = (await h.call('GET', path)).body
      assert.equal(credential.DCRRegistrationClientURI, '', 'the IdP offered no management for it')
      return { appId: app.body.ID as number, path, credential, scope: `truth-api-${counter}` }
    }
    /** The operator's item for a client, if any. */
    const operatorItem = async (clientId: string) =>
      (await h.call('GET', '/portal-api/idp-operations')).body.Deletions.find((d: { ClientID: string }) => d.ClientID === clientId)
    /** The client is left for an operator: still at the IdP, listed by hand (never retried). */
    const assertLeftForOperator = async (clientId: string, secret: string, scope: string) => {
      assert.ok(await idp.hasClient(clientId), 'the client is still at the IdP')
      await clientCredentialsToken(idp, clientId, secret, scope) // and still gets tokens
      const item = await operatorItem(clientId)
      assert.ok(item, `client ${clientId} is listed for an operator`)
      assert.equal(item.NextAttemptAt, '', 'by hand: not retried')
      assert.match(item.LastError, new RegExp(`offers no client management.*delete client ${clientId} at the IdP by hand`))
    }

    it('records what was asked beside what the IdP registered', async () => {
      const { credential } = await approvedCredential()
      assert.equal(credential.RequestedScope, `truth-api-${counter} truth-plan-${counter}`)
      assert.equal(credential.RequestedGrantType, 'client_credentials')
      assert.equal(credential.SecretChangedAt, '')
    })

    it('rotation by replacement says the old client stays active until someone removes it, and lists it', async () => {
      const { path, credential: old, scope } = await approvedCredential()
      const rotated = await h.call('PUT', `${path}/${old.ID}/rotate`)
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body))
      assert.match(rotated.body.message, new RegExp(`client ${old.OAuthClientID} stays active at the IdP until someone deletes it there by hand`))
      assert.doesNotMatch(rotated.body.message, /is deleted/)
      const current = (await h.call('GET', `${path}/${old.ID}`)).body
      await clientCredentialsToken(idp, current.OAuthClientID, current.OAuthClientSecret, scope)
      await assertLeftForOperator(old.OAuthClientID, old.OAuthClientSecret, scope)
      assert.deepEqual(await h.app.reconciler.runOnce(), { staleRegistrations: 0, deleted: 0, rescheduled: 0 }, 'nothing to retry')
    })

    it('deleting a credential succeeds and leaves "delete client X at the IdP by hand"', async () => {
      const { path, credential, scope } = await approvedCredential()
      const deleted = await h.call('DELETE', `${path}/${credential.ID}`)
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body))
      assert.match(deleted.body.message, new RegExp(`client ${credential.OAuthClientID} stays active at the IdP`))
      assert.equal((await h.call('GET', path)).body.length, 0)
      await assertLeftForOperator(credential.OAuthClientID, credential.OAuthClientSecret, scope)
    })

    it('deleting an app succeeds and leaves its client for an operator', async () => {
      const { appId, credential, scope } = await approvedCredential()
      const deleted = await h.call('DELETE', `/portal-api/apps/${appId}`)
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body))
      await assertLeftForOperator(credential.OAuthClientID, credential.OAuthClientSecret, scope)
    })

    it('the reconciler stops retrying a deletion that no call can make, and shows it instead', async () => {
      const now = h.clock.now.toISOString()
      await h.database.db.insertInto('idp_deletions').values({
        provider_id: providerId, client_id: 'left-over', registration_access_token: null, registration_client_uri: null,
        reason: 'recorded before issue 10', next_attempt_at: now, last_error: null, created_at: now
      }).execute()
      assert.deepEqual(await h.app.reconciler.runOnce(), { staleRegistrations: 0, deleted: 0, rescheduled: 1 })
      const item = await operatorItem('left-over')
      assert.equal(item.NextAttemptAt, '')
      assert.match(item.LastError, /no registration_client_uri .* delete client left-over at the IdP by hand/)
      h.clock.advance(24 * 60 * 60_000)
      assert.deepEqual(await h.app.reconciler.runOnce(), { staleRegistrations: 0, deleted: 0, rescheduled: 0 }, 'never retried')
    })

    // Last: it takes the provider away.
    it('deleting the provider with force=true succeeds and leaves its clients for an operator', async () => {
      const { credential, scope } = await approvedCredential()
      const deleted = await h.call('DELETE', `/portal-api/oauth-providers/${providerId}?force=true`)
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body))
      await assertLeftForOperator(credential.OAuthClientID, credential.OAuthClientSecret, scope)
    })
  })
}
