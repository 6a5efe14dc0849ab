// The embedded IdP as an ordinary provider (design.md §6), so a newcomer can run the whole flow with curl.
import type { Db } from '../../db/database.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { PROVIDER_TOKEN, openColumn, sealColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import { insertClientType } from './client-type.repository.ts'
import { findProvider, insertProvider, updateProvider } from './oauth-provider.repository.ts'

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

export type EmbeddedProviderOutcome =
  | { readonly outcome: 'created' | 'kept'; readonly providerId: number }
  | { readonly outcome: 'deleted_by_admin' | 'name_taken' }

/**
 * First start: create provider "Embedded IdP" (Type Other) and its two client types. Later starts keep its
 * URL and initial access token in step with the running IdP (they are facts of this process, not admin
 * choices), and respect an admin's deletion.
 */
export async function registerEmbeddedProvider (db: Db, box: SecretBox, now: Clock, idp: EmbeddedIdpEndpoint): Promise<EmbeddedProviderOutcome> {
  return await db.transaction().execute(async (trx): Promise<EmbeddedProviderOutcome> => {
    const timestamp = now().toISOString()
    const meta = await trx.selectFrom('portal_meta').select('value').where('key', '=', META_KEY).executeTakeFirst()
    if (meta !== undefined) {
      const existing = await findProvider(trx, Number(meta.value))
      if (existing === undefined) return { outcome: 'deleted_by_admin' }
      const token = openColumn(box, PROVIDER_TOKEN, existing.id, existing.registration_access_token)
      if (existing.well_known_url !== idp.wellKnownUrl || token !== idp.initialAccessToken) {
        const sealed = sealColumn(box, PROVIDER_TOKEN, existing.id, idp.initialAccessToken)
        await updateProvider(trx, existing.id, { well_known_url: idp.wellKnownUrl, registration_access_token: sealed, updated_at: timestamp })
      }
      return { outcome: 'kept', providerId: existing.id }
    }
    const taken = await trx.selectFrom('oauth_providers').select('id').where('name', '=', EMBEDDED_PROVIDER_NAME).executeTakeFirst()
    if (taken !== undefined) return { outcome: 'name_taken' }
    const provider = await insertProvider(trx, {
      name: EMBEDDED_PROVIDER_NAME,
      type: 'Other',
      well_known_url: idp.wellKnownUrl,
      registration_access_token: null,
      ssl_insecure_skip_verify: 0,
      created_at: timestamp,
      updated_at: timestamp
    })
    await updateProvider(trx, provider.id, { registration_access_token: sealColumn(box, PROVIDER_TOKEN, provider.id, idp.initialAccessToken) })
    for (const type of CLIENT_TYPES) {
      await insertClientType(trx, { ...type, provider_id: provider.id, token_endpoint_auth_method: 'client_secret_basic', okta_app_type: '', created_at: timestamp, updated_at: timestamp })
    }
    await trx.insertInto('portal_meta').values({ key: META_KEY, value: String(provider.id) }).execute()
    return { outcome: 'created', providerId: provider.id }
  })
}
