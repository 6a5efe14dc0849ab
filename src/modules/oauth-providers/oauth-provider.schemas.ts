// The provider contract (tyk-portal-api.md §3; OAuthProviderCreate / OAuthProviderElem / OAuthProviderShow).
import { Type, type Static } from 'typebox'
import { Id, Ignored, StringEnum, Timestamp } from '../../http/schemas.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { ClientTypeElem } from './client-type.schemas.ts'
import type { OAuthProviderRow } from '../../db/tables/oauth-provider.table.ts'

// Tyk's spelling; accepted in any case (design.md §2), answered in this one.
export const PROVIDER_TYPES = ['Keycloak', 'Gluu', 'Okta', 'Other'] as const
export type ProviderType = (typeof PROVIDER_TYPES)[number]

export const ProviderBody = Type.Object({
  Name: Type.String({ minLength: 1, maxLength: 255, examples: ['My Keycloak instance'] }),
  Type: Type.String({ minLength: 1, maxLength: 32, description: `${PROVIDER_TYPES.join(', ')}; any case`, examples: ['Keycloak'] }),
  WellKnownURL: Type.String({ minLength: 1, maxLength: 2048, description: 'OpenID Connect discovery document URL', examples: ['http://keycloak:8180/realms/master/.well-known/openid-configuration'] }),
  RegistrationAccessToken: Type.Optional(Type.String({
    maxLength: 16384,
    writeOnly: true,
    description: 'Initial access token for registration. Never returned. Omitted on PUT keeps the stored one; "" clears it.'
  })),
  SSLInsecureSkipVerify: Type.Optional(Type.Boolean({ description: 'skip TLS verification for this provider only (default false)' })),
  ID: Ignored(),
  CreatedAt: Ignored(),
  UpdatedAt: Ignored(),
  ClientTypes: Ignored()
}, { additionalProperties: false })
export type ProviderInput = Static<typeof ProviderBody>

export const ProviderElem = Type.Object({
  ID: Id,
  Name: Type.String(),
  Type: StringEnum(PROVIDER_TYPES),
  WellKnownURL: Type.String(),
  SSLInsecureSkipVerify: Type.Boolean(),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp
}, { additionalProperties: false })
export type ProviderElem = Static<typeof ProviderElem>

export const ProviderShow = Type.Object({
  ...ProviderElem.properties,
  ClientTypes: Type.Array(ClientTypeElem)
}, { additionalProperties: false })
export type ProviderShow = Static<typeof ProviderShow>

export function toProviderElem (row: OAuthProviderRow): ProviderElem {
  return {
    ID: row.id,
    Name: row.name,
    Type: row.type as ProviderType,
    WellKnownURL: row.well_known_url,
    SSLInsecureSkipVerify: row.ssl_insecure_skip_verify === 1,
    CreatedAt: formatTimestamp(row.created_at),
    UpdatedAt: formatTimestamp(row.updated_at)
  }
}

const FindingStatus = StringEnum(['ok', 'warning', 'error'])

export const VerifyQuery = Type.Object({
  canary: Type.Optional(StringEnum(['true', 'false'], { description: 'also register a throw-away client and delete it' }))
}, { additionalProperties: false })

export const VerificationReport = Type.Object({
  ProviderID: Id,
  Status: FindingStatus,
  Findings: Type.Array(Type.Object({
    Check: Type.String({ examples: ['discovery', 'issuer', 'registration_endpoint', 'client_type:Web application', 'initial_access_token', 'canary_register', 'canary_delete'] }),
    Status: FindingStatus,
    Message: Type.String()
  }, { additionalProperties: false }))
}, { additionalProperties: false, description: 'The worst finding gives Status; secrets never appear' })
export type VerificationReport = Static<typeof VerificationReport>
export type Finding = VerificationReport['Findings'][number]
export type FindingStatus = Finding['Status']
