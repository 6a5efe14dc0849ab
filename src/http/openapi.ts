// The OpenAPI 3.1 document is generated from the route schemas (@fastify/swagger), never hand-written.
// Every route is completed here with the error statuses it can answer because of what it declares
// (a body, params, the /portal-api prefix, If-Match, Idempotency-Key, Tyk's 422).
import swagger from '@fastify/swagger'
import type { FastifyInstance, RouteOptions } from 'fastify'
import { ErrorsBody, ErrorsWithMessageBody, StatusWithErrorsAndMessageBody, StatusWithErrorsBody } from './schemas.ts'

const PORTAL_API = '/portal-api'

/**
 * Adds error statuses to what a route documents, unless it documents them already: Tyk's OnlyErrors
 * envelope, or StatusWithErrors for a 422 where the route's config says so (src/http/error-handler.ts).
 */
export function addErrorResponses (route: RouteOptions, ...statuses: number[]): void {
  const schema = route.schema as Record<string, unknown>
  const responses = { ...(schema.response as Record<number, unknown> | undefined) }
  const statusErrors = route.config?.errorEnvelope === 'status-errors'
  for (const status of statuses) responses[status] ??= status === 422 && statusErrors ? StatusWithErrorsBody : ErrorsBody
  schema.response = responses
}

/** A route whose config says errorMessage: every error envelope it documents carries `message` too (error-handler.ts). */
function withMessages (route: RouteOptions): void {
  const schema = route.schema as { response: Record<number, unknown> }
  for (const [status, body] of Object.entries(schema.response)) {
    if (body === ErrorsBody) schema.response[Number(status)] = ErrorsWithMessageBody
    if (body === StatusWithErrorsBody) schema.response[Number(status)] = StatusWithErrorsAndMessageBody
  }
}

export async function registerOpenApi (app: FastifyInstance): Promise<void> {
  // The statuses a route can answer because of what it declares; the route file lists the others.
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.schema === undefined) return
    const schema = route.schema as Record<string, unknown>
    if (route.url.startsWith(PORTAL_API)) addErrorResponses(route, 401, 429, 503) // 429: auth failures per address; 503: shed under load (src/http/overload.ts)
    if (schema.body !== undefined || schema.querystring !== undefined) addErrorResponses(route, 400)
    if (schema.body !== undefined) addErrorResponses(route, 413, 415, ...(route.config?.invalidBodyStatus === undefined ? [] : [route.config.invalidBodyStatus]))
    if (schema.params !== undefined) addErrorResponses(route, 404)
    addErrorResponses(route, 500)
    if (route.config?.errorMessage === true) withMessages(route)
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
