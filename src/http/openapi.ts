// The OpenAPI 3.1 document is generated from the route schemas (@fastify/swagger), never hand-written.
// Every route is completed here with the error statuses it can answer because of what it declares.
import swagger from '@fastify/swagger'
import type { FastifyInstance, RouteOptions } from 'fastify'
import { ErrorsBody } from './schemas.ts'

const PORTAL_API = '/portal-api'

export async function registerOpenApi (app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.schema === undefined) return
    const schema = route.schema as Record<string, unknown>
    const responses = { ...(schema.response as Record<number, unknown> | undefined) }
    const add = (status: number) => { responses[status] ??= ErrorsBody }
    if (route.url.startsWith(PORTAL_API)) { add(401); add(503) } // 503: shed under load (src/http/overload.ts)
    if (schema.body !== undefined || schema.querystring !== undefined) add(400)
    if (schema.body !== undefined) { add(413); add(415) }
    if (schema.params !== undefined) add(404)
    add(500)
    schema.response = responses
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Portal service admin API',
        version: '0.1.0',
        description: 'OAuth2.0 providers and client types, wire-compatible with the Tyk Developer Portal /portal-api.'
      },
      servers: [{ url: '/' }],
      components: { securitySchemes: { AdminAPIToken: { type: 'apiKey', in: 'header', name: 'Authorization' } } },
      security: [{ AdminAPIToken: [] }]
    }
  })
}
