// Benchmark child: the framework ceiling. A bare Fastify 5 server (defaults: no logger, no schemas,
// no auth, no database) with routes of the same shape as the service's: GET answers the client-type
// JSON the service answered (BENCH_BODY), held in memory; PUT parses the JSON body and echoes it.
import Fastify from 'fastify'

const body: unknown = JSON.parse(process.env.BENCH_BODY ?? '{}')
const app = Fastify()
const route = '/portal-api/oauth-providers/:provider_id/client-types/:client_type_id'
app.get(route, async () => body)
app.put(route, async (request) => request.body)

const stop = () => { app.close().then(() => process.exit(0), () => process.exit(1)) }
process.on('message', (message: { type?: string }) => { if (message.type === 'stop') stop() })
process.once('SIGTERM', stop)
process.once('disconnect', stop)

try {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  process.send?.({ type: 'listening', port: address.port })
} catch (error) {
  process.stderr.write(`bench baseline: ${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
}
