import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { AppChanges, AppRow, NewAppRow } from '../../db/tables/app.table.ts'

export async function listApps (db: Db, page: Page): Promise<AppRow[]> {
  const at = await seek(db, 'apps', 0, page.offset)
  if (at === undefined) return []
  return await db.selectFrom('apps').selectAll().where('id', '>=', at.fromId).orderBy('id').limit(page.limit).offset(at.skip).execute()
}

export async function findApp (db: Db, id: number): Promise<AppRow | undefined> {
  return await db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst()
}

/** A user's apps, in ID order. */
export async function listAppsOfUser (db: Db, userId: number): Promise<AppRow[]> {
  return await db.selectFrom('apps').selectAll().where('user_id', '=', userId).orderBy('id').execute()
}

export async function insertApp (db: Db, row: NewAppRow): Promise<AppRow> {
  return await db.insertInto('apps').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function updateApp (db: Db, id: number, changes: AppChanges): Promise<AppRow | undefined> {
  return await db.updateTable('apps').set(changes).where('id', '=', id).returningAll().executeTakeFirst()
}

export async function deleteApp (db: Db, id: number): Promise<void> {
  await db.deleteFrom('apps').where('id', '=', id).execute()
}
