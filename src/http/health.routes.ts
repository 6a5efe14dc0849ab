import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../errors.ts'
import { errorResponses } from './schemas.ts'

// Tyk's portal answers its probes {"message":"Success"} (its deployment scripts wait for that text); our
// details stand beside it.
const Probe = Type.Object({
  message: Type.String({ examples: ['Success'] }),
  status: Type.String({ examples: ['ok'] }),
  database: Type.Optional(Type.String({ examples: ['ok'], description: 'the database answered (/ready only)' }))
}, { additionalProperties: false, description: 'Tyk\'s probe answer, with our details' })

/** Unauthenticated probes: /health and /live (the process answers) and /ready (the database answers too). */
export function healthRoutes (ping: () => Promise<void>): FastifyPluginAsyncTypebox {
  return async (app) => {
    const schema = { tags: ['Health'], security: [], response: { 200: Probe } }
    const alive = async () => ({ message: 'Success', status: 'ok' })
    app.get('/health', { schema: { ...schema, operationId: 'health' } }, alive)
    app.get('/live', { schema: { ...schema, operationId: 'live' } }, alive)
    app.get('/ready', {
      schema: { ...schema, operationId: 'ready', response: { ...schema.response, ...errorResponses(503) } },
      config: { errorMessage: true }
    }, async (request) => {
      try {
        await ping()
      } catch (error) {
        request.log.warn({ err: error }, 'database not reachable')
        throw new AppError('unavailable', 'database not reachable')
      }
      return { message: 'Success', status: 'ok', database: 'ok' }
    })
  }
}
