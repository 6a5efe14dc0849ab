import { show } from '../../errors.ts'
import { uniqueOrConflict, type Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import { preparedQuery } from '../../db/prepared.ts'
import type { ClientTypeChanges, ClientTypeRow, NewClientTypeRow } from '../../db/tables/client-type.table.ts'

export async function listClientTypes (db: Db, providerId: number, page?: Page): Promise<ClientTypeRow[]> {
  const query = db.selectFrom('oauth_client_types').selectAll().where('provider_id', '=', providerId).orderBy('id')
  if (page === undefined) return await query.execute()
  const at = await seek(db, 'oauth_client_types', providerId, page.offset)
  return at === undefined ? [] : await query.where('id', '>=', at.fromId).limit(page.limit).offset(at.skip).execute()
}

const findClientTypeQuery = preparedQuery((db, providerId: number, id: number) =>
  db.selectFrom('oauth_client_types').selectAll().where('provider_id', '=', providerId).where('id', '=', id))

export async function findClientType (db: Db, providerId: number, id: number): Promise<ClientTypeRow | undefined> {
  return (await findClientTypeQuery(db, providerId, id))[0]
}

export async function insertClientType (db: Db, row: NewClientTypeRow): Promise<ClientTypeRow> {
  return await uniqueOrConflict(db.insertInto('oauth_client_types').values(row).returningAll().executeTakeFirstOrThrow(), nameTaken(row.name))
}

/** Every field a PUT or PATCH writes: one shape, so the update is compiled once (a PUT's hot path). */
export type ClientTypeUpdate = Required<Pick<ClientTypeChanges, 'name' | 'description' | 'response_types' | 'grant_types' | 'token_endpoint_auth_method' | 'okta_app_type' | 'updated_at'>>

const updateClientTypeQuery = preparedQuery((db, providerId: number, id: number, name: string, description: string, responseTypes: string, grantTypes: string, method: string, oktaAppType: string, updatedAt: string) =>
  db.updateTable('oauth_client_types')
    .set({ name, description, response_types: responseTypes, grant_types: grantTypes, token_endpoint_auth_method: method, okta_app_type: oktaAppType, updated_at: updatedAt })
    .where('provider_id', '=', providerId).where('id', '=', id)
    .returningAll())

export async function updateClientType (db: Db, providerId: number, id: number, changes: ClientTypeUpdate): Promise<ClientTypeRow | undefined> {
  const { name, description, response_types: responseTypes, grant_types: grantTypes, token_endpoint_auth_method: method, okta_app_type: oktaAppType, updated_at: updatedAt } = changes
  const [row] = await uniqueOrConflict(updateClientTypeQuery(db, providerId, id, name, description, responseTypes, grantTypes, method, oktaAppType, updatedAt), nameTaken(name))
  return row
}

export async function deleteClientTypes (db: Db, providerId: number, id?: number): Promise<void> {
  const query = db.deleteFrom('oauth_client_types').where('provider_id', '=', providerId)
  await (id === undefined ? query : query.where('id', '=', id)).execute()
}

const nameTaken = (name: unknown) => `Name ${show(name)} is already used by another client type of this provider`
