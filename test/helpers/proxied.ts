// A harness whose embedded IdP is reached through a fault proxy (the saga and crash tests inject faults there),
// with the embedded IdP connected as a provider and the gate's timeouts the test chooses.
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
  close(): Promise<void>
}

export async function startProxied (dialect: (typeof dialects)[number], gateTimeoutMs: number): Promise<Proxied> {
  const proxy = await startFaultProxy()
  const engine = new DcrEngine({ gate: new HttpGate({ headersTimeoutMs: gateTimeoutMs, bodyTimeoutMs: gateTimeoutMs }) })
  const h = await startHarness(dialect, { embeddedIdp: true, idpIssuer: proxy.origin, engine })
  proxy.target = h.idp!.origin
  const provider = (await h.call('POST', '/portal-api/oauth-providers/embedded')).body
  return {
    h,
    proxy,
    machineType: provider.ClientTypes.find((t: { Name: string }) => t.Name === 'Machine to machine').ID,
    idpClients: async () => (await h.database.db.selectFrom('idp_models').select('client_id').where('model', '=', 'Client').execute()).map((r) => r.client_id!),
    async close () {
      await h.close()
      await engine.close()
      await proxy.close()
    }
  }
}
