// The ports, bound before anything else is opened (main.ts): a port in use is one line and exit 1, with
// no database file, secret or key written. Until the service is ready, each port answers 503.
import { once } from 'node:events'
import http from 'node:http'

/** A startup failure told in one line, without a stack trace (a port in use, a missing privilege). */
export class StartError extends Error {
  override readonly name = 'StartError'
}

export interface Listener {
  readonly server: http.Server
  /** Routes every request to `handler` from now on (before: 503 "starting"). */
  serve(handler: http.RequestListener): void
  /** Stops accepting at once (the port is free), lets in-flight requests finish, then resolves. */
  close(): Promise<void>
}

const WHY: Record<string, string> = {
  EADDRINUSE: 'is in use',
  EACCES: 'needs privileges this process does not have',
  EADDRNOTAVAIL: 'is not on an address of this machine'
}

export async function bind (port: number, host: string, setting: string): Promise<Listener> {
  let handler: http.RequestListener = starting
  let closing = false
  const inFlight = new Set<http.ServerResponse>()
  const server = http.createServer((req, res) => {
    inFlight.add(res)
    res.once('close', () => inFlight.delete(res))
    if (closing) res.setHeader('connection', 'close')
    handler(req, res)
  })
  server.keepAliveTimeout = 72_000 // Fastify's default, kept: longer than the 60 s idle timeout of common load balancers
  server.listen(port, host)
  try {
    await once(server, 'listening')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    const why = WHY[code]
    if (why === undefined) throw error
    throw new StartError(`port ${port} on ${host} ${why} (${setting})`)
  }
  return {
    server,
    serve (next) { handler = next },
    async close () {
      closing = true
      // Each kept-alive connection is closed after the answer in flight on it, so that close() can end.
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close')
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      await closed
    }
  }
}

function starting (req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume()
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' })
  res.end(JSON.stringify({ errors: ['the service is starting; retry shortly'] }))
}
