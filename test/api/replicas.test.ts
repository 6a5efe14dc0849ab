import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Database } from '../../src/db/database.ts'
import { Leases } from '../../src/db/leases.ts'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness } from '../helpers/app.ts'
import { clientCredentialsToken, startTestIdp, type TestIdp } from '../helpers/test-idp.ts'

const postgres = dialects.find((dialect) => dialect.name === 'postgres')!
const SCOPES = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']

// Issue 5 item 3: two service instances (own pools, own in-process locks) on one PostgreSQL database,
// against a Keycloak-like IdP that rotates the registration access token on every read and update.
describe('two replicas on one PostgreSQL database', { skip: postgres.skip }, () => {
  let idp: TestIdp
  let a: Harness
  let b: Harness
  let second: Database
  let typeId: number
  let planId: number
  const productIds: number[] = []
  before(async () => {
    idp = await startTestIdp({ profile: 'keycloak', scopes: [...SCOPES, 'replica-plan'] })
    a = await startHarness(postgres)
    second = await postgres.reopen!(a.database)
    b = await startHarness(postgres, { database: second })
    const provider = await a.call('POST', '/portal-api/oauth-providers', { Name: 'Keycloak', Type: 'Keycloak', WellKnownURL: idp.wellKnownUrl, RegistrationAccessToken: idp.initialAccessToken })
    const type = await a.call('POST', `/portal-api/oauth-providers/${provider.body.ID}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })
    const plan = await a.call('POST', '/portal-api/plans', { Name: 'replica plan', ProviderID: 1, JWTScope: 'replica-plan' })
    typeId = type.body.ID
    planId = plan.body.ID
    for (const scope of SCOPES) {
      const product = await a.call('POST', '/portal-api/products', { Name: `product ${scope}`, DCREnabled: true, Scopes: scope })
      await b.call('POST', `/portal-api/products/${product.body.ID}/client_types`, { ID: typeId })
      productIds.push(product.body.ID)
    }
  })
  after(async () => {
    await b.close()
    await second.close()
    await a.close()
    await idp.close()
  })

  const registrations = () => idp.requests.filter((r) => r.startsWith('POST /realms/')).length
  /** Each test its own app, with one pending access request per product (one scope each). */
  const provisionApp = async (name: string) => {
    const appId = (await b.call('POST', '/portal-api/apps', { Name: name })).body.ID as number
    const requests: number[] = []
    for (const productId of productIds) {
      const provisioned = await b.call('PUT', `/portal-api/apps/${appId}/provision`, { PlanID: planId, ProductIDs: [productId], DCRTemplateID: typeId })
      assert.equal(provisioned.status, 200, JSON.stringify(provisioned.body))
      requests.push(provisioned.body.ID)
    }
    return { appId, requests }
  }

  it('concurrent approves from both replicas register one client, never presenting a stale token', async () => {
    const { appId, requests } = await provisionApp('replicated app')
    const before = registrations()
    const answers = await Promise.all(requests.map((id, i) => (i % 2 === 0 ? a : b).call('PUT', `/portal-api/access_requests/${id}/approve`)))
    assert.deepEqual(answers.map((r) => r.status), requests.map(() => 200), JSON.stringify(answers.map((r) => r.body)))
    assert.equal(registrations() - before, 1, 'one registration, the other approvals updated it')
    assert.equal(idp.staleTokenPresentations(), 0)
    const credentials = await Promise.all(requests.map(async (id) => (await a.call('GET', `/portal-api/apps/${appId}/access-requests/${id}/credentials`)).body[0]))
    assert.equal(new Set(credentials.map((c) => c.OAuthClientID)).size, 1)
    const last = credentials[0]
    assert.deepEqual(last.Scope.split(' ').sort(), [...SCOPES, 'replica-plan'].sort())
    const token = await clientCredentialsToken(idp, last.OAuthClientID, last.OAuthClientSecret, SCOPES.join(' '))
    assert.equal(typeof token.access_token, 'string')
  })

  it('concurrent rotations and deletions from both replicas keep the newest token and leave nothing behind', async () => {
    const { appId, requests } = await provisionApp('rotated app')
    for (const id of requests) assert.equal((await a.call('PUT', `/portal-api/access_requests/${id}/approve`)).status, 200)
    const first = (await a.call('GET', `/portal-api/apps/${appId}/access-requests/${requests[0]}/credentials`)).body[0]
    const answers = await Promise.all([
      a.call('PUT', `/portal-api/apps/${appId}/access-requests/${requests[0]}/credentials/${first.ID}/rotate`),
      b.call('DELETE', `/portal-api/access_requests/${requests[1]}`),
      a.call('DELETE', `/portal-api/access_requests/${requests[2]}`),
      b.call('DELETE', `/portal-api/apps/${appId}/access-requests/${requests[3]}`)
    ])
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 200, 200], JSON.stringify(answers.map((r) => r.body)))
    assert.equal(idp.staleTokenPresentations(), 0)
    const remaining = (await b.call('GET', `/portal-api/apps/${appId}/access-requests/${requests[4]}/credentials`)).body[0]
    assert.deepEqual(remaining.Scope.split(' ').sort(), ['r1', 'r5', 'r6', 'replica-plan'])
    assert.equal(await idp.hasClient(first.OAuthClientID), false, 'the rotated-away client is gone')

    assert.equal((await b.call('DELETE', `/portal-api/apps/${appId}`)).status, 200)
    assert.equal(await idp.hasClient(remaining.OAuthClientID), false)
    assert.equal(idp.staleTokenPresentations(), 0)
  })

  it('runs the reconciler as one: while a replica holds the lease, the other skips its pass', async () => {
    let inside: unknown = 'not run'
    const elsewhere = new Leases({ db: a.database.db, now: () => a.clock.now })
    await elsewhere.tryRun('reconciler', async () => { inside = await b.app.reconciler.runOnce() })
    assert.equal(inside, undefined, 'skipped while the lease is held')
    assert.deepEqual(await b.app.reconciler.runOnce(), { staleRegistrations: 0, deleted: 0, rescheduled: 0 })
  })
})
