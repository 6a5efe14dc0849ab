import type { Selectable } from 'kysely'

/** One stored oidc-provider model instance (its Adapter contract: lib/adapters/memory_adapter.js). */
export interface IdpModelTable {
  model: string // 'Client', 'RegistrationAccessToken', 'ClientCredentials', …
  id: string // SHA-256 of oidc-provider's id (for tokens, the id is the token itself), base64url
  payload: string // the model's payload as JSON, sealed (SecretBox; plain JSON only in rows from before sealing)
  grant_id: string | null
  user_code: string | null // SHA-256, as the id
  client_id: string | null // the client the record belongs to: deleting the client deletes its records
  uid: string | null
  expires_at: string | null // ISO 8601, UTC; null = never expires
  consumed_at: string | null // ISO 8601, UTC
}

export interface IdpScopeTable {
  scope: string
  created_at: string // ISO 8601, UTC
}

export type IdpModelRow = Selectable<IdpModelTable>
