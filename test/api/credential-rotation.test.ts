import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ProviderType } from '../../src/dcr/index.ts'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness, TEST_SECRET_BOX } from '../helpers/app.ts'
import { CLIENT_REGISTRATION_TOKEN, openColumn } from '../../src/shared/sealed-columns.ts'
import { clientCredentialsToken, startTestIdp, type TestIdp, type TestIdpProfile } from '../helpers/test-idp.ts'

// Issue 4, "Rotate on each driver profile from the DCR engine tests (in place and by replacement)",
// through HTTP only: provider → client type → product → plan → app → provision → approve → rotate.
const PROFILES: ReadonlyArray<{ profile: TestIdpProfile; type: ProviderType; mode: 'in place' | 'replaced' }> = [
  { profile: 'rfc', type: 'Other', mode: 'replaced' },
  { profile: 'keycloak', type: 'Keycloak', mode: 'replaced' },
  { profile: 'okta', type: 'Okta', mode: 'in place' },
  { profile: 'gluu', type: 'Gluu', mode: 'replaced' }
]

for (const dialect of dialects) {
  describe(`credential rotation on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    const idps: TestIdp[] = []
    before(async () => { h = await startHarness(dialect) })
    after(async () => {
      try {
        await h.close()
      } finally {
        for (const idp of idps) await idp.close()
      }
    })

    /** Every registration access token the portal ever stored for this provider's clients. */
    const storedTokens = async (providerId: number): Promise<string[]> => {
      const rows = await h.database.db.selectFrom('oauth_clients').select(['id', 'registration_access_token']).where('provider_id', '=', providerId).execute()
      return rows.map((row) => openColumn(TEST_SECRET_BOX, CLIENT_REGISTRATION_TOKEN, row.id, row.registration_access_token)).filter((token): token is string => token !== null && token !== '')
    }
    const tokenFails = async (idp: TestIdp, clientId: string, secret: string, scope: string, why: string) => {
      await assert.rejects(clientCredentialsToken(idp, clientId, secret, scope), why)
    }

    for (const { profile, type, mode } of PROFILES) {
      it(`rotates a ${type} client (${profile} profile) ${mode}: the new secret works, the old one does not`, async () => {
        const productScope = `rot-${profile}-api`
        const planScope = `rot-${profile}-plan`
        const scope = `${productScope} ${planScope}`
        const idp = await startTestIdp({ profile, scopes: ['openid', productScope, planScope] })
        idps.push(idp)
        const secrets = new Set<string>([idp.initialAccessToken])

        const provider = await h.call('POST', '/portal-api/oauth-providers', {
          Name: `Rotation ${profile}`, Type: type, WellKnownURL: idp.wellKnownUrl, RegistrationAccessToken: idp.initialAccessToken
        })
        assert.equal(provider.status, 200, JSON.stringify(provider.body))
        const providerId = provider.body.ID as number
        const clientType = await h.call('POST', `/portal-api/oauth-providers/${providerId}/client-types`, {
          Name: 'Service', ResponseTypes: 'token', GrantType: 'client_credentials', TokenEndpointAuthMethod: 'client_secret_basic',
          ...(profile === 'okta' ? { OktaAppType: 'service' } : {})
        })
        assert.equal(clientType.status, 200, JSON.stringify(clientType.body))
        const typeId = clientType.body.ID as number
        const product = await h.call('POST', '/portal-api/products', { Name: `rotation_${profile}`, DCREnabled: true, Scopes: productScope })
        assert.equal(product.status, 201, JSON.stringify(product.body))
        assert.equal((await h.call('POST', `/portal-api/products/${product.body.ID}/client_types`, { ID: typeId })).status, 201)
        const plan = await h.call('POST', '/portal-api/plans', { Name: `rotation_${profile}_plan`, ProviderID: 1, JWTScope: planScope })
        assert.equal(plan.status, 200, JSON.stringify(plan.body))
        const app = await h.call('POST', '/portal-api/apps', { Name: `Rotation ${profile} app` })
        assert.equal(app.status, 200, JSON.stringify(app.body))
        const appId = app.body.ID as number

        const provisioned = await h.call('PUT', `/portal-api/apps/${appId}/provision`, { PlanID: plan.body.ID, ProductIDs: [product.body.ID], DCRTemplateID: typeId })
        assert.equal(provisioned.status, 200, JSON.stringify(provisioned.body))
        const requestId = provisioned.body.ID as number
        const approved = await h.call('PUT', `/portal-api/access_requests/${requestId}/approve`)
        assert.equal(approved.status, 200, JSON.stringify(approved.body))
        for (const token of await storedTokens(providerId)) secrets.add(token)

        const credentials = `/portal-api/apps/${appId}/access-requests/${requestId}/credentials`
        const listed = await h.call('GET', credentials)
        assert.equal(listed.status, 200)
        assert.equal(listed.body.length, 1)
        const before = listed.body[0]
        assert.deepEqual(before.Scope.split(' ').sort(), [productScope, planScope].sort())
        assert.ok(before.OAuthClientSecret !== '', 'a confidential client has a secret')
        assert.equal(await idp.hasClient(before.OAuthClientID), true)
        const first = await clientCredentialsToken(idp, before.OAuthClientID, before.OAuthClientSecret, scope)
        assert.equal(typeof first.access_token, 'string')

        const rotated = await h.call('PUT', `${credentials}/${before.ID}/rotate`)
        assert.equal(rotated.status, 200, JSON.stringify(rotated.body))
        assert.equal(rotated.body.status, 'ok')
        assert.match(rotated.body.message, mode === 'in place' ? /in place/ : /replaced/)
        for (const token of await storedTokens(providerId)) secrets.add(token)

        const shown = await h.call('GET', `${credentials}/${before.ID}`)
        assert.equal(shown.status, 200, JSON.stringify(shown.body))
        const after = shown.body
        assert.notEqual(after.OAuthClientSecret, before.OAuthClientSecret, 'a new secret')
        assert.ok(after.OAuthClientSecret !== '')
        assert.deepEqual(after.Scope.split(' ').sort(), [productScope, planScope].sort(), 'the scopes are kept')
        if (mode === 'in place') {
          assert.equal(after.OAuthClientID, before.OAuthClientID, 'the same client')
          assert.match(rotated.body.message, new RegExp(escape(before.OAuthClientID)))
        } else {
          assert.notEqual(after.OAuthClientID, before.OAuthClientID, 'a replacement client')
          assert.match(rotated.body.message, new RegExp(`${escape(before.OAuthClientID)}.*${escape(after.OAuthClientID)}`))
          assert.equal(await idp.hasClient(before.OAuthClientID), false, 'the replaced client is gone at the IdP')
        }
        assert.equal(await idp.hasClient(after.OAuthClientID), true)
        const fresh = await clientCredentialsToken(idp, after.OAuthClientID, after.OAuthClientSecret, scope)
        assert.equal(typeof fresh.access_token, 'string')
        assert.deepEqual(fresh.scope?.split(' ').sort(), [productScope, planScope].sort())
        await tokenFails(idp, before.OAuthClientID, before.OAuthClientSecret, scope, 'the old secret no longer obtains a token')
        if (mode === 'replaced') await tokenFails(idp, before.OAuthClientID, after.OAuthClientSecret, scope, 'nor does the old client id with the new secret')

        // The access request and app views show the rotated credential too.
        const request = await h.call('GET', `/portal-api/access_requests/${requestId}`)
        assert.equal(request.body.Status, 'approved')
        assert.equal(request.body.Credentials[0].OAuthClientID, after.OAuthClientID)
        assert.equal((await h.call('GET', `/portal-api/apps/${appId}`)).status, 200)

        // Delete it all: nothing is left at the IdP, and no stale registration access token was ever presented.
        assert.equal((await h.call('DELETE', `/portal-api/access_requests/${requestId}`)).status, 200)
        assert.equal(await idp.hasClient(after.OAuthClientID), false)
        assert.equal(idp.staleTokenPresentations(), 0, 'the newest registration access token was always presented')

        const mine = h.responses.filter((response) => response.url.startsWith(credentials) || response.url.startsWith(`/portal-api/access_requests/${requestId}`))
        const shownCredentials = mine.flatMap((response) => {
          const body = response.body as any
          if (Array.isArray(body)) return body
          if (body?.Credentials !== undefined) return body.Credentials
          return body?.OAuthClientID !== undefined ? [body] : []
        })
        assert.ok(shownCredentials.length >= 3)
        for (const credential of shownCredentials) {
          assert.ok(['', '[redacted]'].includes(credential.DCRRegistrationAccessToken), `DCRRegistrationAccessToken ${JSON.stringify(credential.DCRRegistrationAccessToken)}`)
          const response = JSON.parse(credential.DCRResponse)
          assert.equal('registration_access_token' in response || 'client_secret' in response, false, 'secrets removed from DCRResponse')
        }
        if (profile !== 'okta') assert.ok(secrets.size >= 2, 'the RFC 7592 profiles hand out registration access tokens')
        const bodies = h.responses.map((response) => JSON.stringify(response.body ?? '')).join('\n')
        const logs = h.logs.join('')
        for (const secret of secrets) {
          assert.equal(bodies.includes(secret), false, `a registration/initial access token appears in a response body (${profile})`)
          assert.equal(logs.includes(secret), false, `a registration/initial access token appears in the logs (${profile})`)
        }
      })
    }
  })
}

function escape (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
