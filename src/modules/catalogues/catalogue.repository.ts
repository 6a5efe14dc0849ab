import { sql } from 'kysely'
import { show } from '../../errors.ts'
import { uniqueOrConflict, type Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { Named } from '../../shared/ids-or-names.ts'
import type { CatalogueChanges, CatalogueRow, NewCatalogueRow } from '../../db/tables/catalogue.table.ts'

export async function listCatalogues (db: Db, page: Page): Promise<CatalogueRow[]> {
  const at = await seek(db, 'catalogues', 0, page.offset)
  if (at === undefined) return []
  return await db.selectFrom('catalogues').selectAll().where('id', '>=', at.fromId).orderBy('id').limit(page.limit).offset(at.skip).execute()
}

/**
 * The catalogues members of these teams see (Tyk): every Public one, and the Private ones with one of the
 * teams among their audiences; in ID order, a page of them (all without `page`).
 */
export async function listVisibleCatalogues (db: Db, teamIds: readonly number[], page?: Page): Promise<CatalogueRow[]> {
  let query = db.selectFrom('catalogues').selectAll()
    .where((eb) => eb.or([
      eb('visibility', '=', 'Public'),
      ...(teamIds.length === 0 ? [] : [eb('id', 'in', eb.selectFrom('catalogue_audiences').select('catalogue_id').where('team_id', 'in', [...teamIds]))])
    ]))
    .orderBy('id')
  if (page !== undefined) query = query.limit(page.limit).offset(page.offset)
  return await query.execute()
}

export async function findCatalogue (db: Db, id: number): Promise<CatalogueRow | undefined> {
  return await db.selectFrom('catalogues').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function insertCatalogue (db: Db, row: NewCatalogueRow): Promise<CatalogueRow> {
  return await uniqueOrConflict(db.insertInto('catalogues').values(row).returningAll().executeTakeFirstOrThrow(), nameTaken(row.name))
}

export async function updateCatalogue (db: Db, id: number, changes: CatalogueChanges): Promise<CatalogueRow | undefined> {
  return await uniqueOrConflict(db.updateTable('catalogues').set(changes).where('id', '=', id).returningAll().executeTakeFirst(), nameTaken(changes.name))
}

/** Its memberships and audiences go with it (the foreign keys cascade). */
export async function deleteCatalogue (db: Db, id: number): Promise<void> {
  await db.deleteFrom('catalogues').where('id', '=', id).execute()
}

const nameTaken = (name: unknown) => `Name ${show(name)} is already used by another catalogue`

// What catalogues offer: products and plans (a member table each, the same shape).

export type Offer = 'product' | 'plan'
const OFFERS = {
  product: { members: 'catalogue_products', column: 'product_id', table: 'products' },
  plan: { members: 'catalogue_plans', column: 'plan_id', table: 'plans' }
} as const

/** Catalogues, or products or plans, by ID or by name (for fields that take either). */
export async function findNamed (db: Db, table: 'catalogues' | 'products' | 'plans', ids: readonly number[], names: readonly string[]): Promise<Named[]> {
  if (ids.length === 0 && names.length === 0) return []
  return await db.selectFrom(table).select(['id', 'name'])
    .where((eb) => eb.or([...(ids.length > 0 ? [eb('id', 'in', [...ids])] : []), ...(names.length > 0 ? [eb('name', 'in', [...names])] : [])]))
    .orderBy('id').execute()
}

export const offerTable = (offer: Offer) => OFFERS[offer].table

/** The catalogues offering each of these products or plans, in catalogue ID order. */
export async function listCataloguesOf (db: Db, offer: Offer, ids: readonly number[]): Promise<Array<Named & { offer_id: number }>> {
  if (ids.length === 0) return []
  const { members, column } = OFFERS[offer]
  const { rows } = await sql<Named & { offer_id: number }>`select m.${sql.ref(column)} as offer_id, c.id, c.name from ${sql.table(members)} m
    join catalogues c on c.id = m.catalogue_id where m.${sql.ref(column)} in (${sql.join(ids)}) order by c.id`.execute(db)
  return rows
}

/** The products or plans a catalogue offers, in ID order. */
export async function listOffered (db: Db, offer: Offer, catalogueId: number): Promise<Named[]> {
  const { members, column, table } = OFFERS[offer]
  const { rows } = await sql<Named>`select o.id, o.name from ${sql.table(members)} m join ${sql.table(table)} o on o.id = m.${sql.ref(column)}
    where m.catalogue_id = ${catalogueId} order by o.id`.execute(db)
  return rows
}

/** Makes these catalogues, and only them, offer a product or plan. */
export async function setCataloguesOf (db: Db, offer: Offer, id: number, catalogueIds: readonly number[]): Promise<void> {
  const { members, column } = OFFERS[offer]
  await sql`delete from ${sql.table(members)} where ${sql.ref(column)} = ${id}`.execute(db)
  for (const catalogueId of catalogueIds) await sql`insert into ${sql.table(members)} (catalogue_id, ${sql.ref(column)}) values (${catalogueId}, ${id})`.execute(db)
}

/** Makes a catalogue offer these products or plans, and only them. */
export async function setOffered (db: Db, offer: Offer, catalogueId: number, ids: readonly number[]): Promise<void> {
  const { members, column } = OFFERS[offer]
  await sql`delete from ${sql.table(members)} where catalogue_id = ${catalogueId}`.execute(db)
  for (const id of ids) await sql`insert into ${sql.table(members)} (catalogue_id, ${sql.ref(column)}) values (${catalogueId}, ${id})`.execute(db)
}
