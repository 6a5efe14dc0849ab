import type { Selectable } from 'kysely'

/** One stored oidc-provider model instance (its Adapter contract: lib/adapters/memory_adapter.js). */
export interface IdpModelTable {
  model: string // 'Client', 'RegistrationAccessToken', 'ClientCredentials', …
  id: string
  payload: string // JSON of the model's payload
  grant_id: string | null
  user_code: string | null
  uid: string | null
  expires_at: string | null // ISO 8601, UTC; null = never expires
  consumed_at: string | null // ISO 8601, UTC
}

export interface IdpScopeTable {
  scope: string
  created_at: string // ISO 8601, UTC
}

export type IdpModelRow = Selectable<IdpModelTable>
