// Admin authentication (design.md §2): `Authorization: <token>` as Tyk sends it, or `Bearer <token>`.
import { createHash, hash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { AppError } from '../errors.ts'
import type { RateLimit } from '../shared/rate-limit.ts'
import type { Actor } from '../shared/actor.ts'

// One-shot hash to text, then bytes: a third of createHash().update().digest()'s cost (bench profile). No
// cache of accepted tokens: it would have to hold the token, and the digest is 0.3 µs.
const digest = (value: string) => Buffer.from(hash('sha256', value, 'base64url'), 'latin1')

/**
 * An onRequest hook that lets only the admin token through; compares digests in constant time. `failures`
 * counts wrong tokens per client address; past its limit the address gets 429 until its window ends.
 */
export function adminAuth (adminToken: string, failures: RateLimit) {
  const expected = digest(adminToken)
  const fingerprint = tokenFingerprint(adminToken)
  const check = (request: FastifyRequest): void => {
    const wait = failures.blocked(request.ip)
    if (wait !== undefined) throw new AppError('rate_limited', `too many failed admin authentications from ${request.ip}: retry in ${wait} s`, { retryAfterSeconds: wait })
    // Node keeps only the first of repeated Authorization headers; a proxy may read another: refuse both.
    const sent = request.raw.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'authorization').length
    if (sent > 1) throw new AppError('malformed_request', `send one Authorization header, got ${sent}`)
    const header = request.headers.authorization
    if (header === undefined || header === '') throw new AppError('unauthenticated', 'missing Authorization header: send the admin API token')
    const presented = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '') : header
    if (!timingSafeEqual(digest(presented), expected)) {
      failures.take(request.ip)
      throw new AppError('unauthenticated', 'invalid admin API token in the Authorization header')
    }
    (request as ActingRequest)[ACTOR] = { fingerprint, requestId: request.id }
  }
  // A callback hook, not an async one: no promise and no extra turn of the event loop per request.
  return function authenticate (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    try {
      check(request)
    } catch (error) {
      done(error as Error)
      return
    }
    done()
  }
}

/** Who an authenticated request acts for (the audit trail, idempotency scopes); never the token itself. */
export function actorOf (request: FastifyRequest): Actor {
  const actor = (request as ActingRequest)[ACTOR]
  if (actor === undefined) throw new Error('actorOf() called on a request that did not pass adminAuth')
  return actor
}

/** First 12 hex characters of the token's SHA-256: names the admin in audit entries without revealing the token. */
export function tokenFingerprint (token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12)
}

// On the request itself: a WeakMap entry per request was 1 % of a GET's CPU (bench profile: ephemeron writes).
const ACTOR = Symbol('admin actor')
type ActingRequest = FastifyRequest & { [ACTOR]?: Actor }
