import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { AuditLogRow, NewAuditLogRow } from '../../db/tables/audit.table.ts'

export async function insertAuditEntry (db: Db, row: NewAuditLogRow): Promise<void> {
  await db.insertInto('audit_log').values(row).execute()
}

/** Newest first (descending ID: IDs grow with commits of the changes they record). */
export async function listAuditEntries (db: Db, page: Page): Promise<AuditLogRow[]> {
  const at = await seek(db, 'audit_log', 0, page.offset, 'desc')
  if (at === undefined) return []
  return await db.selectFrom('audit_log').selectAll().where('id', '<', at.fromId).orderBy('id', 'desc').limit(page.limit).offset(at.skip).execute()
}
