import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import Sqlite from 'better-sqlite3'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'
import { callService, okService, startService, type ServiceProcess } from '../helpers/process.ts'
import { startTestIdp, type TestIdp } from '../helpers/test-idp.ts'

const TOKEN = `crash-admin-token-${randomBytes(8).toString('hex')}`

type Operation = 'approve' | 'rotate' | 'delete'
/** Where the process dies: with the IdP call held unsent (before), sent and its answer held (during), or once the operation answered (after). */
interface Case { readonly operation: Operation; readonly phase: 'before' | 'during' | 'after'; readonly call?: readonly [method: string, path: string] }

const REGISTER = ['POST', '/reg'] as const
const DELETE = ['DELETE', '/reg/'] as const
const CASES: readonly Case[] = [
  { operation: 'approve', phase: 'before', call: REGISTER },
  { operation: 'approve', phase: 'during', call: REGISTER },
  { operation: 'approve', phase: 'after' },
  { operation: 'rotate', phase: 'before', call: REGISTER },
  { operation: 'rotate', phase: 'during', call: REGISTER },
  { operation: 'rotate', phase: 'before', call: DELETE }, // after the replacement's registration
  { operation: 'rotate', phase: 'during', call: DELETE },
  { operation: 'rotate', phase: 'after' },
  { operation: 'delete', phase: 'before', call: DELETE },
  { operation: 'delete', phase: 'during', call: DELETE },
  { operation: 'delete', phase: 'after' }
]

