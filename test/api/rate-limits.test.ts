// Rate limits (issue 11 item 12): wrong admin tokens per address, canary verifications and registrations per
// provider, each answered 429 with Retry-After and a message naming what is limited; and the embedded IdP
// slows an address that keeps presenting bad initial access tokens or client secrets.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { fetch } from 'undici'
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/app.ts'
import { dialects } from '../helpers/dialects.ts'
import { startTestIdp, type TestIdp } from '../helpers/test-idp.ts'

const sqlite = dialects[0]!

describe('rate limits', () => {
  let h: Harness
  let idp: TestIdp
  before(async () => {
    h = await startHarness(sqlite, { embeddedIdp: true, rateLimits: { authFailures: 5, canaries: 2, registrations: 3 } })
    idp = await startTestIdp({ profile: 'rfc' })
  })
  after(async () => { await h.close(); await idp.close() })

  it('answers 429 with Retry-After to an address after 5 wrong admin tokens in a minute, even for the right token, until the minute ends', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await h.call('GET', '/portal-api/oauth-providers', undefined, { authorization: `wrong-token-${i}-000000000` })).status, 401)
    for (const authorization of ['wrong-token-again-0000000', ADMIN_TOKEN]) {
      const reply = await h.call('GET', '/portal-api/oauth-providers', undefined, { authorization })
      assert.equal(reply.status, 429)
      assert.equal(reply.raw.headers['retry-after'], '60')
      assert.deepEqual(reply.body, { errors: ['too many failed admin authentications from 127.0.0.1: retry in 60 s'] })
    }
    assert.equal((await h.call('GET', '/health', undefined, { authorization: '' })).status, 200, 'health is not behind auth')
    h.clock.advance(60_000)
    assert.equal((await h.call('GET', '/portal-api/oauth-providers')).status, 200)
  })

  it('answers 429 to the third canary verification of a provider in a minute; another provider and plain verify are not limited', async () => {
    const create = async (name: string) => (await h.call('POST', '/portal-api/oauth-providers', { Name: name, Type: 'Other', WellKnownURL: idp.wellKnownUrl, RegistrationAccessToken: idp.initialAccessToken })).body.ID as number
    const [first, second] = [await create('Canaries 1'), await create('Canaries 2')]
    for (let i = 0; i < 2; i++) assert.equal((await h.call('POST', `/portal-api/oauth-providers/${first}/verify?canary=true`)).status, 200)
    const posts = idp.requests.filter((r) => r.startsWith('POST')).length
    const refused = await h.call('POST', `/portal-api/oauth-providers/${first}/verify?canary=true`)
    assert.deepEqual([refused.status, refused.raw.headers['retry-after'], refused.body], [429, '60', { errors: [`too many canary verifications of provider ${first}: retry in 60 s`] }])
    assert.equal(idp.requests.filter((r) => r.startsWith('POST')).length, posts, 'the refused canary sent nothing')
    assert.equal((await h.call('POST', `/portal-api/oauth-providers/${first}/verify`)).status, 200)
    assert.equal((await h.call('POST', `/portal-api/oauth-providers/${second}/verify?canary=true`)).status, 200)
    h.clock.advance(60_000)
  })

  it('answers 429 to the fourth registration at a provider in a minute, leaving the access request pending', async () => {
    const provider = (await h.call('POST', '/portal-api/oauth-providers', { Name: 'Registrations', Type: 'Other', WellKnownURL: idp.wellKnownUrl, RegistrationAccessToken: idp.initialAccessToken })).body.ID as number
    const type = (await h.call('POST', `/portal-api/oauth-providers/${provider}/client-types`, { Name: 'm2m', ResponseTypes: 'token', GrantType: 'client_credentials' })).body.ID as number
    const product = (await h.call('POST', '/portal-api/products', { Name: 'limited', DCREnabled: true })).body.ID as number
    const attached = await h.call('POST', `/portal-api/products/${product}/client_types`, { ID: type })
    assert.equal(attached.status, 201, JSON.stringify(attached.body))
    const plan = (await h.call('POST', '/portal-api/plans', { Name: 'limited-plan', ProviderID: provider })).body.ID as number
    const approve = async (i: number) => {
      const app = (await h.call('POST', '/portal-api/apps', { Name: `app ${i}` })).body.ID as number
      const provisioned = await h.call('PUT', `/portal-api/apps/${app}/provision`, { PlanID: plan, ProductIDs: [product], DCRTemplateID: type })
      assert.equal(provisioned.status, 200, JSON.stringify(provisioned.body))
      return await h.call('PUT', `/portal-api/access_requests/${provisioned.body.ID as number}/approve`)
    }
    for (let i = 0; i < 3; i++) assert.equal((await approve(i)).status, 200)
    const refused = await approve(3)
    assert.equal(refused.status, 429, JSON.stringify(refused.body))
    assert.equal(refused.raw.headers['retry-after'], '60')
    assert.match(refused.body.errors[0], new RegExp(`^too many client registrations at identity provider ${provider}: retry in 60 s$`))
    const pending = (await h.call('GET', '/portal-api/access_requests')).body.filter((r: { Status: string }) => r.Status === 'pending')
    assert.equal(pending.length, 1)
    h.clock.advance(60_000)
  })

  it('the embedded IdP answers 429 to an address after 30 failed authentications in a minute, even with the right token', async () => {
    const register = async (token: string) => await fetch(`${h.idp!.issuer}/reg`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ grant_types: ['client_credentials'], response_types: [] })
    })
    for (let i = 0; i < 30; i++) assert.equal((await register(`wrong-${i}`)).status, 401)
    const refused = await register(h.idp!.initialAccessToken)
    assert.equal(refused.status, 429)
    assert.ok(Number(refused.headers.get('retry-after')) >= 1)
    assert.equal(((await refused.json()) as { error: string }).error, 'temporarily_unavailable')
  })
})
