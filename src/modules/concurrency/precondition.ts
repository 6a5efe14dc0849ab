// Optimistic concurrency for admins (our extension, opt-in): reads answer a strong ETag, the hash of the
// representation a GET answers; a PUT or DELETE sent with If-Match changes the resource only if it still
// has that ETag, checked under the row's lock inside the transaction of the change (compare-and-set), so
// that two admins racing with the same If-Match cannot both win.
import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { AppError } from '../../errors.ts'
import type { Actor } from '../audit/audit.ts'

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
  return `"${createHash('sha256').update(canonicalJson(representation), 'utf8').digest('base64url').slice(0, 27)}"`
}

function canonicalJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  const entries = Object.entries(value).filter(([, inner]) => inner !== undefined).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`
}

export type VersionedTable = 'oauth_providers' | 'oauth_client_types' | 'products' | 'plans'

/**
 * Locks a row for the rest of the transaction, before its state is compared. PostgreSQL: a concurrent
 * writer waits here until we commit, then reads our change and fails the comparison. SQLite: Kysely runs
 * one transaction at a time on its one connection, so this only makes ours a write transaction early.
 */
export async function lockRow (trx: Db, table: VersionedTable, id: number | undefined): Promise<void> {
  if (id === undefined) return
  await sql`update ${sql.table(table)} set updated_at = updated_at where id = ${id}`.execute(trx)
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
