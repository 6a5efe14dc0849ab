import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

/** One client registered at an IdP for an app and a client type (design.md §5). */
export interface OAuthClientTable {
  id: Generated<number>
  app_id: number
  client_type_id: number
  provider_id: number
  client_id: string
  client_secret: string | null
  /** RFC 7592: always the newest one the IdP handed out. */
  registration_access_token: string | null
  registration_client_uri: string | null
  scope: string // space-separated, as registered
  grant_types: string // CSV, as registered
  response_types: string
  redirect_uris: string
  token_endpoint_auth_method: string
  secret_expires_at: number | null
  dcr_response: string // JSON, secrets removed
  correlation_tag: string
  /** What was asked of the IdP (space-separated; CSV), beside what it registered above; null before issue 10. */
  requested_scope: string | null
  requested_grant_types: string | null
  /** When the IdP last handed out a secret other than the stored one (RFC 7592 §2.2 allows it on any update). */
  secret_changed_at: string | null
  /** active, or unmanageable: its registration access token was lost (a 401 on management). */
  state: Generated<'active' | 'unmanageable'>
  last_error: string | null
  created_at: string
  updated_at: string
}

/** Tyk's credential: what one approved access request holds of its app's client. */
export interface CredentialTable {
  id: Generated<number>
  access_request_id: number
  oauth_client_id: number
  created_at: string
}

export type OAuthClientRow = Selectable<OAuthClientTable>
export type NewOAuthClientRow = Insertable<OAuthClientTable>
export type OAuthClientChanges = Updateable<OAuthClientTable>
export type CredentialRow = Selectable<CredentialTable>
