// Every driver against a real oidc-provider in the profile of its IdP: register → read → update →
// delete, the newest registration access token always the one presented, and working credentials.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AppError } from '../../src/errors.ts'
import { DcrEngine, IdpError, type ClientCredentials, type ClientRequest, type ClientTemplate, type ManagedClient, type ProviderConnection, type ProviderType } from '../../src/dcr/index.ts'
import { clientCredentialsToken, GLUU_CLIENT_LIFETIME, startTestIdp, TRUSTED_HOSTS_REJECTION, UNTRUSTED_HOST, type TestIdp, type TestIdpProfile } from '../helpers/test-idp.ts'

const M2M: ClientTemplate = { grantTypes: ['client_credentials'], responseTypes: [], tokenEndpointAuthMethod: 'client_secret_basic', oktaAppType: '' }
const WEB: ClientTemplate = { grantTypes: ['authorization_code', 'refresh_token'], responseTypes: ['code'], tokenEndpointAuthMethod: 'client_secret_basic', oktaAppType: '' }
const SPA: ClientTemplate = { grantTypes: ['pkce'], responseTypes: ['code'], tokenEndpointAuthMethod: 'none', oktaAppType: '' }

let tagCount = 0
function app (overrides: Partial<ClientRequest> = {}): ClientRequest {
  return { redirectUris: [], scopes: ['payments'], clientName: 'Payments app', correlationTag: `req-${++tagCount}`, ...overrides }
}

async function rejection (promise: Promise<unknown>): Promise<IdpError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  assert.ok(error instanceof IdpError, `expected IdpError, got ${String(error)}`)
  return error
}

const PROFILES: ReadonlyArray<{ profile: TestIdpProfile; type: ProviderType }> = [
  { profile: 'rfc', type: 'Other' },
  { profile: 'keycloak', type: 'Keycloak' },
  { profile: 'gluu', type: 'Gluu' },
  { profile: 'okta', type: 'Okta' }
]

for (const { profile, type } of PROFILES) {
  describe(`${type} driver against the ${profile}-like IdP`, () => {
    let idp: TestIdp
    let provider: ProviderConnection
    const engine = new DcrEngine()

    before(async () => {
      idp = await startTestIdp({ profile, scopes: ['openid', 'payments', 'clients'] })
      provider = { id: 7, type, wellKnownUrl: idp.wellKnownUrl, initialAccessToken: idp.initialAccessToken, sslInsecureSkipVerify: false }
    })
    after(async () => { await engine.close(); await idp.close() })

    // Counted from each test's start: the counter test below presents a stale token on purpose.
    it('registers, reads, updates and deletes a machine client, always with the newest token', async () => {
      const stale = idp.staleTokenPresentations()
      const created = await engine.register(provider, M2M, app())
      assert.ok(created.clientSecret !== undefined && created.clientSecret !== '')
      assert.deepEqual(created.differences, [])
      assert.equal('client_secret' in created.response, false, 'secrets are lifted out of the response')
      assert.equal('registration_access_token' in created.response, false)
      const first = await clientCredentialsToken(idp, created.clientId, created.clientSecret, 'payments')
      assert.equal(typeof first.access_token, 'string')

      const read = await engine.read(provider, created)
      assert.equal(read.clientSecret, created.clientSecret)
      const updated = await engine.update(provider, read, M2M, app({ clientName: 'Payments app v2', scopes: ['payments', 'clients'] }))
      assert.match(String(updated.response.client_name), /^Payments app v2 \[req-\d+\]$/)
      assert.deepEqual(updated.differences, [])
      const widened = await clientCredentialsToken(idp, updated.clientId, updated.clientSecret ?? '', 'clients')
      assert.equal(widened.scope, 'clients')

      assert.equal(await engine.remove(provider, updated), 'deleted')
      assert.equal(await idp.hasClient(created.clientId), false)
      assert.equal(idp.staleTokenPresentations(), stale)
      assertRotation(type, created, read, updated)
    })

    it('registers a web client with its redirect URI and reports what the IdP returned', async () => {
      const stale = idp.staleTokenPresentations()
      const created = await engine.register(provider, WEB, app({ redirectUris: ['https://app.example/callback'] }))
      assert.deepEqual(created.response.redirect_uris, ['https://app.example/callback'])
      assert.deepEqual(created.response.grant_types, ['authorization_code', 'refresh_token'])
      assert.equal(await engine.remove(provider, created), 'deleted')
      assert.equal(idp.staleTokenPresentations(), stale)
    })

    if (type !== 'Okta') {
      it('refuses in-place secret rotation, which RFC 7592 does not have', async () => {
        await assert.rejects(engine.rotateSecret(provider, { clientId: 'any' }), (error: unknown) => error instanceof AppError && error.code === 'not_supported')
      })

      it('counts a stale registration access token when one is presented (the counter works)', async () => {
        const created = await engine.register(provider, M2M, app())
        const updated = await engine.update(provider, created, M2M, app())
        const before = idp.staleTokenPresentations()
        if (updated.registrationAccessToken !== created.registrationAccessToken) {
          const error = await rejection(engine.read(provider, created))
          assert.equal(error.status, 401)
          assert.equal(idp.staleTokenPresentations(), before + 1)
        }
        assert.equal(await engine.remove(provider, updated), 'deleted')
      })
    }
  })
}

/** What each IdP does to the registration access token (idp-drivers.md §10). */
function assertRotation (type: ProviderType, created: ManagedClient, read: ManagedClient, updated: ManagedClient): void {
  const rotated = (before: ClientCredentials, after: ClientCredentials) => before.registrationAccessToken !== after.registrationAccessToken
  const expected: Record<ProviderType, [boolean, boolean]> = { Other: [false, true], Keycloak: [true, true], Gluu: [false, false], Okta: [false, false] }
  assert.deepEqual([rotated(created, read), rotated(read, updated)], expected[type])
}

