import type { Db } from '../../db/database.ts'
import type { CredentialRow, NewOAuthClientRow, OAuthClientChanges, OAuthClientRow } from '../../db/tables/credential.table.ts'

export async function findOAuthClient (db: Db, id: number): Promise<OAuthClientRow | undefined> {
  return await db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findOAuthClientFor (db: Db, appId: number, clientTypeId: number): Promise<OAuthClientRow | undefined> {
  return await db.selectFrom('oauth_clients').selectAll().where('app_id', '=', appId).where('client_type_id', '=', clientTypeId).executeTakeFirst()
}

/** Which clients: those of a provider, of one client type, of an app (any combination). */
export interface OAuthClientFilter {
  readonly providerId?: number
  readonly clientTypeId?: number
  readonly appId?: number
}

export async function listOAuthClientsOf (db: Db, filter: OAuthClientFilter): Promise<OAuthClientRow[]> {
  let query = db.selectFrom('oauth_clients').selectAll()
  if (filter.providerId !== undefined) query = query.where('provider_id', '=', filter.providerId)
  if (filter.clientTypeId !== undefined) query = query.where('client_type_id', '=', filter.clientTypeId)
  if (filter.appId !== undefined) query = query.where('app_id', '=', filter.appId)
  return await query.orderBy('id').execute()
}

export async function insertOAuthClient (db: Db, row: NewOAuthClientRow): Promise<OAuthClientRow> {
  return await db.insertInto('oauth_clients').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function updateOAuthClient (db: Db, id: number, changes: OAuthClientChanges): Promise<void> {
  await db.updateTable('oauth_clients').set(changes).where('id', '=', id).execute()
}

export async function deleteOAuthClient (db: Db, id: number): Promise<void> {
  await db.deleteFrom('credentials').where('oauth_client_id', '=', id).execute()
  await db.deleteFrom('oauth_clients').where('id', '=', id).execute()
}

export async function insertCredential (db: Db, accessRequestId: number, oauthClientId: number, createdAt: string): Promise<CredentialRow> {
  return await db.insertInto('credentials').values({ access_request_id: accessRequestId, oauth_client_id: oauthClientId, created_at: createdAt }).returningAll().executeTakeFirstOrThrow()
}

export async function findCredential (db: Db, id: number): Promise<CredentialRow | undefined> {
  return await db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function deleteCredential (db: Db, id: number): Promise<void> {
  await db.deleteFrom('credentials').where('id', '=', id).execute()
}

/** The scopes the other credentials on a client were granted (their access requests' granted_scopes). */
export async function scopesHeldByOthers (db: Db, oauthClientId: number, exceptCredentialId: number): Promise<string[]> {
  const rows = await db.selectFrom('credentials')
    .innerJoin('access_requests', 'access_requests.id', 'credentials.access_request_id')
    .select('access_requests.granted_scopes')
    .where('credentials.oauth_client_id', '=', oauthClientId)
    .where('credentials.id', '!=', exceptCredentialId)
    .execute()
  return [...new Set(rows.flatMap((row) => row.granted_scopes.split(' ').filter(Boolean)))]
}

export async function countCredentialsOn (db: Db, oauthClientId: number, exceptCredentialId: number): Promise<number> {
  const rows = await db.selectFrom('credentials').select('id').where('oauth_client_id', '=', oauthClientId).where('id', '!=', exceptCredentialId).execute()
  return rows.length
}

/** Credentials with the client they hold, for the API (newest registration state). */
export async function listCredentialViews (db: Db, accessRequestIds: readonly number[], credentialId?: number) {
  if (accessRequestIds.length === 0) return []
  let query = db.selectFrom('credentials')
    .innerJoin('oauth_clients', 'oauth_clients.id', 'credentials.oauth_client_id')
    .selectAll('oauth_clients')
    .select(['credentials.id as credential_id', 'credentials.access_request_id'])
    .where('credentials.access_request_id', 'in', accessRequestIds)
  if (credentialId !== undefined) query = query.where('credentials.id', '=', credentialId)
  return await query.orderBy('credentials.id').execute()
}
export type CredentialView = Awaited<ReturnType<typeof listCredentialViews>>[number]
