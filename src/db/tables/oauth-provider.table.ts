import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface OAuthProviderTable {
  id: Generated<number>
  name: string
  type: string
  well_known_url: string
  /** The initial access token presented on registration; null when the IdP needs none. */
  registration_access_token: string | null
  ssl_insecure_skip_verify: number // 0 | 1 on both dialects
  /** 0 | 1: the IdP demands redirect_uris on every registration, machine-only ones too (issue 10 item 5). */
  requires_redirect_uris: Generated<number>
  created_at: string // ISO 8601, UTC
  updated_at: string
}

export type OAuthProviderRow = Selectable<OAuthProviderTable>
export type NewOAuthProviderRow = Insertable<OAuthProviderTable>
export type OAuthProviderChanges = Updateable<OAuthProviderTable>
