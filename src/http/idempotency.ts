// Idempotency-Key on admin creates, provision and approve (our extension, opt-in: without the header
// nothing changes). A preHandler reserves the key (scope: admin token fingerprint, method and route) before
// the handler runs; an onSend hook stores the answer. A repeat gets the first answer (status, body, ETag)
// with `Idempotent-Replayed: true` and causes no second effect; the same key with another request (method,
// path, query or body) → 422; while the first is still in flight → 409. Keys expire after 24 h.
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { Db } from '../db/database.ts'
import { AppError, show } from '../errors.ts'
import type { Clock } from '../shared/time.ts'
import { actorOf } from './auth.ts'
import { addRequestHeader, routeHooks } from './concurrency.ts'
import { addErrorResponses } from './openapi.ts'
import { completeKey, deleteExpiredKey, deleteExpiredKeys, findKey, releaseKey, reserveKey } from '../db/idempotency.store.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route honours Idempotency-Key (creates, provision, approve): it may answer 409 and 422 for it. */
    idempotent?: true
  }
}

export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000
/**
 * A reservation still in flight after this long belongs to a process that stopped while working on it.
 * It is not taken over (the change may have been made): the key answers 409 until it expires.
 */
export const ABANDONED_AFTER_MS = 5 * 60 * 1000
const SWEEP_EVERY_MS = 60 * 1000
/** Headers of the first answer that a replay repeats. */
const REPLAYED_HEADERS = ['etag']

const KEY_HEADER = {
  type: 'string',
  description: 'Our extension: a repeat with the same key (same admin token and route, within 24 h) answers the first answer ' +
    'and has no second effect; the same key with another request answers 422, and while the first is in flight 409. 1 to 255 printable ASCII characters'
}

interface Reservation { readonly scope: string; readonly key: string }

export interface IdempotencyDeps {
  readonly db: Db
  readonly now: Clock
}

/** Returns the onRoute hook that wires (and documents) Idempotency-Key on the routes whose config says `idempotent`. */
export function idempotencyKeys (deps: IdempotencyDeps): (route: RouteOptions) => void {
  const reservations = new WeakMap<FastifyRequest, Reservation>()
  let lastSweep = 0

  async function reserve (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const key = keyOf(request)
    if (key === undefined) return undefined
    const now = deps.now()
    if (now.getTime() - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = now.getTime()
      await deleteExpiredKeys(deps.db, now.toISOString())
    }
    const scope = `${actorOf(request).fingerprint} ${request.method} ${request.routeOptions.url ?? ''}`
    const row = {
      scope,
      key,
      request_hash: requestHash(request),
      response_status: null,
      response_body: null,
      response_headers: null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + KEY_LIFETIME_MS).toISOString()
    }
    let reserved = await reserveKey(deps.db, row)
    if (!reserved) {
      await deleteExpiredKey(deps.db, scope, key, row.created_at)
      reserved = await reserveKey(deps.db, row)
    }
    if (reserved) {
      reservations.set(request, { scope, key })
      return undefined
    }
    const first = await findKey(deps.db, scope, key)
    if (first !== undefined && first.request_hash !== row.request_hash) {
      throw new AppError('idempotency_key_reused', `Idempotency-Key ${show(key)} was already used with another request (method, path or body) in the last 24 hours: send a new key`)
    }
    if (first === undefined || first.response_status === null || first.response_body === null) {
      const abandoned = first !== undefined && Date.parse(first.created_at) <= now.getTime() - ABANDONED_AFTER_MS
      throw new AppError('conflict_busy', abandoned
        ? `Idempotency-Key ${show(key)}: the first request with this key did not finish (the service stopped while working on it); check the resource and send a new key`
        : `Idempotency-Key ${show(key)}: the first request with this key is still in flight; retry once it has answered`)
    }
    const headers = JSON.parse(first.response_headers ?? '{}') as Record<string, string>
    return await reply.code(first.response_status)
      .headers({ ...headers, 'content-type': 'application/json; charset=utf-8', 'idempotent-replayed': 'true' })
      .send(first.response_body)
  }

  async function store (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const reservation = reservations.get(request)
    if (reservation === undefined) return payload
    reservations.delete(request)
    const { scope, key } = reservation
    try {
      // 5xx: nothing was done, or the outcome is the service's to settle (an IdP that timed out is reconciled,
      // a request left pending can be approved again): the key is freed so that a retry runs again.
      if (reply.statusCode >= 500 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
        await releaseKey(deps.db, scope, key)
      } else {
        const headers = Object.fromEntries(REPLAYED_HEADERS.flatMap((name) => {
          const value = reply.getHeader(name)
          return value === undefined ? [] : [[name, String(value)]]
        }))
        await completeKey(deps.db, scope, key, reply.statusCode, payload.toString(), headers)
      }
    } catch (error) {
      // The change is made and answered; the key keeps answering 409 until it expires.
      request.log.error({ err: error }, 'could not store the answer of an Idempotency-Key')
    }
    return payload
  }

  return (route) => {
    const schema = route.schema as Record<string, unknown> | undefined
    if (schema === undefined || (route.config)?.idempotent !== true) return
    addRequestHeader(schema, 'Idempotency-Key', KEY_HEADER)
    addErrorResponses(route, 400, 409, 422)
    route.preHandler = [...routeHooks(route.preHandler), reserve]
    route.onSend = [...routeHooks(route.onSend), store]
  }
}

function keyOf (request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key']
  if (key === undefined) return undefined
  if (typeof key !== 'string' || !/^[\x20-\x7e]{1,255}$/.test(key) || key.trim() === '') {
    throw new AppError('malformed_request', `Idempotency-Key must be 1 to 255 printable ASCII characters, got ${show(key)}`)
  }
  return key
}

/** What makes two requests the same: method, path with query, and the body as JSON with sorted keys. */
function requestHash (request: FastifyRequest): string {
  return createHash('sha256').update(JSON.stringify([request.method, request.url, sortKeys(request.body ?? null)]), 'utf8').digest('hex')
}

function sortKeys (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([key, inner]) => [key, sortKeys(inner)]))
}
