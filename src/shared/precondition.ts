// Optimistic concurrency for admins (our extension, opt-in): reads answer a strong ETag, the hash of the
// representation a GET answers; a PUT or DELETE sent with If-Match changes the resource only if it still
// has that ETag, checked under the row's lock inside the transaction of the change (compare-and-set), so
// that two admins racing with the same If-Match cannot both win (the row lock: src/db/lock-row.ts).
import { hash } from 'node:crypto'
import { AppError } from '../errors.ts'
import type { Actor } from './actor.ts'

/** If-Match as sent: "*" (any current representation) or a list of entity tags, quotes included. */
export type IfMatch = '*' | readonly string[]

/**
 * What a write carries from the request to the service: who, and on which condition. The condition is
 * If-Match turned by the route into a check of the current record against the route's own representation
 * (the ETag is the GET's); the service calls it with the record it has locked, and it throws 412.
 */
export interface WriteContext<T = unknown> {
  readonly actor: Actor
  /** Absent: no condition (Tyk's behaviour). `resource` names the record in the 412 ("plan 5"). */
  readonly precondition?: (current: T, resource: string) => void
}

/** The strong ETag of a representation: SHA-256 of its canonical JSON (keys sorted), base64url, quoted. */
export function etagOf (representation: unknown): string {
  // One-shot hash into a string: a third of the cost of createHash().update().digest() (bench profile).
  return `"${hash('sha256', canonicalJson(representation), 'base64url').slice(0, 27)}"`
}

/** JSON with every object's keys in code-unit order and undefined members left out, so equal values hash equal. */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let json = '['
    for (let i = 0; i < value.length; i++) json += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return `${json}]`
  }
  let json = '{'
  // Array.prototype.sort's default order compares UTF-16 code units, as `<` does on strings.
  for (const key of Object.keys(value).sort()) {
    const inner = (value as Record<string, unknown>)[key]
    if (inner !== undefined) json += (json.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(inner)
  }
  return `${json}}`
}

/** 412 unless the resource's current representation has one of the If-Match tags (strong comparison). */
export function assertIfMatch (ifMatch: IfMatch | undefined, resource: string, current: unknown): void {
  if (ifMatch === undefined || ifMatch === '*') return
  const etag = etagOf(current)
  if (ifMatch.includes(etag)) return
  throw new AppError('precondition_failed', [
    `${resource} has changed since it was read: If-Match ${ifMatch.join(', ')} does not match its current ETag ${etag}`,
    'read it again (GET), reapply the change and send the new ETag in If-Match'
  ])
}
