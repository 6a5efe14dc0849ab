// Credentials (tyk-portal-api.md §5.4, §5.5), with Tyk's field names, and the answers of the actions
// that reach an IdP (approve, reject, provision, rotate).
import { Type, type Static } from 'typebox'
import { Id, IdpCallErrors, StatusWithErrorsBody, StringEnum } from '../../http/schemas.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { describeFate } from '../idp-operations/idp-operation.record.ts'
import type { CredentialRecord, Rotation } from './credential.record.ts'

export const CredentialIdParam = Type.String({ description: 'UID of this credential (integer)', examples: ['1'] })

export const StatusWithMessage = Type.Object({
  status: Type.String({ examples: ['ok'] }),
  message: Type.String(),
  ID: Type.Optional(Id)
}, { additionalProperties: false, description: 'Tyk StatusWithMessage; ID names the access request concerned (our addition)' })

/**
 * Actions that reach the IdP answer 502/504 when it fails, 409 when the client is unmanageable or busy, and
 * Tyk's 422 StatusWithErrors when it refuses (tyk-portal-api.md §5.3–§5.5): routes declare that envelope (tyk422).
 */
export const idpAction = { 200: StatusWithMessage, 422: StatusWithErrorsBody, ...IdpCallErrors }
export const tyk422 = { errorEnvelope: 'status-errors' } as const

export const Credential = Type.Object({
  ID: Id,
  AccessRequest: Type.String({ examples: ['AccessRequest#2'] }),
  Credential: Type.String({ description: 'gateway key; "" for OAuth2.0 credentials' }),
  CredentialHash: Type.String({ description: '"" for OAuth2.0 credentials' }),
  DCRRegistrationAccessToken: Type.String({ description: 'never returned in clear: "[redacted]" when the client has one' }),
  DCRRegistrationClientURI: Type.String(),
  DCRResponse: Type.String({ description: "the IdP's registration response as a JSON string, secrets removed" }),
  Expires: Type.String({ description: 'when the client secret expires (YYYY-MM-DD HH:MM UTC), "" for never' }),
  OAuthClientID: Type.String(),
  OAuthClientSecret: Type.String({ description: '"" for public clients' }),
  RedirectURI: Type.String({ description: 'comma-separated' }),
  ResponseType: Type.String({ description: 'comma-separated' }),
  GrantType: Type.String({ description: 'comma-separated, as the IdP registered them' }),
  Scope: Type.String({ description: 'space-separated: every scope the client holds', examples: ['payments free-plan'] }),
  TokenEndpoints: Type.String({ description: 'the token endpoint auth method', examples: ['client_secret_basic'] }),
  State: StringEnum(['active', 'unmanageable'], { description: 'unmanageable: the IdP refused its registration access token (see LastError)' }),
  LastError: Type.String({ description: 'why the client is unmanageable; "" otherwise' }),
  // Our extension (issue 10 item 4): RFC 7591 §3.2.1 lets the IdP register other values than asked.
  RequestedScope: Type.String({ description: 'our extension: the scope the portal asked for (compare Scope, what the IdP answered); "" when not recorded' }),
  RequestedGrantType: Type.String({ description: 'our extension: the grant types asked for, comma-separated (compare GrantType); "" when not recorded' }),
  SecretChangedAt: Type.String({ description: 'our extension: when the IdP last issued a new secret for this client (an RFC 7592 update may; the old one then fails), YYYY-MM-DD HH:MM UTC; "" for never' })
}, { additionalProperties: false })
export type Credential = Static<typeof Credential>

export function toCredential (credential: CredentialRecord): Credential {
  return {
    ID: credential.id,
    AccessRequest: `AccessRequest#${credential.accessRequestId}`,
    Credential: '',
    CredentialHash: '',
    DCRRegistrationAccessToken: credential.hasRegistrationAccessToken ? '[redacted]' : '',
    DCRRegistrationClientURI: credential.registrationClientUri ?? '',
    DCRResponse: JSON.stringify(credential.registrationResponse),
    Expires: credential.secretExpiresAt === null ? '' : formatTimestamp(credential.secretExpiresAt),
    OAuthClientID: credential.clientId,
    OAuthClientSecret: credential.clientSecret ?? '',
    RedirectURI: credential.redirectUris.join(','),
    ResponseType: credential.responseTypes.join(','),
    GrantType: credential.grantTypes.join(','),
    Scope: credential.scopes.join(' '),
    TokenEndpoints: credential.tokenEndpointAuthMethod,
    State: credential.state,
    LastError: credential.lastError ?? '',
    RequestedScope: credential.requestedScopes?.join(' ') ?? '',
    RequestedGrantType: credential.requestedGrantTypes?.join(',') ?? '',
    SecretChangedAt: credential.secretChangedAt === null ? '' : formatTimestamp(credential.secretChangedAt)
  }
}

/** The answer's message of PUT …/credentials/{id}/rotate: which of the two ways the secret was renewed. */
export function rotationMessage (rotation: Rotation): string {
  return rotation.mode === 'in_place'
    ? `client ${rotation.clientId} has a new secret (rotated in place at the IdP)`
    : `client ${rotation.replacedClientId} was replaced by client ${rotation.clientId} with a new secret; ${describeFate(rotation.oldClient)}`
}
