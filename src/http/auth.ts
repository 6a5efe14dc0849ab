// Admin authentication (design.md §2): `Authorization: <token>` as Tyk sends it, or `Bearer <token>`.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'
import type { RateLimit } from '../shared/rate-limit.ts'
import type { Actor } from '../shared/actor.ts'

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

/**
 * An admin user's API token (issue 13 item 5) by the presented token's SHA-256: the audit actor it acts
 * for, or undefined. A lookup by hash needs no constant-time compare: what its timing could reveal is
 * how much of a digest matches, and a digest gives no way back to a token of 256 random bits.
 */
export type UserTokenLookup = (digest: Buffer) => Promise<string | undefined>

/**
 * An onRequest hook that lets only the admin token (the bootstrap token, PORTAL_ADMIN_TOKEN) or a live
 * user token through; compares digests in constant time. `failures` counts wrong tokens per client
 * address; past its limit the address gets 429 until its window ends.
 */
export function adminAuth (adminToken: string, failures: RateLimit, userToken?: UserTokenLookup) {
  const expected = digest(adminToken)
  const fingerprint = `${BOOTSTRAP_ACTOR}:${tokenFingerprint(adminToken)}`
  return async function authenticate (request: FastifyRequest): Promise<void> {
    const wait = failures.blocked(request.ip)
    if (wait !== undefined) throw new AppError('rate_limited', `too many failed admin authentications from ${request.ip}: retry in ${wait} s`, { retryAfterSeconds: wait })
    const refuse = (message: string): AppError => {
      failures.take(request.ip)
      return new AppError('unauthenticated', message)
    }
    // Node keeps only the first of repeated Authorization headers; a proxy may read another: refuse both.
    const sent = request.raw.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'authorization').length
    if (sent > 1) throw new AppError('malformed_request', `send one Authorization header, got ${sent}`)
    const header = request.headers.authorization
    if (header === undefined || header === '') throw new AppError('unauthenticated', 'missing Authorization header: send the admin API token')
    const presented = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '') : header
    const presentedDigest = digest(presented)
    if (timingSafeEqual(presentedDigest, expected)) {
      actors.set(request, { fingerprint, requestId: request.id })
      return
    }
    const user = await userToken?.(presentedDigest)
    if (user === undefined) throw refuse('invalid admin API token in the Authorization header')
    actors.set(request, { fingerprint: user, requestId: request.id })
  }
}

/** Who an authenticated request acts for (the audit trail, idempotency scopes); never the token itself. */
export function actorOf (request: FastifyRequest): Actor {
  const actor = actors.get(request)
  if (actor === undefined) throw new Error('actorOf() called on a request that did not pass adminAuth')
  return actor
}

/** The bootstrap token's audit actor is `bootstrap-token:<fingerprint>`: named as such, and which one if it was changed. */
export const BOOTSTRAP_ACTOR = 'bootstrap-token'

/** First 12 hex characters of the token's SHA-256: names the admin in audit entries without revealing the token. */
export function tokenFingerprint (token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12)
}

const actors = new WeakMap<FastifyRequest, Actor>()
