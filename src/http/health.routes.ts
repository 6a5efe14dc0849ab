import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../errors.ts'
import { StatusBody, errorResponses } from './schemas.ts'

/** Unauthenticated probes: /health (the process answers) and /ready (the database answers too). */
export function healthRoutes (ping: () => Promise<void>): FastifyPluginAsyncTypebox {
  return async (app) => {
    const schema = { tags: ['Health'], security: [], response: { 200: StatusBody } }
    app.get('/health', { schema: { ...schema, operationId: 'health' } }, async () => ({ status: 'ok' }))
    app.get('/ready', { schema: { ...schema, operationId: 'ready', response: { ...schema.response, ...errorResponses(503) } } }, async (request) => {
      try {
        await ping()
      } catch (error) {
        request.log.warn({ err: error }, 'database not reachable')
        throw new AppError('unavailable', 'database not reachable')
      }
      return { status: 'ok' }
    })
  }
}
