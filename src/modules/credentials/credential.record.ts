import type { RegistrationMetadata } from '../../dcr/index.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { csvItems } from '../../shared/csv.ts'
import { CLIENT_SECRET, openColumn } from '../../shared/sealed-columns.ts'
import type { DeletionFate } from '../idp-operations/idp-operation.record.ts'
import type { CredentialView } from './credential.repository.ts'

/**
 * A credential in domain terms: what an approved access request holds of its app's IdP client. The
 * service returns it; the routes answer it in Tyk's shape (credential.schemas.ts).
 */
export interface CredentialRecord {
  readonly id: number
  readonly accessRequestId: number
  readonly clientId: string
  /** Opened, because the API answers it to admins; null for a public client. */
  readonly clientSecret: string | null
  /** Whether a registration access token is stored; the token itself never leaves the service. */
  readonly hasRegistrationAccessToken: boolean
  readonly registrationClientUri: string | null
  /** The IdP's registration answer, secrets removed. */
  readonly registrationResponse: Readonly<Record<string, unknown>>
  /** ISO 8601, UTC; null: never (RFC 7591 §3.2.1: client_secret_expires_at 0 or absent). */
  readonly secretExpiresAt: string | null
  /** As the IdP registered them (RFC 7591 §3.2.1). */
  readonly redirectUris: readonly string[]
  readonly responseTypes: readonly string[]
  readonly grantTypes: readonly string[]
  /** Every scope the client holds, this credential's and its siblings'. */
  readonly scopes: readonly string[]
  readonly tokenEndpointAuthMethod: string
  /** unmanageable: the IdP refused its registration access token (see lastError). */
  readonly state: 'active' | 'unmanageable'
  readonly lastError: string | null
  /** What the portal asked for (RFC 7591 §3.2.1: the IdP may grant otherwise); null when not recorded (before issue 10). */
  readonly requestedScopes: readonly string[] | null
  readonly requestedGrantTypes: readonly string[] | null
  /** When the IdP last issued a secret other than the one stored (ISO 8601, UTC); null: never. */
  readonly secretChangedAt: string | null
}

export function toCredentialRecord (view: CredentialView, box: SecretBox): CredentialRecord {
  return {
    id: view.credential_id,
    accessRequestId: view.access_request_id,
    clientId: view.client_id,
    clientSecret: openColumn(box, CLIENT_SECRET, view.id, view.client_secret),
    hasRegistrationAccessToken: view.registration_access_token !== null,
    registrationClientUri: view.registration_client_uri,
    registrationResponse: JSON.parse(view.dcr_response) as Record<string, unknown>,
    secretExpiresAt: view.secret_expires_at !== null && view.secret_expires_at > 0 ? new Date(view.secret_expires_at * 1000).toISOString() : null,
    redirectUris: csvItems(view.redirect_uris),
    responseTypes: csvItems(view.response_types),
    grantTypes: csvItems(view.grant_types),
    // Split exactly as stored, so that the answer joins it back to the same text.
    scopes: view.scope === '' ? [] : view.scope.split(' '),
    tokenEndpointAuthMethod: view.token_endpoint_auth_method,
    state: view.state,
    lastError: view.last_error,
    requestedScopes: view.requested_scope === null ? null : splitList(view.requested_scope, ' '),
    requestedGrantTypes: view.requested_grant_types === null ? null : csvItems(view.requested_grant_types),
    secretChangedAt: view.secret_changed_at
  }
}

/**
 * What approving a request will ask of the IdP, before it does: register a new client with this metadata
 * (RFC 7591 §2), update the app's existing client for the client type to it (RFC 7592 §2.2), or nothing.
 */
export interface RegistrationPreview {
  readonly action: 'register' | 'update' | 'unchanged'
  /** The existing client; null when one is to be registered. */
  readonly clientId: string | null
  readonly metadata: RegistrationMetadata
}

/** What a rotation did: a new secret in place at the IdP, or a replacement client, and what became of the old one. */
export type Rotation =
  | { readonly mode: 'in_place'; readonly clientId: string }
  | { readonly mode: 'replaced'; readonly clientId: string; readonly replacedClientId: string; readonly oldClient: DeletionFate }

function splitList (text: string, separator: string): string[] {
  return text === '' ? [] : text.split(separator)
}
