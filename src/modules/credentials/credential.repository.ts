import type { Db } from '../../db/database.ts'
import { seek } from '../../db/list-positions.ts'
import { preparedQuery } from '../../db/prepared.ts'
import type { Page } from '../../shared/pagination.ts'
import type { ClientTypeRow } from '../../db/tables/client-type.table.ts'
import type { OAuthProviderRow } from '../../db/tables/oauth-provider.table.ts'
import type { NewOAuthClientRow, OAuthClientChanges, OAuthClientRow } from '../../db/tables/credential.table.ts'

/** What a registration needs to know: the app (name, redirect URIs), the client type and its provider. */
export interface RegistrationContextRows {
  readonly app: { readonly name: string; readonly redirect_urls: string }
  readonly clientType: ClientTypeRow
  readonly provider: OAuthProviderRow
}

/** The one read that assembles a registration's context; undefined when any of the three is gone. */
export async function findRegistrationContext (db: Db, appId: number, clientTypeId: number): Promise<RegistrationContextRows | undefined> {
  const [row] = await registrationContext(db, appId, clientTypeId)
  if (row === undefined) return undefined
  const {
    app_name: name, app_redirect_urls: redirectUrls, p_name: providerName, p_type: type, p_well_known_url: wellKnownUrl,
    p_registration_access_token: registrationAccessToken, p_ssl_insecure_skip_verify: skipVerify, p_requires_redirect_uris: requiresRedirectUris,
    p_created_at: createdAt, p_updated_at: updatedAt, ...clientType
  } = row
  const provider: OAuthProviderRow = {
    id: clientType.provider_id,
    name: providerName,
    type,
    well_known_url: wellKnownUrl,
    registration_access_token: registrationAccessToken,
    ssl_insecure_skip_verify: skipVerify,
    requires_redirect_uris: requiresRedirectUris,
    created_at: createdAt,
    updated_at: updatedAt
  }
  return { app: { name, redirect_urls: redirectUrls }, clientType, provider }
}

// One statement, compiled once, for what was three reads on every registration and scope update (approve's profile).
const registrationContext = preparedQuery((db: Db, appId: number, clientTypeId: number) => db.selectFrom('oauth_client_types')
  .innerJoin('oauth_providers', 'oauth_providers.id', 'oauth_client_types.provider_id')
  .innerJoin('apps', (join) => join.on('apps.id', '=', appId))
  .where('oauth_client_types.id', '=', clientTypeId)
  .selectAll('oauth_client_types')
  .select([
    'apps.name as app_name', 'apps.redirect_urls as app_redirect_urls',
    'oauth_providers.name as p_name', 'oauth_providers.type as p_type', 'oauth_providers.well_known_url as p_well_known_url',
    'oauth_providers.registration_access_token as p_registration_access_token', 'oauth_providers.ssl_insecure_skip_verify as p_ssl_insecure_skip_verify',
    'oauth_providers.requires_redirect_uris as p_requires_redirect_uris', 'oauth_providers.created_at as p_created_at', 'oauth_providers.updated_at as p_updated_at'
  ]))

/** The provider a stored client was registered at (to manage or delete it there). */
export async function findProviderRow (db: Db, providerId: number): Promise<OAuthProviderRow | undefined> {
  return await db.selectFrom('oauth_providers').selectAll().where('id', '=', providerId).executeTakeFirst()
}

export async function appExists (db: Db, appId: number): Promise<boolean> {
  return (await db.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst()) !== undefined
}

/** Whether the access request exists and belongs to the app (the path of the credential routes). */
export async function accessRequestOfAppExists (db: Db, appId: number, accessRequestId: number): Promise<boolean> {
  const row = await db.selectFrom('access_requests').select('id').where('id', '=', accessRequestId).where('app_id', '=', appId).executeTakeFirst()
  return row !== undefined
}

export async function findOAuthClient (db: Db, id: number): Promise<OAuthClientRow | undefined> {
  return await db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findOAuthClientFor (db: Db, appId: number, clientTypeId: number): Promise<OAuthClientRow | undefined> {
  return (await oauthClientFor(db, appId, clientTypeId))[0]
}

// Compiled once: read by every approval (grant) and its preview.
const oauthClientFor = preparedQuery((db: Db, appId: number, clientTypeId: number) =>
  db.selectFrom('oauth_clients').selectAll().where('app_id', '=', appId).where('client_type_id', '=', clientTypeId))

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

export async function insertCredential (db: Db, accessRequestId: number, oauthClientId: number, createdAt: string): Promise<void> {
  await credentialInsert(db, accessRequestId, oauthClientId, createdAt)
}

// Compiled once: in every approval's saving transaction.
const credentialInsert = preparedQuery((db: Db, accessRequestId: number, oauthClientId: number, createdAt: string) =>
  db.insertInto('credentials').values({ access_request_id: accessRequestId, oauth_client_id: oauthClientId, created_at: createdAt }))

export async function deleteCredentials (db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('credentials').where('id', 'in', ids).execute()
}

/** The scopes the other credentials on a client were granted (their access requests' granted_scopes). */
export async function scopesHeldByOthers (db: Db, oauthClientId: number, exceptCredentialIds: readonly number[]): Promise<string[]> {
  const rows = await others(db, oauthClientId, exceptCredentialIds)
    .innerJoin('access_requests', 'access_requests.id', 'credentials.access_request_id')
    .select('access_requests.granted_scopes')
    .execute()
  return [...new Set(rows.flatMap((row) => row.granted_scopes.split(' ').filter(Boolean)))]
}

export async function countCredentialsOn (db: Db, oauthClientId: number, exceptCredentialIds: readonly number[]): Promise<number> {
  return (await others(db, oauthClientId, exceptCredentialIds).select('credentials.id').execute()).length
}

function others (db: Db, oauthClientId: number, exceptCredentialIds: readonly number[]) {
  const query = db.selectFrom('credentials').where('credentials.oauth_client_id', '=', oauthClientId)
  return exceptCredentialIds.length === 0 ? query : query.where('credentials.id', 'not in', exceptCredentialIds)
}

/** A credential with the client it holds (newest registration state): the client's row, and the credential's ids. */
export interface CredentialView extends OAuthClientRow {
  readonly credential_id: number
  readonly access_request_id: number
}

/** Credentials with the client they hold, for the API. */
export async function listCredentialViews (db: Db, accessRequestIds: readonly number[], credentialId?: number): Promise<CredentialView[]> {
  if (accessRequestIds.length === 0) return []
  let query = credentialViews(db).where('credentials.access_request_id', 'in', accessRequestIds)
  if (credentialId !== undefined) query = query.where('credentials.id', '=', credentialId)
  return await query.orderBy('credentials.id').execute()
}

function credentialViews (db: Db) {
  return db.selectFrom('credentials')
    .innerJoin('oauth_clients', 'oauth_clients.id', 'credentials.oauth_client_id')
    .selectAll('oauth_clients')
    .select(['credentials.id as credential_id', 'credentials.access_request_id'])
}

/** One page of the credentials of one access request. */
export async function listCredentialViewsPage (db: Db, accessRequestId: number, page: Page): Promise<CredentialView[]> {
  const at = await seek(db, 'credentials', accessRequestId, page.offset)
  if (at === undefined) return []
  return await credentialViews(db).where('credentials.access_request_id', '=', accessRequestId)
    .where('credentials.id', '>=', at.fromId)
    .orderBy('credentials.id').limit(page.limit).offset(at.skip).execute()
}
