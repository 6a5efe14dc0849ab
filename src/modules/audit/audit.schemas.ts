// The audit log contract (our extension): GET /portal-api/audit-log.
import { Type, type Static } from 'typebox'
import { AppError, show } from '../../errors.ts'
import { Id, PageQuery } from '../../http/schemas.ts'
import { parseId } from '../../shared/ids.ts'
import { AUDIT_RESOURCE_TYPES, type AuditRecord } from './audit.ts'
import type { AuditFilter } from './audit.service.ts'

const Snapshot = (description: string) => Type.Unsafe<Record<string, unknown> | null>({ type: ['object', 'null'], additionalProperties: true, description })

export const AuditEntry = Type.Object({
  ID: Id,
  OccurredAt: Type.String({ description: 'ISO 8601, UTC, to the millisecond', examples: ['2026-11-27T10:05:00.123Z'] }),
  Actor: Type.String({
    description: '"bootstrap-token:" and the first 12 hex characters of the SHA-256 of PORTAL_ADMIN_TOKEN (never the token); "user:<email>" for an admin user\'s API token; "person:<username>" for a change made in the console; "system" for the service itself',
    examples: ['bootstrap-token:3f1c9a07b2de', 'user:ops@acme.example', 'person:admin']
  }),
  RequestID: Type.String({ description: 'The request id in the service log', examples: ['req-1f'] }),
  Action: Type.String({ examples: ['create', 'update', 'delete', 'attach_client_type', 'detach_client_type'] }),
  ResourceType: Type.String({ description: `one of ${AUDIT_RESOURCE_TYPES.join(', ')}`, examples: ['oauth_provider'] }),
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

// Our extension: the trail of one kind of resource, or of one resource.
export const AuditLogQuery = Type.Object({
  ...PageQuery.properties,
  resource_type: Type.Optional(Type.String({ description: `only entries of this kind of resource: ${AUDIT_RESOURCE_TYPES.join(', ')}` })),
  resource_id: Type.Optional(Type.String({ description: 'only entries of the resource with this ID (with resource_type: IDs are per kind)' }))
}, { additionalProperties: true })

/** The filter the query names; every bad parameter named in one 400, as parsePage does. */
export function parseAuditFilter (query: { readonly resource_type?: string | undefined; readonly resource_id?: string | undefined }): AuditFilter {
  const problems: string[] = []
  const type = query.resource_type
  if (type !== undefined && !(AUDIT_RESOURCE_TYPES as readonly string[]).includes(type)) {
    problems.push(`query parameter resource_type must be one of ${AUDIT_RESOURCE_TYPES.join(', ')}, got ${show(type)}`)
  }
  const id = query.resource_id === undefined ? undefined : parseId(query.resource_id)
  if (query.resource_id !== undefined && id === undefined) problems.push(`query parameter resource_id must be a resource ID (an integer from 1), got ${show(query.resource_id)}`)
  if (query.resource_id !== undefined && type === undefined) problems.push('query parameter resource_id needs resource_type: IDs are per kind of resource')
  if (problems.length > 0) throw new AppError('malformed_request', problems)
  return { ...(type === undefined ? {} : { resourceType: type }), ...(id === undefined ? {} : { resourceId: id }) }
}
