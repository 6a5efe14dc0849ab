// A small HTTP proxy in front of a real IdP, to inject faults at the process edge (issue 5): answer
// in the IdP's place, or forward and then hold the IdP's answer back (the IdP acted, the caller never
// learns it until released). Requests keep their Host header, so the IdP builds its URLs on the proxy's origin.
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault =
  | { readonly kind: 'answer'; readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  /** Forwards the request, then holds the IdP's answer until release() (the IdP acted; the caller waits). */
  | { readonly kind: 'hold_answer' }
  /** Forwards the request, then holds the IdP's answer until `release` settles: explicit synchronisation, no timer. */
  | { readonly kind: 'hold_until'; readonly release: Promise<unknown> }
  /** Holds the request itself, unsent to the IdP, until `release` settles. */
  | { readonly kind: 'hold_request'; readonly release: Promise<unknown> }

export interface FaultProxy {
  readonly origin: string
  /** Every request seen, as "METHOD /path". */
  readonly requests: string[]
  /** Where requests go (the real IdP's origin). */
  target: string
  /** Decides, per request, whether to inject a fault; undefined forwards it untouched. */
  fault: ((method: string, path: string) => Fault | undefined) | undefined
  /** Sends the answers held by 'hold_answer' (to callers that gave up, nothing arrives). */
  release(): void
  /** Resolves when a request "METHOD /path" (path prefix) next reaches the proxy. */
  arrival(method: string, pathPrefix: string): Promise<void>
  /** Resolves when the IdP's answer to such a request is next held back (the IdP has acted). */
  heldAnswer(method: string, pathPrefix: string): Promise<void>
  close(): Promise<void>
}

export async function startFaultProxy (): Promise<FaultProxy> {
  const held: Array<() => void> = []
  interface Waiter { method: string; pathPrefix: string; arrived: () => void }
  const awaited: Waiter[] = []
  const awaitedAnswers: Waiter[] = []
  const wake = (waiters: Waiter[], method: string | undefined, path: string) => {
    for (const waiter of waiters.filter((w) => w.method === method && path.startsWith(w.pathPrefix))) {
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.arrived()
    }
  }
  const proxy: FaultProxy = {
    origin: '',
    requests: [],
    target: '',
    fault: undefined,
    release () { for (const send of held.splice(0)) send() },
    async arrival (method, pathPrefix) {
      await new Promise<void>((resolve) => { awaited.push({ method, pathPrefix, arrived: resolve }) })
    },
    async heldAnswer (method, pathPrefix) {
      await new Promise<void>((resolve) => { awaitedAnswers.push({ method, pathPrefix, arrived: resolve }) })
    },
    async close () {
      held.length = 0
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    proxy.requests.push(`${req.method ?? 'GET'} ${path}`)
    wake(awaited, req.method, path)
    const fault = proxy.fault?.(req.method ?? 'GET', path)
    if (fault?.kind === 'answer') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers }).end(fault.body === undefined ? '' : JSON.stringify(fault.body))
      return
    }
    if (fault?.kind === 'hold_request') {
      const refuse = () => { if (!res.destroyed) res.writeHead(503).end() }
      void fault.release.then(refuse, refuse)
      return
    }
    const upstream = http.request(`${proxy.target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = []
      answer.on('data', (chunk: Buffer) => chunks.push(chunk))
      answer.on('end', () => {
        const send = () => { if (!res.destroyed) res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks)) }
        if (fault?.kind === 'hold_until') {
          wake(awaitedAnswers, req.method, path)
          return void fault.release.then(send, send)
        }
        if (fault?.kind !== 'hold_answer') return send()
        wake(awaitedAnswers, req.method, path)
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
