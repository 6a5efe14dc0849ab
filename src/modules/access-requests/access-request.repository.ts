import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import { preparedQuery } from '../../db/prepared.ts'
import type { DeletionTarget } from '../usage/usage.ts'
import type { AccessRequestRow, AccessRequestStatus, AccessRequestTable, NewAccessRequestRow } from '../../db/tables/access-request.table.ts'
import type { Updateable } from 'kysely'

/** An access request joined with the names Tyk shows next to the ids. */
export interface AccessRequestView extends AccessRequestRow {
  app_name: string
  user_id: number
  plan_name: string | null
  /** The plan's JWTScope, which an approval grants (read here, not again). */
  plan_jwt_scope: string | null
  provider_id: number | null
  client_type_name: string | null
}

function views (db: Db) {
  return db.selectFrom('access_requests')
    .innerJoin('apps', 'apps.id', 'access_requests.app_id')
    .leftJoin('plans', 'plans.id', 'access_requests.plan_id')
    .leftJoin('oauth_client_types', 'oauth_client_types.id', 'access_requests.client_type_id')
    .selectAll('access_requests')
    .select(['apps.name as app_name', 'apps.user_id as user_id', 'plans.name as plan_name', 'plans.jwt_scope as plan_jwt_scope', 'oauth_client_types.provider_id as provider_id', 'oauth_client_types.name as client_type_name'])
}

export async function listAccessRequests (db: Db, page: Page, appId?: number, status?: AccessRequestStatus): Promise<AccessRequestView[]> {
  // One status (the console's queue): its (status, id) index pages it; positions count every status together.
  if (status !== undefined) {
    const query = views(db).where('access_requests.status', '=', status)
    return await (appId === undefined ? query : query.where('access_requests.app_id', '=', appId))
      .orderBy('access_requests.id').limit(page.limit).offset(page.offset).execute()
  }
  const at = await (appId === undefined ? seek(db, 'access_requests', 0, page.offset) : seek(db, 'app_access_requests', appId, page.offset))
  if (at === undefined) return []
  const query = appId === undefined ? views(db) : views(db).where('access_requests.app_id', '=', appId)
  return await query.where('access_requests.id', '>=', at.fromId).orderBy('access_requests.id').limit(page.limit).offset(at.skip).execute()
}

export async function listAllAccessRequestsOf (db: Db, appId: number): Promise<AccessRequestView[]> {
  return await views(db).where('access_requests.app_id', '=', appId).orderBy('access_requests.id').execute()
}

export async function findAccessRequest (db: Db, id: number): Promise<AccessRequestView | undefined> {
  return (await accessRequestById(db, id))[0]
}

// Compiled once: read twice by every approval, reject and delete (before and under the lease).
const accessRequestById = preparedQuery((db: Db, id: number) => views(db).where('access_requests.id', '=', id))

/** A pending request of the app for this plan, client type and exactly these products, if any (the oldest). */
export async function findPendingTwin (db: Db, wanted: { appId: number; planId: number; clientTypeId: number | null; productIds: readonly number[] }): Promise<AccessRequestRow | undefined> {
  const candidates = await db.selectFrom('access_requests').selectAll()
    .where('app_id', '=', wanted.appId).where('plan_id', '=', wanted.planId).where('status', '=', 'pending')
    .where('client_type_id', wanted.clientTypeId === null ? 'is' : '=', wanted.clientTypeId)
    .orderBy('id').execute()
  const sorted = [...wanted.productIds].sort((a, b) => a - b).join(',')
  for (const candidate of candidates) {
    const products = await db.selectFrom('access_request_products').select('product_id').where('access_request_id', '=', candidate.id).orderBy('product_id').execute()
    if (products.map((row) => row.product_id).join(',') === sorted) return candidate
  }
  return undefined
}

export async function insertAccessRequest (db: Db, row: NewAccessRequestRow, productIds: readonly number[]): Promise<AccessRequestRow> {
  const inserted = await db.insertInto('access_requests').values(row).returningAll().executeTakeFirstOrThrow()
  await db.insertInto('access_request_products').values(productIds.map((productId) => ({ access_request_id: inserted.id, product_id: productId }))).execute()
  return inserted
}

export async function updateAccessRequest (db: Db, id: number, changes: Updateable<AccessRequestTable>): Promise<void> {
  await db.updateTable('access_requests').set(changes).where('id', '=', id).execute()
}

/** Changes a request only while its status is still `from`: false when another change came first. */
export async function updateAccessRequestFrom (db: Db, id: number, from: AccessRequestStatus, changes: Updateable<AccessRequestTable>): Promise<boolean> {
  const result = await db.updateTable('access_requests').set(changes).where('id', '=', id).where('status', '=', from).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** False when it was already gone. */
export async function deleteAccessRequest (db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('access_requests').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

export async function productsOfRequests (db: Db, ids: readonly number[]): Promise<Array<{ access_request_id: number; id: number; name: string; scopes: string; dcr_enabled: number }>> {
  if (ids.length === 0) return []
  return await db.selectFrom('access_request_products')
    .innerJoin('products', 'products.id', 'access_request_products.product_id')
    .select(['access_request_products.access_request_id', 'products.id', 'products.name', 'products.scopes', 'products.dcr_enabled'])
    .where('access_request_products.access_request_id', 'in', ids)
    .orderBy('products.id')
    .execute()
}

/** ?force=true on a provider or client type: its access requests are rejected (tyk-portal-api.md §7). */
export async function rejectRequestsOf (db: Db, target: DeletionTarget, reason: string, updatedAt: string): Promise<void> {
  const clientTypes = db.selectFrom('oauth_client_types').select('id').where('provider_id', '=', target.providerId)
  await db.updateTable('access_requests')
    .set({ status: 'rejected', last_error: reason, updated_at: updatedAt })
    .where('client_type_id', 'in', target.clientTypeId === undefined ? clientTypes : clientTypes.where('id', '=', target.clientTypeId))
    .where('status', '!=', 'rejected')
    .execute()
}
