import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Database } from '../../src/db/database.ts'
import { dialects, postgresUrl } from '../helpers/dialects.ts'
import { callService, okService, sameSchemaUrl, startService, type ServiceProcess } from '../helpers/process.ts'
import { clientCredentialsToken, startTestIdp, type TestIdp } from '../helpers/test-idp.ts'

const postgres = dialects.find((dialect) => dialect.name === 'postgres')!
const APPS = 32
const REQUESTS_PER_APP = 2 // one approved before the storm (then rotated in it), one approved in it
const SCOPES = Array.from({ length: REQUESTS_PER_APP }, (_, i) => `storm-${i}`)
const TOKEN = `storm-admin-token-${randomBytes(8).toString('hex')}`

// Issue 9: two real service processes (`npm start`) on one PostgreSQL schema, against a Keycloak-like
// IdP that rotates the registration access token on every read and update and counts stale ones. Each
// IdP client is held by a lease row, never by a pooled connection across the IdP call.
describe('two service processes on one PostgreSQL database', { skip: postgres.skip === false ? false : `needs PostgreSQL: ${postgres.skip}` }, () => {
  let database: Database
  let idp: TestIdp
  const services: ServiceProcess[] = []
  const dataDirs: string[] = []
  const requests: Array<{ appId: number; id: number }> = []

  const call = async (service: ServiceProcess, method: string, url: string, body?: unknown) => await callService(service, TOKEN, method, url, body)
  const ok = async (service: ServiceProcess, method: string, url: string, body?: unknown) => await okService(service, TOKEN, method, url, body)

  before(async () => {
    idp = await startTestIdp({ profile: 'keycloak', scopes: [...SCOPES, 'storm-plan'] })
    database = await postgres.open()
    const databaseUrl = await sameSchemaUrl(database, postgresUrl)
    const env = {
      PORTAL_DATABASE_URL: databaseUrl,
      PORTAL_ADMIN_TOKEN: TOKEN,
      PORTAL_SECRET_KEYS: `storm:${randomBytes(32).toString('base64')}`, // both processes open what the other sealed
      PORTAL_EMBEDDED_IDP: 'false'
    }
    for (let i = 0; i < 2; i++) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-storm-'))
      dataDirs.push(dataDir)
      services.push(await startService({ ...env, PORTAL_DATA_DIR: dataDir }))
    }
    const [a, b] = services as [ServiceProcess, ServiceProcess]
    const provider = await ok(a, 'POST', '/portal-api/oauth-providers', { Name: 'Keycloak', Type: 'Keycloak', WellKnownURL: idp.wellKnownUrl, RegistrationAccessToken: idp.initialAccessToken })
    const type = await ok(b, 'POST', `/portal-api/oauth-providers/${provider.ID}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })
    const plan = await ok(a, 'POST', '/portal-api/plans', { Name: 'storm plan', ProviderID: provider.ID, JWTScope: 'storm-plan' })
    const products: number[] = []
    for (const scope of SCOPES) {
      const product = await ok(b, 'POST', '/portal-api/products', { Name: `product ${scope}`, DCREnabled: true, Scopes: scope })
      await ok(a, 'POST', `/portal-api/products/${product.ID}/client_types`, { ID: type.ID })
      products.push(product.ID)
    }
    for (let i = 0; i < APPS; i++) {
      const app = await ok(services[i % 2]!, 'POST', '/portal-api/apps', { Name: `storm app ${i}` })
      for (const productId of products) {
        const provisioned = await ok(services[i % 2]!, 'PUT', `/portal-api/apps/${app.ID}/provision`, { PlanID: plan.ID, ProductIDs: [productId], DCRTemplateID: type.ID })
        requests.push({ appId: app.ID, id: provisioned.ID })
      }
    }
    for (const request of approvedBefore()) await ok(services[request.id % 2]!, 'PUT', `/portal-api/access_requests/${request.id}/approve`)
  })
  after(async () => {
    for (const service of services) await service.kill()
    await database?.close()
    await idp?.close()
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true })
  })

  const approvedBefore = () => requests.filter((_, i) => i % REQUESTS_PER_APP < REQUESTS_PER_APP / 2)
  const pending = () => requests.filter((_, i) => i % REQUESTS_PER_APP >= REQUESTS_PER_APP / 2)

  it('answers 32 approvals and 32 rotations fired at once across both: no 5xx, one client per app and client type, no stale token', async () => {
    const credentials = await Promise.all(approvedBefore().map(async (request) => ({
      request,
      credential: (await ok(services[0]!, 'GET', `/portal-api/apps/${request.appId}/access-requests/${request.id}/credentials`))[0]
    })))
    assert.equal(idp.staleTokenPresentations(), 0)
    const storm = [
      ...pending().map((request, i) => async () => await call(services[i % 2]!, 'PUT', `/portal-api/access_requests/${request.id}/approve`)),
      ...credentials.map(({ request, credential }, i) => async () =>
        await call(services[(i + 1) % 2]!, 'PUT', `/portal-api/apps/${request.appId}/access-requests/${request.id}/credentials/${credential.ID}/rotate`))
    ]
    assert.equal(storm.length, 64)
    const answers = await Promise.all(storm.map(async (send) => await send()))
    const failed = answers.filter((answer) => answer.status !== 200)
    assert.deepEqual(failed, [], `${failed.length} of 64 did not answer 200`)

    assert.equal(idp.staleTokenPresentations(), 0, 'no stale registration access token was presented')
    const rows = await database.db.selectFrom('oauth_clients').select(['app_id', 'client_type_id', 'client_id', 'scope']).execute()
    assert.equal(rows.length, APPS, 'one client per app and client type in the database')
    assert.equal(new Set(rows.map((row) => `${row.app_id}:${row.client_type_id}`)).size, APPS)
    assert.deepEqual(idp.clientIds().sort(), rows.map((row) => row.client_id).sort(), 'the IdP holds exactly those clients: none orphaned, none lost')
    for (const row of rows) assert.deepEqual(row.scope.split(' ').sort(), [...SCOPES, 'storm-plan'].sort())
    assert.equal((await database.db.selectFrom('credentials').select('id').execute()).length, requests.length, 'every request holds its credential')
    assert.deepEqual(await database.db.selectFrom('idp_registrations').select('id').execute(), [], 'no registration left in flight or unknown')
    assert.deepEqual(await database.db.selectFrom('idp_deletions').select('id').execute(), [], 'every replaced client was deleted at once')

    // The secret the portal shows now is the one the IdP issues tokens for.
    const { request } = credentials[0]!
    const now = (await ok(services[1]!, 'GET', `/portal-api/apps/${request.appId}/access-requests/${request.id}/credentials`))[0]
    const token = await clientCredentialsToken(idp, now.OAuthClientID, now.OAuthClientSecret, SCOPES.join(' '))
    assert.equal(typeof token.access_token, 'string')
  })
})
