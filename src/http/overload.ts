// Load shedding (issue 5 item 7, security-checklist §6 item 39): at most `max` admin API requests are
// worked on at once; one more is answered 503 with Retry-After at once, instead of queueing until
// every caller times out. Registered on the /portal-api scope only, so /health and /ready always answer.
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'
import type { AnyTypeProviderFastify } from './any-fastify.ts'

export interface InFlightLimit {
  /** Requests worked on at once; more are refused. */
  readonly maxConcurrentRequests: number
  /** Retry-After, seconds. Default 1. */
  readonly retryAfterSeconds?: number
}

export const DEFAULT_MAX_CONCURRENT_REQUESTS = 64

const counted = Symbol('in-flight counted')

export function limitInFlightRequests (app: AnyTypeProviderFastify, limit: InFlightLimit): { inFlight: () => number } {
  let inFlight = 0
  const release = (request: FastifyRequest) => {
    const marked = request as FastifyRequest & { [counted]?: boolean }
    if (marked[counted] !== true) return
    marked[counted] = false
    inFlight--
  }
  // Callback hooks, not async ones: no promise and no extra turn of the event loop per request.
  app.addHook('onRequest', (request, reply, done) => {
    if (inFlight >= limit.maxConcurrentRequests) {
      request.log.warn({ inFlight, max: limit.maxConcurrentRequests }, 'request shed: too many in flight')
      done(new AppError('overloaded', `the service is busy: ${limit.maxConcurrentRequests} requests are already in progress; retry after ${limit.retryAfterSeconds ?? 1} s`, {
        retryAfterSeconds: limit.retryAfterSeconds ?? 1
      }))
      return
    }
    inFlight++;
    (request as FastifyRequest & { [counted]?: boolean })[counted] = true
    // Whichever comes first, once: the response was sent, or the connection closed before it was.
    reply.raw.once('close', () => { release(request) })
    done()
  })
  app.addHook('onResponse', (request, _reply, done) => {
    release(request)
    done()
  })
  return { inFlight: () => inFlight }
}
