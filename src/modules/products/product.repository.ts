import { show } from '../../errors.ts'
import { uniqueOrConflict, type Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { ClientTypeRow } from '../../db/tables/client-type.table.ts'
import type { NewProductRow, ProductChanges, ProductRow } from '../../db/tables/product.table.ts'
import type { DeletionTarget } from '../usage/usage.ts'

export async function listProducts (db: Db, page: Page): Promise<ProductRow[]> {
  const at = await seek(db, 'products', 0, page.offset)
  if (at === undefined) return []
  return await db.selectFrom('products').selectAll().where('id', '>=', at.fromId).orderBy('id').limit(page.limit).offset(at.skip).execute()
}

export async function findProduct (db: Db, id: number): Promise<ProductRow | undefined> {
  return await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function insertProduct (db: Db, row: NewProductRow): Promise<ProductRow> {
  return await uniqueOrConflict(db.insertInto('products').values(row).returningAll().executeTakeFirstOrThrow(), nameTaken(row.name))
}

export async function updateProduct (db: Db, id: number, changes: ProductChanges): Promise<ProductRow | undefined> {
  return await uniqueOrConflict(db.updateTable('products').set(changes).where('id', '=', id).returningAll().executeTakeFirst(), nameTaken(changes.name))
}

export async function deleteProduct (db: Db, id: number): Promise<void> {
  await db.deleteFrom('products').where('id', '=', id).execute()
}

const nameTaken = (name: unknown) => `Name ${show(name)} is already used by another product`

// Attachments (Tyk "Templates"), in client type ID order.

/** The client types attached to these products, in client type ID order. */
export async function listAttachedClientTypes (db: Db, productIds: readonly number[]): Promise<Array<ClientTypeRow & { product_id: number }>> {
  if (productIds.length === 0) return []
  return await attached(db, productIds).execute()
}

/** One page of the client types attached to one product. */
export async function listAttachedClientTypesPage (db: Db, productId: number, page: Page): Promise<ClientTypeRow[]> {
  const at = await seek(db, 'product_client_types', productId, page.offset)
  if (at === undefined) return []
  return await attached(db, [productId]).where('product_client_types.client_type_id', '>=', at.fromId).limit(page.limit).offset(at.skip).execute()
}

function attached (db: Db, productIds: readonly number[]) {
  return db.selectFrom('product_client_types')
    .innerJoin('oauth_client_types', 'oauth_client_types.id', 'product_client_types.client_type_id')
    .selectAll('oauth_client_types')
    .select('product_client_types.product_id')
    .where('product_client_types.product_id', 'in', [...productIds])
    .orderBy('product_client_types.product_id')
    .orderBy('oauth_client_types.id')
}

export async function findAttachedClientType (db: Db, productId: number, clientTypeId: number): Promise<ClientTypeRow | undefined> {
  return await db.selectFrom('product_client_types')
    .innerJoin('oauth_client_types', 'oauth_client_types.id', 'product_client_types.client_type_id')
    .selectAll('oauth_client_types')
    .where('product_client_types.product_id', '=', productId)
    .where('product_client_types.client_type_id', '=', clientTypeId)
    .executeTakeFirst()
}

/** Attaches, doing nothing for a client type already attached (attach is idempotent). */
export async function attachClientTypes (db: Db, productId: number, clientTypeIds: readonly number[], createdAt: string): Promise<void> {
  if (clientTypeIds.length === 0) return
  await db.insertInto('product_client_types')
    .values(clientTypeIds.map((clientTypeId) => ({ product_id: productId, client_type_id: clientTypeId, created_at: createdAt })))
    .onConflict((oc) => oc.columns(['product_id', 'client_type_id']).doNothing())
    .execute()
}

/** Detaches the given client types from a product, or all of them when `clientTypeIds` is omitted. */
export async function detachClientTypes (db: Db, productId: number, clientTypeIds?: readonly number[]): Promise<number> {
  let query = db.deleteFrom('product_client_types').where('product_id', '=', productId)
  if (clientTypeIds !== undefined) {
    if (clientTypeIds.length === 0) return 0
    query = query.where('client_type_id', 'in', [...clientTypeIds])
  }
  const result = await query.executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Client types by ID or by name, for resolving a product's `Templates`. */
export async function findClientTypesByIdOrName (db: Db, ids: readonly number[], names: readonly string[]): Promise<ClientTypeRow[]> {
  if (ids.length === 0 && names.length === 0) return []
  return await db.selectFrom('oauth_client_types').selectAll()
    .where((eb) => eb.or([
      ...(ids.length > 0 ? [eb('id', 'in', [...ids])] : []),
      ...(names.length > 0 ? [eb('name', 'in', [...names])] : [])
    ]))
    .orderBy('id')
    .execute()
}

export async function findClientTypeById (db: Db, id: number): Promise<ClientTypeRow | undefined> {
  return await db.selectFrom('oauth_client_types').selectAll().where('id', '=', id).executeTakeFirst()
}

// The usage check: a provider or client type about to be deleted, and the products it is attached to.

export interface Attachment {
  readonly product_id: number
  readonly product_name: string
  readonly client_type_id: number
  readonly client_type_name: string
}

export async function findAttachmentsOf (db: Db, target: DeletionTarget): Promise<Attachment[]> {
  let query = db.selectFrom('product_client_types')
    .innerJoin('oauth_client_types', 'oauth_client_types.id', 'product_client_types.client_type_id')
    .innerJoin('products', 'products.id', 'product_client_types.product_id')
    .select(['products.id as product_id', 'products.name as product_name', 'oauth_client_types.id as client_type_id', 'oauth_client_types.name as client_type_name'])
    .where('oauth_client_types.provider_id', '=', target.providerId)
  if (target.clientTypeId !== undefined) query = query.where('oauth_client_types.id', '=', target.clientTypeId)
  return await query.orderBy('products.id').orderBy('oauth_client_types.id').execute()
}

export async function detachAttachmentsOf (db: Db, target: DeletionTarget): Promise<void> {
  let types = db.selectFrom('oauth_client_types').select('id').where('provider_id', '=', target.providerId)
  if (target.clientTypeId !== undefined) types = types.where('id', '=', target.clientTypeId)
  await db.deleteFrom('product_client_types').where('client_type_id', 'in', types).execute()
}
