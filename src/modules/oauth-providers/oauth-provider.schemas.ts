// The provider contract (tyk-portal-api.md §3; OAuthProviderCreate / OAuthProviderElem / OAuthProviderShow).
import { Type, type Static } from 'typebox'
import { GoBoolean, Id, Ignored, StringEnum, Timestamp } from '../../http/schemas.ts'
import { MACHINE_CLIENT_REDIRECT_URI } from '../../dcr/index.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { MASK } from '../audit/audit.ts'
import { ClientTypeElem, toClientTypeElem } from '../oauth-providers/client-type.schemas.ts'
import { PROVIDER_TYPES, type ProviderRecord, type ProviderWithClientTypes, type TokenState, type Verification } from './oauth-provider.record.ts'

const REQUIRES_REDIRECT_URIS = 'Our extension (default false): the IdP demands redirect_uris on every registration (OpenID Connect Registration §2), ' +
  `so machine-only clients are registered with the reserved, never-resolving ${MACHINE_CLIENT_REDIRECT_URI} (RFC 6761 §6.4). POST …/verify?canary=true tells whether it is needed`

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
  RequiresRedirectURIs: Type.Optional(Type.Boolean({ description: REQUIRES_REDIRECT_URIS })),
  ID: Ignored(),
  CreatedAt: Ignored(),
  UpdatedAt: Ignored(),
  ClientTypes: Ignored()
}, { additionalProperties: false })
export type ProviderInput = Static<typeof ProviderBody>
/** PUT: the same fields, none required (decoded onto the stored provider, as Tyk's handler does). */
export const ProviderPatch = Type.Partial(ProviderBody, { additionalProperties: false })
export type ProviderPatch = Static<typeof ProviderPatch>

export const ProviderElem = Type.Object({
  ID: Id,
  Name: Type.String(),
  Type: StringEnum(PROVIDER_TYPES),
  WellKnownURL: Type.String(),
  SSLInsecureSkipVerify: Type.Boolean(),
  RequiresRedirectURIs: Type.Boolean({ description: REQUIRES_REDIRECT_URIS }),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp
}, { additionalProperties: false })
export type ProviderElem = Static<typeof ProviderElem>

export const ProviderShow = Type.Object({
  ...ProviderElem.properties,
  ClientTypes: Type.Array(ClientTypeElem)
}, { additionalProperties: false })
export type ProviderShow = Static<typeof ProviderShow>

export function toProviderElem (provider: ProviderRecord): ProviderElem {
  return {
    ID: provider.id,
    Name: provider.name,
    Type: provider.type,
    WellKnownURL: provider.wellKnownUrl,
    SSLInsecureSkipVerify: provider.sslInsecureSkipVerify,
    RequiresRedirectURIs: provider.requiresRedirectUris,
    CreatedAt: formatTimestamp(provider.createdAt),
    UpdatedAt: formatTimestamp(provider.updatedAt)
  }
}

export function toProviderShow (provider: ProviderWithClientTypes): ProviderShow {
  return { ...toProviderElem(provider), ClientTypes: provider.clientTypes.map(toClientTypeElem) }
}

/** A provider as the audit trail keeps it: whether it has a token, never the token; with its client types when given. */
export function toProviderSnapshot (provider: ProviderRecord | ProviderWithClientTypes, token: TokenState) {
  return {
    ...toProviderElem(provider),
    RegistrationAccessToken: token === 'unset' ? '' : token === 'set' ? MASK : `${MASK} (replaced)`,
    ...('clientTypes' in provider ? { ClientTypes: provider.clientTypes.map(toClientTypeElem) } : {})
  }
}

const FindingStatus = StringEnum(['ok', 'warning', 'error'])

export const VerifyQuery = Type.Object({
  canary: GoBoolean('also register a throw-away client and delete it')
}, { additionalProperties: true })

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

export function toVerificationReport (verification: Verification): VerificationReport {
  return {
    ProviderID: verification.providerId,
    Status: verification.status,
    Findings: verification.findings.map((finding) => ({ Check: finding.check, Status: finding.status, Message: finding.message }))
  }
}
