// The client type contract (tyk-portal-api.md §4; OAuthClientTypeBasic / OAuthClientTypeElem).
import { Type, type Static } from 'typebox'
import { Id, Ignored, StringEnum, Timestamp } from '../../http/schemas.ts'
import { formatTimestamp } from '../../shared/time.ts'
import type { ClientTypeRecord } from './client-type.record.ts'
import { GRANT_TYPES, OKTA_APP_TYPES, RESPONSE_TYPES, TOKEN_ENDPOINT_AUTH_METHODS } from './client-type.values.ts'

const CsvOrList = (values: readonly string[], extra = '') => Type.Union([
  Type.String({ maxLength: 512, description: `comma-separated: ${values.join(', ')}${extra}` }),
  Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 })
], { description: `CSV string or JSON array; at least one of ${values.join(', ')}${extra}` })

export const ClientTypeBody = Type.Object({
  Name: Type.String({ minLength: 1, maxLength: 255, examples: ['Server-side application'] }),
  Description: Type.Optional(Type.String({ maxLength: 4096 })),
  ResponseTypes: CsvOrList(RESPONSE_TYPES, ' (it_token is read as id_token)'),
  GrantType: CsvOrList(GRANT_TYPES),
  TokenEndpointAuthMethod: Type.Optional(Type.Union([
    Type.String({ description: TOKEN_ENDPOINT_AUTH_METHODS.join(', ') }),
    Type.Array(Type.String(), { minItems: 1, maxItems: 1 })
  ], { description: `one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')} (default client_secret_basic); a one-element array is accepted` })),
  OktaAppType: Type.Optional(StringEnum(['', ...OKTA_APP_TYPES], { description: 'Okta application type; "" when unset' })),
  ApplicationType: Ignored('sent by Tyk demo scripts; accepted and ignored'),
  ID: Ignored(),
  CreatedAt: Ignored(),
  UpdatedAt: Ignored()
}, { additionalProperties: false })
export type ClientTypeInput = Static<typeof ClientTypeBody>
/** PUT: the same fields, none required (decoded onto the stored client type, as Tyk's handler does). */
export const ClientTypePatch = Type.Partial(ClientTypeBody, { additionalProperties: false })
export type ClientTypePatch = Static<typeof ClientTypePatch>

export const ClientTypeElem = Type.Object({
  ID: Id,
  Name: Type.String(),
  Description: Type.String(),
  ResponseTypes: Type.String({ examples: ['code,id_token'] }),
  GrantType: Type.String({ examples: ['authorization_code,refresh_token'] }),
  TokenEndpointAuthMethod: StringEnum(TOKEN_ENDPOINT_AUTH_METHODS),
  OktaAppType: StringEnum(['', ...OKTA_APP_TYPES]),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp
}, { additionalProperties: false })
export type ClientTypeElem = Static<typeof ClientTypeElem>

export function toClientTypeElem (type: ClientTypeRecord): ClientTypeElem {
  return {
    ID: type.id,
    Name: type.name,
    Description: type.description,
    ResponseTypes: type.responseTypes.join(','),
    GrantType: type.grantTypes.join(','),
    TokenEndpointAuthMethod: type.tokenEndpointAuthMethod,
    OktaAppType: type.oktaAppType,
    CreatedAt: formatTimestamp(type.createdAt),
    UpdatedAt: formatTimestamp(type.updatedAt)
  }
}

/** A client type as the audit trail keeps it: with its provider. */
export function toClientTypeSnapshot (type: ClientTypeRecord) {
  return { ...toClientTypeElem(type), ProviderID: type.providerId }
}
