// The audit trail of admin changes (issue 5 item 6): who (the bootstrap token's fingerprint, an admin
// user's token as user:<email>, a console person; never a token), when, what, with before/after snapshots whose secrets are masked. Callers write it with
// recordAudit(trx, …) inside the transaction of the change, so an entry exists exactly when the change does.
import type { Db } from '../../db/database.ts'
import type { Actor } from '../../shared/actor.ts'
import { insertAuditEntry } from './audit.repository.ts'
import { isSecretName } from '../../shared/secret-names.ts'
import type { AuditLogRow } from '../../db/tables/audit.table.ts'

export type AuditAction = 'create' | 'update' | 'delete' | 'attach_client_type' | 'detach_client_type' | (string & {})

/** Every kind of resource the trail records: what GET /portal-api/audit-log?resource_type= and the console offer. */
export const AUDIT_RESOURCE_TYPES = ['oauth_provider', 'client_type', 'product', 'plan', 'app', 'access_request', 'credential', 'organisation', 'team', 'user', 'catalogue', 'setting'] as const
export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number]

export interface AuditEntry {
  readonly actor: Actor
  /** When the change was made (the service's clock). */
  readonly at: Date
  readonly action: AuditAction
  readonly resourceType: AuditResourceType
  readonly resourceId: number
  /** The resource as it was (absent for a create) and as it is (absent for a delete); secrets are masked here. */
  readonly before?: unknown
  readonly after?: unknown
}

/**
 * How a service's records are kept in the audit trail: the API's representation of the resource (the
 * composition root gives the module's mapping), so that snapshots read as the answers admins saw.
 */
export type AuditSnapshot<T> = (record: T) => unknown

/** Writes one audit entry with the caller's transaction. */
export async function recordAudit (trx: Db, entry: AuditEntry): Promise<void> {
  await insertAuditEntry(trx, {
    occurred_at: entry.at.toISOString(),
    actor: entry.actor.fingerprint,
    request_id: entry.actor.requestId,
    action: entry.action,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    before: entry.before === undefined ? null : JSON.stringify(maskSecrets(entry.before)),
    after: entry.after === undefined ? null : JSON.stringify(maskSecrets(entry.after))
  })
}

/** One audit entry for a change of a record, each side kept as `snapshot` makes it: no `before` for a create, no `after` for a delete. */
export async function recordChange<T> (trx: Db, snapshot: AuditSnapshot<T>, entry: Omit<AuditEntry, 'before' | 'after'>, before: T | undefined, after: T | undefined): Promise<void> {
  await recordAudit(trx, {
    ...entry,
    ...(before === undefined ? {} : { before: snapshot(before) }),
    ...(after === undefined ? {} : { after: snapshot(after) })
  })
}

/** An entry as it was recorded: what the audit log service returns; the route answers it in its shape. */
export interface AuditRecord {
  readonly id: number
  readonly occurredAt: string // ISO 8601, UTC, to the millisecond
  /** Who acted: bootstrap-token:<fingerprint>, user:<email>, person:<username>, or "system". */
  readonly actor: string
  readonly requestId: string
  readonly action: AuditAction
  readonly resourceType: string
  readonly resourceId: number
  /** The snapshots as recorded (secrets already masked); null where the change had none. */
  readonly before: Readonly<Record<string, unknown>> | null
  readonly after: Readonly<Record<string, unknown>> | null
}

export function toAuditRecord (row: AuditLogRow): AuditRecord {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    actor: row.actor,
    requestId: row.request_id,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    before: row.before === null ? null : JSON.parse(row.before) as Record<string, unknown>,
    after: row.after === null ? null : JSON.parse(row.after) as Record<string, unknown>
  }
}

export const MASK = '[redacted]'

/**
 * A deep copy whose secret-named fields are masked: a non-empty value becomes "[redacted]" (a value that
 * already is a mask marker is kept), "" and null stay, so that "set", "cleared" and "unset" remain visible.
 */
export function maskSecrets (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [
    key,
    isSecretName(key) ? maskValue(inner) : maskSecrets(inner)
  ]))
}

function maskValue (value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value
  if (typeof value === 'string' && value.startsWith(MASK)) return value
  return MASK
}
