import { show } from '../../errors.ts'
import { uniqueOrConflict, type Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { NewOAuthProviderRow, OAuthProviderChanges, OAuthProviderRow } from '../../db/tables/oauth-provider.table.ts'

export async function listProviders (db: Db, page: Page): Promise<OAuthProviderRow[]> {
  const at = await seek(db, 'oauth_providers', 0, page.offset)
  if (at === undefined) return []
  return await db.selectFrom('oauth_providers').selectAll().where('id', '>=', at.fromId).orderBy('id').limit(page.limit).offset(at.skip).execute()
}

export async function findProvider (db: Db, id: number): Promise<OAuthProviderRow | undefined> {
  return await db.selectFrom('oauth_providers').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function insertProvider (db: Db, row: NewOAuthProviderRow): Promise<OAuthProviderRow> {
  return await uniqueOrConflict(db.insertInto('oauth_providers').values(row).returningAll().executeTakeFirstOrThrow(), nameTaken(row.name))
}

export async function updateProvider (db: Db, id: number, changes: OAuthProviderChanges): Promise<OAuthProviderRow | undefined> {
  return await uniqueOrConflict(db.updateTable('oauth_providers').set(changes).where('id', '=', id).returningAll().executeTakeFirst(), nameTaken(changes.name))
}

export async function deleteProvider (db: Db, id: number): Promise<void> {
  await db.deleteFrom('oauth_providers').where('id', '=', id).execute()
}

const nameTaken = (name: unknown) => `Name ${show(name)} is already used by another provider`
