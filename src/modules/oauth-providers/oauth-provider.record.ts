import type { ClientTypeRecord } from '../oauth-providers/client-type.record.ts'
import type { OAuthProviderRow } from '../../db/tables/oauth-provider.table.ts'

// Tyk's spelling; accepted in any case (design.md §2), answered in this one.
export const PROVIDER_TYPES = ['Keycloak', 'Gluu', 'Okta', 'Other'] as const
export type ProviderType = (typeof PROVIDER_TYPES)[number]

/** A provider in domain terms: what the service returns; the routes answer it in Tyk's shape (oauth-provider.schemas.ts). */
export interface ProviderRecord {
  readonly id: number
  readonly name: string
  readonly type: ProviderType
  readonly wellKnownUrl: string
  readonly sslInsecureSkipVerify: boolean
  /** Our extension (issue 10 item 5): machine-only clients are registered with an unusable redirect URI. */
  readonly requiresRedirectUris: boolean
  /** Whether an initial access token is stored; the token itself never leaves the service. */
  readonly hasRegistrationAccessToken: boolean
  readonly createdAt: string // ISO 8601, UTC
  readonly updatedAt: string
}

export interface ProviderWithClientTypes extends ProviderRecord {
  readonly clientTypes: readonly ClientTypeRecord[]
}

/** The initial access token in the audit trail: whether there is one, and whether this change replaced it. */
export type TokenState = 'unset' | 'set' | 'replaced'

export function toProviderRecord (row: OAuthProviderRow): ProviderRecord {
  return {
    id: row.id,
    name: row.name,
    type: row.type as ProviderType,
    wellKnownUrl: row.well_known_url,
    sslInsecureSkipVerify: row.ssl_insecure_skip_verify === 1,
    requiresRedirectUris: row.requires_redirect_uris === 1,
    hasRegistrationAccessToken: row.registration_access_token !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

// POST /oauth-providers/{id}/verify (provider-verification.ts): the worst finding gives the status.
export type FindingStatus = 'ok' | 'warning' | 'error'
export interface Finding {
  readonly check: string
  readonly status: FindingStatus
  readonly message: string
}
export interface Verification {
  readonly providerId: number
  readonly status: FindingStatus
  readonly findings: readonly Finding[]
}
