import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import { preparedQuery } from '../../db/prepared.ts'
import type { AuditLogRow, NewAuditLogRow } from '../../db/tables/audit.table.ts'

// Compiled once: every change writes one (issue 14 item 2).
const insertAuditQuery = preparedQuery((db, occurredAt: string, actor: string, requestId: string, action: string, resourceType: string, resourceId: number, before: string | null, after: string | null) =>
  db.insertInto('audit_log').values({ occurred_at: occurredAt, actor, request_id: requestId, action, resource_type: resourceType, resource_id: resourceId, before, after }))

export async function insertAuditEntry (db: Db, row: NewAuditLogRow): Promise<void> {
  await insertAuditQuery(db, row.occurred_at, row.actor, row.request_id, row.action, row.resource_type, row.resource_id, row.before ?? null, row.after ?? null)
}

/** Which entries a list holds: all, one kind of resource, or one resource. */
export interface AuditFilter {
  readonly resourceType?: string
  /** Only with resourceType: ids are per kind. */
  readonly resourceId?: number
}

/** Newest first (descending ID: IDs grow with commits of the changes they record). */
export async function listAuditEntries (db: Db, page: Page, filter: AuditFilter = {}): Promise<AuditLogRow[]> {
  if (filter.resourceType !== undefined) {
    // The index on (resource_type, resource_id) holds these rows; the position index counts the whole log only.
    let query = db.selectFrom('audit_log').selectAll().where('resource_type', '=', filter.resourceType)
    if (filter.resourceId !== undefined) query = query.where('resource_id', '=', filter.resourceId)
    return await query.orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute()
  }
  const at = await seek(db, 'audit_log', 0, page.offset, 'desc')
  if (at === undefined) return []
  return await db.selectFrom('audit_log').selectAll().where('id', '<', at.fromId).orderBy('id', 'desc').limit(page.limit).offset(at.skip).execute()
}
