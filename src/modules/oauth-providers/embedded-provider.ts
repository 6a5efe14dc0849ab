// The embedded IdP as an ordinary provider (design.md §6). A fresh database holds no provider (a script
// written for a fresh Tyk portal expects its first provider to be ID 1); connecting the embedded IdP is one
// call, POST /portal-api/oauth-providers/embedded, so a newcomer can still run the whole flow with curl.
import type { Db } from '../../db/database.ts'
import { AppError, show } from '../../errors.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { PROVIDER_TOKEN, openColumn, sealColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import { insertClientType } from './client-type.repository.ts'
import { findProvider, insertProvider, updateProvider } from './oauth-provider.repository.ts'
import type { OAuthProviderRow } from '../../db/tables/oauth-provider.table.ts'

export const EMBEDDED_PROVIDER_NAME = 'Embedded IdP'
const META_KEY = 'embedded_idp_provider_id'

const CLIENT_TYPES = [
  { name: 'Machine to machine', description: 'A confidential client for service-to-service calls (client_credentials)', response_types: 'token', grant_types: 'client_credentials' },
  { name: 'Web application', description: 'A server-side web application acting for its users', response_types: 'code', grant_types: 'authorization_code,refresh_token' }
] as const

export interface EmbeddedIdpEndpoint {
  readonly wellKnownUrl: string
  readonly initialAccessToken: string
}

/**
 * The connected provider, kept in step with the running IdP (its URL and initial access token are facts of
 * this process, not admin choices); undefined when the embedded IdP was never connected, or its provider deleted.
 */
export async function syncEmbeddedProvider (db: Db, box: SecretBox, now: Clock, idp: EmbeddedIdpEndpoint): Promise<OAuthProviderRow | undefined> {
  const meta = await db.selectFrom('portal_meta').select('value').where('key', '=', META_KEY).executeTakeFirst()
  const existing = meta === undefined ? undefined : await findProvider(db, Number(meta.value))
  if (existing === undefined) return undefined
  const token = openColumn(box, PROVIDER_TOKEN, existing.id, existing.registration_access_token)
  if (existing.well_known_url === idp.wellKnownUrl && token === idp.initialAccessToken) return existing
  const sealed = sealColumn(box, PROVIDER_TOKEN, existing.id, idp.initialAccessToken)
  return await updateProvider(db, existing.id, { well_known_url: idp.wellKnownUrl, registration_access_token: sealed, updated_at: now().toISOString() }) ?? existing
}

/**
 * Connects the embedded IdP: provider "Embedded IdP" (Type Other) and its two client types, in the caller's
 * transaction. Idempotent: once connected, answers the same provider (kept in step, as at start).
 */
export async function connectEmbeddedProvider (trx: Db, box: SecretBox, now: Clock, idp: EmbeddedIdpEndpoint): Promise<{ readonly created: boolean; readonly provider: OAuthProviderRow }> {
  const connected = await syncEmbeddedProvider(trx, box, now, idp)
  if (connected !== undefined) return { created: false, provider: connected }
  const taken = await trx.selectFrom('oauth_providers').select('id').where('name', '=', EMBEDDED_PROVIDER_NAME).executeTakeFirst()
  if (taken !== undefined) throw new AppError('conflict_taken', `provider ${taken.id} is already named ${show(EMBEDDED_PROVIDER_NAME)}: rename or delete it, then connect the embedded IdP again`)
  const timestamp = now().toISOString()
  const inserted = await insertProvider(trx, {
    name: EMBEDDED_PROVIDER_NAME,
    type: 'Other',
    well_known_url: idp.wellKnownUrl,
    registration_access_token: null,
    ssl_insecure_skip_verify: 0,
    created_at: timestamp,
    updated_at: timestamp
  })
  const provider = await updateProvider(trx, inserted.id, { registration_access_token: sealColumn(box, PROVIDER_TOKEN, inserted.id, idp.initialAccessToken) }) ?? inserted
  for (const type of CLIENT_TYPES) {
    await insertClientType(trx, { ...type, provider_id: provider.id, token_endpoint_auth_method: 'client_secret_basic', okta_app_type: '', created_at: timestamp, updated_at: timestamp })
  }
  await trx.deleteFrom('portal_meta').where('key', '=', META_KEY).execute()
  await trx.insertInto('portal_meta').values({ key: META_KEY, value: String(provider.id) }).execute()
  return { created: true, provider }
}
