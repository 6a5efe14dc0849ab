import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { CatalogueAudienceRow } from '../../db/tables/catalogue.table.ts'

/** An audience with the names Tyk shows next to the ids. */
export interface AudienceView extends CatalogueAudienceRow {
  catalogue_name: string
  team_name: string
  organisation_id: number
  organisation_name: string
}

function views (db: Db) {
  return db.selectFrom('catalogue_audiences')
    .innerJoin('catalogues', 'catalogues.id', 'catalogue_audiences.catalogue_id')
    .innerJoin('teams', 'teams.id', 'catalogue_audiences.team_id')
    .innerJoin('organisations', 'organisations.id', 'teams.organisation_id')
    .selectAll('catalogue_audiences')
    .select(['catalogues.name as catalogue_name', 'teams.name as team_name', 'organisations.id as organisation_id', 'organisations.name as organisation_name'])
}

export async function listAudiences (db: Db, catalogueId: number, page: Page): Promise<AudienceView[]> {
  const at = await seek(db, 'catalogue_audiences', catalogueId, page.offset)
  if (at === undefined) return []
  return await views(db).where('catalogue_audiences.catalogue_id', '=', catalogueId).where('catalogue_audiences.id', '>=', at.fromId)
    .orderBy('catalogue_audiences.id').limit(page.limit).offset(at.skip).execute()
}

export async function listAllAudiences (db: Db, catalogueId: number): Promise<AudienceView[]> {
  return await views(db).where('catalogue_audiences.catalogue_id', '=', catalogueId).orderBy('catalogue_audiences.id').execute()
}

export async function findAudience (db: Db, id: number): Promise<AudienceView | undefined> {
  return await views(db).where('catalogue_audiences.id', '=', id).executeTakeFirst()
}

export async function findAudienceOfTeam (db: Db, catalogueId: number, teamId: number): Promise<AudienceView | undefined> {
  return await views(db).where('catalogue_audiences.catalogue_id', '=', catalogueId).where('catalogue_audiences.team_id', '=', teamId).executeTakeFirst()
}

export async function insertAudience (db: Db, catalogueId: number, teamId: number, now: string): Promise<number> {
  return (await db.insertInto('catalogue_audiences').values({ catalogue_id: catalogueId, team_id: teamId, created_at: now, updated_at: now })
    .returning('id').executeTakeFirstOrThrow()).id
}

export async function deleteAudience (db: Db, id: number): Promise<void> {
  await db.deleteFrom('catalogue_audiences').where('id', '=', id).execute()
}
