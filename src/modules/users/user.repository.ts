import { show } from '../../errors.ts'
import { uniqueOrConflict, type Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { NewUserRow, UserChanges, UserRow } from '../../db/tables/user.table.ts'

export async function listUsers (db: Db, page: Page, active?: boolean): Promise<UserRow[]> {
  // One state (the console's "waiting for approval"): paged by offset; positions count every user together.
  if (active !== undefined) {
    return await db.selectFrom('users').selectAll().where('active', '=', active ? 1 : 0).orderBy('id').limit(page.limit).offset(page.offset).execute()
  }
  const at = await seek(db, 'users', 0, page.offset)
  if (at === undefined) return []
  return await db.selectFrom('users').selectAll().where('id', '>=', at.fromId).orderBy('id').limit(page.limit).offset(at.skip).execute()
}

export async function findUser (db: Db, id: number): Promise<UserRow | undefined> {
  return await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The user someone signs in as ("<iss> <sub>"), if any. */
export async function findUserBySubject (db: Db, subject: string): Promise<UserRow | undefined> {
  return await db.selectFrom('users').selectAll().where('subject', '=', subject).executeTakeFirst()
}

/** The user with this address, compared ignoring case as the unique index does. */
export async function findUserByEmail (db: Db, email: string): Promise<UserRow | undefined> {
  return await db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).where('email', '<>', '').executeTakeFirst()
}

/** Links a user nobody signs in as yet to a subject; undefined when someone was linked meanwhile. */
export async function linkUser (db: Db, id: number, subject: string, updatedAt: string): Promise<UserRow | undefined> {
  return await db.updateTable('users').set({ subject, updated_at: updatedAt }).where('id', '=', id).where('subject', 'is', null).returningAll().executeTakeFirst()
}

export async function insertUser (db: Db, row: NewUserRow): Promise<UserRow> {
  return await uniqueOrConflict(db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow(), emailTaken(row.email))
}

export async function updateUser (db: Db, id: number, changes: UserChanges): Promise<UserRow | undefined> {
  return await uniqueOrConflict(db.updateTable('users').set(changes).where('id', '=', id).returningAll().executeTakeFirst(), emailTaken(changes.email))
}

/** Its team memberships go with it (the foreign key cascades). */
export async function deleteUser (db: Db, id: number): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute()
}

const emailTaken = (email: unknown) => `Email ${show(email)} is already used by another user (addresses are compared ignoring case)`

export async function countAppsOf (db: Db, userId: number): Promise<number> {
  const { count } = await db.selectFrom('apps').select((eb) => eb.fn.countAll<number | string>().as('count')).where('user_id', '=', userId).executeTakeFirstOrThrow()
  return Number(count)
}
