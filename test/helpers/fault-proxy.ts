// A small HTTP proxy in front of a real IdP, to inject faults at the process edge (issue 5): answer
// in the IdP's place, or forward and then hold the IdP's answer back (the IdP acted, the caller never
// learns it until released). Requests keep their Host header, so the IdP builds its URLs on the proxy's origin.
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault =
  | { readonly kind: 'answer'; readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  | { readonly kind: 'hold_answer' }

export interface FaultProxy {
  readonly origin: string
  /** Every request seen, as "METHOD /path". */
  readonly requests: string[]
  /** Where requests go (the real IdP's origin). */
  target: string
  /** Decides, per request, whether to inject a fault; undefined forwards it untouched. */
  fault: ((method: string, path: string) => Fault | undefined) | undefined
  /** Sends the held answers (to callers that gave up, nothing arrives). */
  release(): void
  close(): Promise<void>
}

export async function startFaultProxy (): Promise<FaultProxy> {
  const held: Array<() => void> = []
  const proxy: FaultProxy = {
    origin: '',
    requests: [],
    target: '',
    fault: undefined,
    release () { for (const send of held.splice(0)) send() },
    async close () {
      held.length = 0
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    proxy.requests.push(`${req.method ?? 'GET'} ${path}`)
    const fault = proxy.fault?.(req.method ?? 'GET', path)
    if (fault?.kind === 'answer') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers }).end(fault.body === undefined ? '' : JSON.stringify(fault.body))
      return
    }
    const upstream = http.request(`${proxy.target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = []
      answer.on('data', (chunk: Buffer) => chunks.push(chunk))
      answer.on('end', () => {
        const send = () => { if (!res.destroyed) res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks)) }
        if (fault?.kind !== 'hold_answer') return send()
        held.push(send)
      })
    })
    upstream.on('error', () => { if (!res.headersSent) res.writeHead(502).end() })
    req.pipe(upstream)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return Object.assign(proxy, { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
}
