// The audit log contract (our extension): GET /portal-api/audit-log.
import { Type, type Static } from 'typebox'
import { Id } from '../../http/schemas.ts'
import type { AuditRecord } from './audit.ts'

const Snapshot = (description: string) => Type.Unsafe<Record<string, unknown> | null>({ type: ['object', 'null'], additionalProperties: true, description })

export const AuditEntry = Type.Object({
  ID: Id,
  OccurredAt: Type.String({ description: 'ISO 8601, UTC, to the millisecond', examples: ['2026-11-27T10:05:00.123Z'] }),
  Actor: Type.String({ description: 'First 12 hex characters of the SHA-256 of the admin token (never the token); "system" for the service itself', examples: ['3f1c9a07b2de'] }),
  RequestID: Type.String({ description: 'The request id in the service log', examples: ['req-1f'] }),
  Action: Type.String({ examples: ['create', 'update', 'delete', 'attach_client_type', 'detach_client_type'] }),
  ResourceType: Type.String({ examples: ['oauth_provider', 'client_type', 'product', 'plan', 'app'] }),
  ResourceID: Id,
  Before: Snapshot('The resource before the change (null for a create); secrets masked as "[redacted]"'),
  After: Snapshot('The resource after the change (null for a delete); secrets masked as "[redacted]"')
}, { additionalProperties: false })
export type AuditEntry = Static<typeof AuditEntry>

export function toAuditEntry (entry: AuditRecord): AuditEntry {
  return {
    ID: entry.id,
    OccurredAt: entry.occurredAt,
    Actor: entry.actor,
    RequestID: entry.requestId,
    Action: entry.action,
    ResourceType: entry.resourceType,
    ResourceID: entry.resourceId,
    Before: entry.before === null ? null : { ...entry.before },
    After: entry.after === null ? null : { ...entry.after }
  }
}