// Issue 11, "done when": SIGKILL of a real service process (`npm start`) before, during and after each IdP
// call of approve, rotate and delete, on SQLite. A restarted process's reconciler then leaves no client at
// the IdP that is neither held nor listed for an operator, and no held client that the IdP no longer knows.
// The IdP sits behind a fault proxy that holds the call or its answer, so the kill lands exactly there.
describe('the crash matrix: SIGKILL around every IdP call of approve, rotate and delete', () => {
  let idp: TestIdp
  let proxy: FaultProxy
  let dataDir: string
  let service: ServiceProcess
  let db: Sqlite.Database
  let plan: number
  let product: number
  let type: number
  let counter = 0
  const env = () => ({
    PORTAL_DATA_DIR: dataDir,
    PORTAL_ADMIN_TOKEN: TOKEN,
    PORTAL_SECRET_KEYS: `crash:${randomBytes(32).toString('base64')}`,
    PORTAL_EMBEDDED_IDP: 'false',
    // A dead process's lease frees in a second; the reconciler passes every second.
    PORTAL_LEASE_TTL_MS: '1000',
    PORTAL_RECONCILE_INTERVAL_MS: '1000',
    PORTAL_IDP_TIMEOUT_MS: '60000'
  })
  let keys: Record<string, string>

  const call = async (method: string, url: string, body?: unknown) => await callService(service, TOKEN, method, url, body)
  const ok = async (method: string, url: string, body?: unknown) => await okService(service, TOKEN, method, url, body)

  /** What breaks the rule now, in words; empty when every client is accounted for and nothing is left in flight. */
  const problems = () => {
    const held = (db.prepare('select client_id from oauth_clients').all() as Array<{ client_id: string }>).map((r) => r.client_id)
    const tombstones = db.prepare('select client_id, lease_key from idp_deletions').all() as Array<{ client_id: string; lease_key: string | null }>
    const intents = db.prepare('select correlation_tag, state from idp_registrations').all() as Array<{ correlation_tag: string; state: string }>
    const atIdp = idp.clientIds()
    const found: string[] = []
    for (const id of atIdp) {
      const name = idp.clientName(id) ?? ''
      const listed = tombstones.some((t) => t.client_id === id) || intents.some((i) => i.state === 'unknown' && name.includes(`[${i.correlation_tag}]`))
      if (!held.includes(id) && !listed) found.push(`client ${id} (${name}) is at the IdP, neither held nor listed`)
    }
    for (const id of held) if (!atIdp.includes(id)) found.push(`client ${id} is held but unknown to the IdP`)
    for (const intent of intents) if (intent.state === 'in_flight') found.push(`registration ${intent.correlation_tag} still in flight`)
    for (const tombstone of tombstones) if (tombstone.lease_key !== null) found.push(`deletion of ${tombstone.client_id} still in flight`)
    return found
  }
  /** Polls until the restarted process's reconciler has acted (its lease TTL and interval: a second each). */
  const settled = async () => {
    for (let polls = 0; polls < 150 && problems().length > 0; polls++) await new Promise((resolve) => setTimeout(resolve, 100))
    return problems()
  }

  before(async () => {
    proxy = await startFaultProxy()
    idp = await startTestIdp({ profile: 'rfc', publicOrigin: proxy.origin, scopes: ['crash'] })
    proxy.target = idp.origin
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-crash-'))
    keys = env()
    service = await startService(keys)
    db = new Sqlite(path.join(dataDir, 'portal.db'), { readonly: true })
    const provider = await ok('POST', '/portal-api/oauth-providers', { Name: 'Crash IdP', Type: 'Other', WellKnownURL: idp.wellKnownUrl, RegistrationAccessToken: idp.initialAccessToken })
    type = (await ok('POST', `/portal-api/oauth-providers/${provider.ID}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })).ID
    product = (await ok('POST', '/portal-api/products', { Name: 'crash product', DCREnabled: true, Scopes: 'crash' })).ID
    await ok('POST', `/portal-api/products/${product}/client_types`, { ID: type })
    plan = (await ok('POST', '/portal-api/plans', { Name: 'crash plan', ProviderID: provider.ID })).ID
  })
  after(async () => {
    await service?.kill()
    db?.close()
    await proxy?.close()
    await idp?.close()
    if (dataDir !== undefined) fs.rmSync(dataDir, { recursive: true, force: true })
  })

  for (const crash of CASES) {
    const where = crash.call === undefined ? 'after it answered' : `${crash.phase} its ${crash.call.join(' ')}`
    it(`${crash.operation}, killed ${where}`, async () => {
      counter++
      const app = await ok('POST', '/portal-api/apps', { Name: `crash app ${counter}` })
      const request = (await ok('PUT', `/portal-api/apps/${app.ID}/provision`, { PlanID: plan, ProductIDs: [product], DCRTemplateID: type })).ID
      let url = `/portal-api/access_requests/${request}/approve`
      let method = 'PUT'
      if (crash.operation !== 'approve') {
        await ok('PUT', url)
        const credential = (await ok('GET', `/portal-api/apps/${app.ID}/access-requests/${request}/credentials`))[0]
        url = `/portal-api/apps/${app.ID}/access-requests/${request}/credentials/${credential.ID}${crash.operation === 'rotate' ? '/rotate' : ''}`
        method = crash.operation === 'rotate' ? 'PUT' : 'DELETE'
      }
      let release = () => { /* nothing held */ }
      let reached: Promise<void> = Promise.resolve()
      if (crash.call !== undefined) {
        const [callMethod, callPath] = crash.call
        const released = new Promise<void>((resolve) => { release = resolve })
        proxy.fault = (m, p) => m === callMethod && p.startsWith(callPath) ? { kind: crash.phase === 'before' ? 'hold_request' : 'hold_until', release: released } : undefined
        reached = crash.phase === 'before' ? proxy.arrival(callMethod, callPath) : proxy.heldAnswer(callMethod, callPath)
      }
      const sent = call(method, url).catch(() => undefined) // the process dies under it
      if (crash.call === undefined) assert.equal((await sent)?.status, 200)
      await reached
      await service.kill()
      proxy.fault = undefined
      release()
      await sent
      service = await startService(keys)
      assert.deepEqual(await settled(), [])
    })
  }
})
