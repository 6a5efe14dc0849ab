// A harness whose embedded IdP is reached through a fault proxy (the saga and crash tests inject faults there),
// with the embedded IdP connected as a provider and the gate's timeouts the test chooses.
import assert from 'node:assert/strict'
import { DcrEngine, HttpGate } from '../../src/dcr/index.ts'
import { startHarness, type Harness } from './app.ts'
import type { dialects } from './dialects.ts'
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts'

export interface Proxied {
  readonly h: Harness
  readonly proxy: FaultProxy
  /** The embedded provider's "Machine to machine" client type. */
  readonly machineType: number
  /** The client ids the embedded IdP holds (its storage, no management call). */
  idpClients(): Promise<string[]>
  /** A pending access request of a new app on a new DCR product and plan, for the machine-to-machine type. */
  pendingRequest(label: string): Promise<{ readonly appId: number; readonly requestId: number }>
  close(): Promise<void>
}

export async function startProxied (dialect: (typeof dialects)[number], gateTimeoutMs: number): Promise<Proxied> {
  const proxy = await startFaultProxy()
  const engine = new DcrEngine({ gate: new HttpGate({ headersTimeoutMs: gateTimeoutMs, bodyTimeoutMs: gateTimeoutMs }) })
  const h = await startHarness(dialect, { embeddedIdp: true, idpIssuer: proxy.origin, engine })
  proxy.target = h.idp!.origin
  const provider = (await h.call('POST', '/portal-api/oauth-providers/embedded')).body
  const machineType: number = provider.ClientTypes.find((t: { Name: string }) => t.Name === 'Machine to machine').ID
  let made = 0
  return {
    h,
    proxy,
    machineType,
    async pendingRequest (label) {
      const n = ++made
      const product = await h.call('POST', '/portal-api/products', { Name: `${label} product ${n}`, DCREnabled: true, Scopes: `${label}-${n}` })
      await h.call('POST', `/portal-api/products/${product.body.ID}/client_types`, { ID: machineType })
      const plan = await h.call('POST', '/portal-api/plans', { Name: `${label} plan ${n}`, ProviderID: 1, JWTScope: `${label}-plan-${n}` })
      const app = await h.call('POST', '/portal-api/apps', { Name: `${label} app ${n}` })
      const provisioned = await h.call('PUT', `/portal-api/apps/${app.body.ID}/provision`, { PlanID: plan.body.ID, ProductIDs: [product.body.ID], DCRTemplateID: machineType })
      assert.equal(provisioned.status, 200, JSON.stringify(provisioned.body))
      return { appId: app.body.ID as number, requestId: provisioned.body.ID as number }
    },
    idpClients: async () => (await h.database.db.selectFrom('idp_models').select('client_id').where('model', '=', 'Client').execute()).map((r) => r.client_id!),
    async close () {
      await h.close()
      await engine.close()
      await proxy.close()
    }
  }
}
