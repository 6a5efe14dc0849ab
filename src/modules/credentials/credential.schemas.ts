// Credentials (tyk-portal-api.md §5.4, §5.5), with Tyk's field names, and the answers of the actions
// that reach an IdP (approve, reject, provision, rotate).
import { Type, type Static } from 'typebox'
import { Id, IdpCallErrors, StatusWithErrorsBody, StringEnum } from '../../http/schemas.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { CLIENT_SECRET, openColumn } from '../../shared/sealed-columns.ts'
import { formatTimestamp } from '../../shared/time.ts'
import type { CredentialView } from './credential.repository.ts'

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
  LastError: Type.String({ description: 'why the client is unmanageable; "" otherwise' })
}, { additionalProperties: false })
export type Credential = Static<typeof Credential>

export function toCredential (view: CredentialView, box: SecretBox): Credential {
  return {
    ID: view.credential_id,
    AccessRequest: `AccessRequest#${view.access_request_id}`,
    Credential: '',
    CredentialHash: '',
    DCRRegistrationAccessToken: view.registration_access_token === null ? '' : '[redacted]',
    DCRRegistrationClientURI: view.registration_client_uri ?? '',
    DCRResponse: view.dcr_response,
    Expires: view.secret_expires_at !== null && view.secret_expires_at > 0 ? formatTimestamp(new Date(view.secret_expires_at * 1000).toISOString()) : '',
    OAuthClientID: view.client_id,
    OAuthClientSecret: openColumn(box, CLIENT_SECRET, view.id, view.client_secret) ?? '',
    RedirectURI: view.redirect_uris,
    ResponseType: view.response_types,
    GrantType: view.grant_types,
    Scope: view.scope,
    TokenEndpoints: view.token_endpoint_auth_method,
    State: view.state,
    LastError: view.last_error ?? ''
  }
}
