// SSLInsecureSkipVerify is per provider (security-checklist §1.7): an https IdP with a self-signed
// certificate fails verification by default, works for the provider that skips it, and only for that one.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DcrEngine, IdpError, type ClientTemplate, type ProviderConnection } from '../../src/dcr/index.ts'
import { startTestIdp, type TestIdp } from '../helpers/test-idp.ts'
import { createSelfSignedCertificate } from '../helpers/tls.ts'

const M2M: ClientTemplate = { grantTypes: ['client_credentials'], responseTypes: [], tokenEndpointAuthMethod: 'client_secret_basic', oktaAppType: '' }
const APP = { redirectUris: [], scopes: ['payments'], clientName: 'TLS app', correlationTag: 'tls-1' }

describe('per-provider TLS verification', () => {
  let idp: TestIdp
  let verifying: ProviderConnection
  let skipping: ProviderConnection
  const engine = new DcrEngine()

  before(async () => {
    idp = await startTestIdp({ profile: 'rfc', tls: await createSelfSignedCertificate() })
    verifying = { id: 1, type: 'Other', wellKnownUrl: idp.wellKnownUrl, initialAccessToken: idp.initialAccessToken, sslInsecureSkipVerify: false }
    skipping = { ...verifying, id: 2, sslInsecureSkipVerify: true }
  })
  after(async () => { await engine.close(); await idp.close() })

  async function tlsFailure (provider: ProviderConnection): Promise<void> {
    const error = await engine.register(provider, M2M, APP).then(() => undefined, (caught: unknown) => caught)
    assert.ok(error instanceof IdpError, String(error))
    assert.equal(error.stage, 'tls', error.message)
    assert.match(error.message, /TLS with the identity provider failed for GET https:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration \(DEPTH_ZERO_SELF_SIGNED_CERT\)/)
  }

  it('fails verification by default', async () => {
    assert.match(idp.issuer, /^https:\/\/127\.0\.0\.1:/)
    await tlsFailure(verifying)
  })

  it('works for the provider with sslInsecureSkipVerify, while the other still fails in the same process', async () => {
    const [created] = await Promise.all([engine.register(skipping, M2M, APP), tlsFailure(verifying)])
    assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined)
    await tlsFailure(verifying)
    const read = await engine.read(skipping, created)
    assert.equal(await engine.remove(skipping, read), 'deleted')
    assert.equal(idp.staleTokenPresentations(), 0)
  })
})
