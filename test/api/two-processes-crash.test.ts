import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Database } from '../../src/db/database.ts'
import { dialects, postgresUrl } from '../helpers/dialects.ts'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'
import { callService, okService, sameSchemaUrl, startService, type ServiceProcess } from '../helpers/process.ts'
import { startTestIdp, type TestIdp } from '../helpers/test-idp.ts'

const postgres = dialects.find((dialect) => dialect.name === 'postgres')!
const TOKEN = `sigkill-admin-token-${randomBytes(8).toString('hex')}`

// Issue 11: two real service processes on one PostgreSQL schema (not two instances in one process); one is
// SIGKILLed while its approval's registration is at the IdP. The survivor goes on serving, its reconciler
// lists the dead one's registration for an operator once the lease is free, and no second client is
// registered for that request until an operator resolves it.
describe('two service processes on one PostgreSQL database, one killed in the middle of an approval', { skip: postgres.skip === false ? false : `needs PostgreSQL: ${postgres.skip}` }, () => {
  let database: Database
  let idp: TestIdp
  let proxy: FaultProxy
  let survivor: ServiceProcess
  let victim: ServiceProcess
  const dataDirs: string[] = []

  const call = async (service: ServiceProcess, method: string, url: string, body?: unknown) => await callService(service, TOKEN, method, url, body)
  const ok = async (service: ServiceProcess, method: string, url: string, body?: unknown) => await okService(service, TOKEN, method, url, body)

  before(async () => {
    proxy = await startFaultProxy()
    idp = await startTestIdp({ profile: 'rfc', publicOrigin: proxy.origin, scopes: ['sigkill'] })
    proxy.target = idp.origin
    database = await postgres.open()
    const databaseUrl = await sameSchemaUrl(database, postgresUrl)
    const env = {
      PORTAL_DATABASE_URL: databaseUrl,
      PORTAL_ADMIN_TOKEN: TOKEN,
      PORTAL_SECRET_KEYS: `sigkill:${randomBytes(32).toString('base64')}`,
      PORTAL_EMBEDDED_IDP: 'false',
      PORTAL_LEASE_TTL_MS: '1000',
      PORTAL_RECONCILE_INTERVAL_MS: '1000',
      PORTAL_IDP_TIMEOUT_MS: '60000'
    }
    const start = async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-sigkill-'))
      dataDirs.push(dataDir)
      return await startService({ ...env, PORTAL_DATA_DIR: dataDir })
    }
    survivor = await start()
    victim = await start()
  })
  after(async () => {
    await victim?.kill()
    await survivor?.kill()
    await database?.close()
    await proxy?.close()
    await idp?.close()
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('keeps serving, lists the dead process\'s registration, and never registers a second client for it', async () => {
    const provider = await ok(survivor, 'POST', '/portal-api/oauth-providers', { Name: 'SIGKILL IdP', Type: 'Other', WellKnownURL: idp.wellKnownUrl, RegistrationAccessToken: idp.initialAccessToken })
    const type = await ok(victim, 'POST', `/portal-api/oauth-providers/${provider.ID}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })
    const product = await ok(survivor, 'POST', '/portal-api/products', { Name: 'sigkill product', DCREnabled: true, Scopes: 'sigkill' })
    await ok(victim, 'POST', `/portal-api/products/${product.ID}/client_types`, { ID: type.ID })
    const plan = await ok(survivor, 'POST', '/portal-api/plans', { Name: 'sigkill plan', ProviderID: provider.ID })
    const provision = async (name: string) => {
      const app = await ok(survivor, 'POST', '/portal-api/apps', { Name: name })
      return (await ok(survivor, 'PUT', `/portal-api/apps/${app.ID}/provision`, { PlanID: plan.ID, ProductIDs: [product.ID], DCRTemplateID: type.ID })).ID as number
    }
    const doomed = await provision('sigkill app')
    const other = await provision('survivor app')

    // The victim's registration reaches the IdP, which creates the client; its answer is held, and the victim dies.
    let release = () => { /* set below */ }
    const released = new Promise<void>((resolve) => { release = resolve })
    proxy.fault = (method, p) => method === 'POST' && p === '/reg' ? { kind: 'hold_until', release: released } : undefined
    const held = proxy.heldAnswer('POST', '/reg')
    const approval = call(victim, 'PUT', `/portal-api/access_requests/${doomed}/approve`).catch(() => undefined)
    await held
    await victim.kill()
    proxy.fault = undefined
    release()
    await approval
    assert.equal(idp.clientIds().length, 1, 'the IdP created the client')

    // The survivor goes on: another approval works at once.
    await ok(survivor, 'PUT', `/portal-api/access_requests/${other}/approve`)
    // Its reconciler turns the dead process's intent into an unknown registration, listed for an operator.
    let listed: { ID: number; State: string; CorrelationTag: string } | undefined
    for (let polls = 0; polls < 100 && listed?.State !== 'unknown'; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      listed = (await ok(survivor, 'GET', '/portal-api/idp-operations')).Registrations[0]
    }
    assert.equal(listed?.State, 'unknown', JSON.stringify(listed))
    const created = idp.clientIds().find((id) => idp.clientName(id)?.includes(`[${listed.CorrelationTag}]`))
    assert.ok(created, 'the listed tag names the client the IdP created')
    const posts = proxy.requests.filter((r) => r === 'POST /reg').length
    const again = await call(survivor, 'PUT', `/portal-api/access_requests/${doomed}/approve`)
    assert.equal(again.status, 409, JSON.stringify(again.body))
    assert.equal(proxy.requests.filter((r) => r === 'POST /reg').length, posts, 'no second registration')
    const request = await ok(survivor, 'GET', `/portal-api/access_requests/${doomed}`)
    assert.equal(request.Status, 'pending')
  })
})
