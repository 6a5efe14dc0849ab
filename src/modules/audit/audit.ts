// The audit trail of admin changes (issue 5 item 6): who (a fingerprint of the admin token, never the
// token), when, what, with before/after snapshots whose secrets are masked. Callers write it with
// recordAudit(trx, …) inside the transaction of the change, so an entry exists exactly when the change does.
import type { Db } from '../../db/database.ts'
import type { Actor } from '../../shared/actor.ts'
import { insertAuditEntry } from './audit.repository.ts'
import { isSecretName } from '../../shared/secret-names.ts'

export type AuditAction = 'create' | 'update' | 'delete' | 'attach_client_type' | 'detach_client_type' | (string & {})

export interface AuditEntry {
  readonly actor: Actor
  /** When the change was made (the service's clock). */
  readonly at: Date
  readonly action: AuditAction
  /** Singular snake_case: oauth_provider, client_type, product, plan, app, access_request, credential. */
  readonly resourceType: string
  readonly resourceId: number
  /** The resource as it was (absent for a create) and as it is (absent for a delete); secrets are masked here. */
  readonly before?: unknown
  readonly after?: unknown
}

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
