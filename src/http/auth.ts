// Admin authentication (design.md §2): `Authorization: <token>` as Tyk sends it, or `Bearer <token>`.
import { createHash, hash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { AppError } from '../errors.ts'
import type { RateLimit } from '../shared/rate-limit.ts'
import type { Actor } from '../shared/actor.ts'

// One-shot hash to text, then bytes: a third of createHash().update().digest()'s cost (bench profile; the
// 'buffer' output costs twice the text's). No cache of accepted tokens: it would have to hold the token.
const digestText = (value: string): string => hash('sha256', value, 'base64url')
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1')

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
  const expected = bytes(digestText(adminToken))
  const fingerprint = `${BOOTSTRAP_ACTOR}:${tokenFingerprint(adminToken)}`
  const refuse = (request: FastifyRequest): AppError => {
    failures.take(request.ip)
    return new AppError('unauthenticated', 'invalid admin API token in the Authorization header')
  }
  /** Lets the bootstrap token through at once; answers the digest of any other token presented. */
  const check = (request: FastifyRequest): Buffer | undefined => {
    const wait = failures.blocked(request.ip)
    if (wait !== undefined) throw new AppError('rate_limited', `too many failed admin authentications from ${request.ip}: retry in ${wait} s`, { retryAfterSeconds: wait })
    // Node keeps only the first of repeated Authorization headers; a proxy may read another: refuse both.
    const sent = request.raw.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'authorization').length
    if (sent > 1) throw new AppError('malformed_request', `send one Authorization header, got ${sent}`)
    const header = request.headers.authorization
    if (header === undefined || header === '') throw new AppError('unauthenticated', 'missing Authorization header: send the admin API token')
    const presented = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '') : header
    const presentedDigest = digestText(presented)
    if (timingSafeEqual(bytes(presentedDigest), expected)) {
      (request as ActingRequest)[ACTOR] = { fingerprint, requestId: request.id }
      return undefined
    }
    if (userToken === undefined) throw refuse(request)
    // The SHA-256 itself, as admin users' API tokens are stored (users/api-token.service.ts).
    return Buffer.from(presentedDigest, 'base64url')
  }
  // A callback hook, not an async one: the bootstrap token costs no promise and no extra turn of the event
  // loop per request; only an admin user's token waits for its lookup.
  return function authenticate (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    let pending: Buffer | undefined
    try {
      pending = check(request)
    } catch (error) {
      done(error as Error)
      return
    }
    if (pending === undefined || userToken === undefined) {
      done()
      return
    }
    userToken(pending).then((user) => {
      if (user === undefined) {
        done(refuse(request))
        return
      }
      (request as ActingRequest)[ACTOR] = { fingerprint: user, requestId: request.id }
      done()
    }, (error: unknown) => { done(error as Error) })
  }
}

/** Who an authenticated request acts for (the audit trail, idempotency scopes); never the token itself. */
export function actorOf (request: FastifyRequest): Actor {
  const actor = (request as ActingRequest)[ACTOR]
  if (actor === undefined) throw new Error('actorOf() called on a request that did not pass adminAuth')
  return actor
}

/** The bootstrap token's audit actor is `bootstrap-token:<fingerprint>`: named as such, and which one if it was changed. */
export const BOOTSTRAP_ACTOR = 'bootstrap-token'

/** First 12 hex characters of the token's SHA-256: names the admin in audit entries without revealing the token. */
export function tokenFingerprint (token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12)
}

// On the request itself: a WeakMap entry per request was 1 % of a GET's CPU (bench profile: ephemeron writes).
const ACTOR = Symbol('admin actor')
type ActingRequest = FastifyRequest & { [ACTOR]?: Actor }
