import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { AuditLogRow, NewAuditLogRow } from '../../db/tables/audit.table.ts'

export async function insertAuditEntry (db: Db, row: NewAuditLogRow): Promise<void> {
  await db.insertInto('audit_log').values(row).execute()
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
