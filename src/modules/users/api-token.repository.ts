import type { Db } from '../../db/database.ts'
import type { AdminApiTokenRow } from '../../db/tables/admin-api-token.table.ts'
import { ADMIN_ROLES } from '../organisations/member.record.ts'

export async function findTokenOf (db: Db, userId: number): Promise<AdminApiTokenRow | undefined> {
  return await db.selectFrom('admin_api_tokens').selectAll().where('user_id', '=', userId).executeTakeFirst()
}

/** The user's one token: a new one replaces the old, which stops working in the same statement. */
export async function saveToken (db: Db, row: AdminApiTokenRow): Promise<void> {
  await db.insertInto('admin_api_tokens').values(row)
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ token_hash: row.token_hash, created_at: row.created_at, created_by: row.created_by })).execute()
}

export async function deleteTokenOf (db: Db, userId: number): Promise<void> {
  await db.deleteFrom('admin_api_tokens').where('user_id', '=', userId).execute()
}

/** The email of the active admin user whose token has this SHA-256 (hex); undefined for any other. */
export async function findAdminByTokenHash (db: Db, tokenHash: string): Promise<string | undefined> {
  const row = await db.selectFrom('admin_api_tokens').innerJoin('users', 'users.id', 'admin_api_tokens.user_id')
    .select('users.email').where('admin_api_tokens.token_hash', '=', tokenHash)
    .where('users.active', '=', 1).where('users.role', 'in', [...ADMIN_ROLES]).executeTakeFirst()
  return row?.email
}