describe('IdP-specific behaviour', () => {
  const engine = new DcrEngine()
  const idps: TestIdp[] = []
  after(async () => { await engine.close(); await Promise.all(idps.map(async (idp) => await idp.close())) })

  async function connect (profile: TestIdpProfile, type: ProviderType): Promise<{ idp: TestIdp; provider: ProviderConnection }> {
    const idp = await startTestIdp({ profile })
    idps.push(idp)
    return { idp, provider: { id: idps.length, type, wellKnownUrl: idp.wellKnownUrl, initialAccessToken: idp.initialAccessToken, sslInsecureSkipVerify: false } }
  }

  it('Keycloak: a Trusted Hosts policy rejection names insufficient_scope and the policy text', async () => {
    const { idp, provider } = await connect('keycloak', 'Keycloak')
    assert.match(idp.registrationEndpoint, /\/realms\/test\/clients-registrations\/openid-connect$/)
    const error = await rejection(engine.register(provider, WEB, app({ redirectUris: [`https://${UNTRUSTED_HOST}/callback`] })))
    assert.equal(error.status, 403)
    assert.equal(error.oauthError, 'insufficient_scope')
    assert.ok(error.message.includes(`insufficient_scope: ${TRUSTED_HOSTS_REJECTION}`), error.message)
    assert.equal(error.code, 'idp_failed')
    assert.doesNotMatch(error.message, new RegExp(idp.initialAccessToken))
  })

  it('Gluu: keeps the query-style client URI and reports the secret expiry', async () => {
    const { idp, provider } = await connect('gluu', 'Gluu')
    const created = await engine.register(provider, M2M, app())
    assert.equal(created.registrationClientUri, `${idp.registrationEndpoint}?client_id=${created.clientId}`)
    assert.equal(created.secretExpiresAt, Number(created.response.client_id_issued_at) + GLUU_CLIENT_LIFETIME)
    assert.ok(engine.capabilities('Gluu').clientMayExpire)
    const read = await engine.read(provider, created)
    assert.equal(read.registrationClientUri, created.registrationClientUri)
    assert.equal(await engine.remove(provider, read), 'deleted')
    assert.ok(idp.requests.includes('DELETE /jans-auth/restv1/register'))
  })

  it('Okta: SSWS, no registration access token, service app with response_types token, secret rotation', async () => {
    const { idp, provider } = await connect('okta', 'Okta')
    const created = await engine.register(provider, M2M, app())
    assert.equal(created.registrationAccessToken, undefined)
    assert.equal(created.registrationClientUri, undefined)
    assert.equal(created.response.application_type, 'service')
    assert.deepEqual(created.response.response_types, ['token'])
    const read = await engine.read(provider, created)
    assert.equal(read.clientSecret, created.clientSecret, 'GET shows no secret: the known one is carried over')

    const rotated = await engine.rotateSecret(provider, read)
    assert.ok(rotated.clientSecret !== undefined && rotated.clientSecret !== created.clientSecret)
    await clientCredentialsToken(idp, rotated.clientId, rotated.clientSecret, 'payments')
    await assert.rejects(clientCredentialsToken(idp, created.clientId, created.clientSecret ?? '', 'payments'))

    assert.equal(await engine.remove(provider, rotated), 'deleted')
    const gone = await rejection(engine.read(provider, rotated))
    assert.equal(gone.status, 401)
    assert.equal(gone.oauthError, 'invalid_client')
    const notFound = await rejection(engine.rotateSecret(provider, rotated))
    assert.match(notFound.message, /HTTP 404 E0000007: Not found/)
  })

  it('Okta: a pkce public client becomes a browser app with pkce_required', async () => {
    const { provider } = await connect('okta', 'Okta')
    const created = await engine.register(provider, SPA, app({ redirectUris: ['https://spa.example/callback'] }))
    assert.equal(created.response.application_type, 'browser')
    assert.equal(created.response.pkce_required, true)
    assert.equal(created.response.token_endpoint_auth_method, 'none')
    assert.equal(created.clientSecret, undefined)
    assert.equal(await engine.remove(provider, created), 'deleted')
  })

  it("Okta: application_type rules are the IdP's, named in the error", async () => {
    const { idp, provider } = await connect('okta', 'Okta')
    const error = await rejection(engine.register(provider, { ...M2M, oktaAppType: 'web' }, app()))
    assert.equal(error.status, 400)
    assert.match(error.message, /HTTP 400 invalid_client_metadata: 'grant_types' must contain 'authorization_code' when 'application_type' is 'web'\./)
    const wrongToken = await rejection(engine.register({ ...provider, initialAccessToken: 'wrong' }, M2M, app()))
    assert.equal(wrongToken.status, 401)
    assert.match(wrongToken.message, /E0000011: Invalid token provided/)
    assert.equal(idp.requests.filter((line) => line === 'POST /internal/registration').length, 0)
  })

  it('Other: a missing initial access token is refused by the IdP with invalid_token', async () => {
    const { provider } = await connect('rfc', 'Other')
    const error = await rejection(engine.register({ ...provider, initialAccessToken: null }, M2M, app()))
    assert.equal(error.status, 401)
    assert.equal(error.oauthError, 'invalid_token')
  })

  it('refuses to send a registration access token to another origin (RFC 7592 §5)', async () => {
    const { provider } = await connect('rfc', 'Other')
    const created = await engine.register(provider, M2M, app())
    const error = await rejection(engine.read(provider, { ...created, registrationClientUri: `http://127.0.0.1:1/reg/${created.clientId}` }))
    assert.equal(error.stage, 'invalid_response')
    assert.equal(await engine.remove(provider, created), 'deleted')
  })
})
