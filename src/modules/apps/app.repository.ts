import type { ExpressionBuilder } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { Tables } from '../../db/tables.ts'
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

/** Whose apps a developer may see and change (Tyk's roles): their own; a consumer-admin's, those of every user of their organisation too. */
export interface AppOwner {
  readonly userId: number
  /** Set for a consumer-admin. */
  readonly organisationId?: number
}

function ownedBy (owner: AppOwner) {
  return (eb: ExpressionBuilder<Tables, 'apps'>) => eb.or([
    eb('apps.user_id', '=', owner.userId),
    ...(owner.organisationId === undefined ? [] : [eb('apps.user_id', 'in', eb.selectFrom('users').select('users.id').where('users.organisation_id', '=', owner.organisationId))])
  ])
}

/** The apps an owner may see, in ID order, a page of them. */
export async function listAppsOwnedBy (db: Db, owner: AppOwner, page: Page): Promise<AppRow[]> {
  return await db.selectFrom('apps').selectAll().where(ownedBy(owner)).orderBy('id').limit(page.limit).offset(page.offset).execute()
}

/** The app, when the owner may see it. */
export async function findAppOwnedBy (db: Db, id: number, owner: AppOwner): Promise<AppRow | undefined> {
  return await db.selectFrom('apps').selectAll().where('id', '=', id).where(ownedBy(owner)).executeTakeFirst()
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
