// The shared core of every driver: RFC 7591 §2 metadata from a client type and an app, the RFC 7592
// §2.2 update body, and the difference between what was asked and what the IdP registered.
import { sameSet } from '../shared/sets.ts'
import type { ClientRequest, ClientTemplate, DcrDriver, Difference, RegistrationMetadata } from './driver.ts'

// design.md §2: `pkce` is authorization_code with PKCE required; `device_code` has an RFC 8628 §3.4 URN.
const GRANT_TYPE_ON_THE_WIRE: Readonly<Record<string, string>> = {
  pkce: 'authorization_code',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code'
}
const REDIRECT_GRANTS: ReadonlySet<string> = new Set(['authorization_code', 'pkce', 'implicit'])

/**
 * Sent as the only redirect URI of a machine-only client to an IdP that demands redirect_uris (OpenID Connect
 * Registration §2 makes them REQUIRED): `.invalid` never resolves (RFC 6761 §6.4), so no code can reach anyone.
 */
export const MACHINE_CLIENT_REDIRECT_URI = 'https://machine-client.portal.invalid/no-redirect'

// RFC 7592 §2.2: the server manages these; an update request must not carry them.
export const SERVER_MANAGED_FIELDS = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'] as const

/** A client type without any redirect-based grant: no response types, no redirect URIs (design.md §5). */
export function isMachineOnly (template: ClientTemplate): boolean {
  return !template.grantTypes.some((grant) => REDIRECT_GRANTS.has(grant))
}

export function tagClientName (name: string, correlationTag: string): string {
  return `${name} [${correlationTag}]`
}

/** The correlation tag inside a client_name made by tagClientName, if any. */
export function findCorrelationTag (clientName: string): string | undefined {
  return /\[([^\]]+)\]$/.exec(clientName)?.[1]
}

/** `requiresRedirectUris`: the provider's IdP refuses registrations without redirect_uris (ProviderConnection). */
export function buildRegistrationMetadata (driver: DcrDriver, template: ClientTemplate, request: ClientRequest, requiresRedirectUris = false): RegistrationMetadata {
  const machineOnly = isMachineOnly(template)
  const metadata: RegistrationMetadata = {
    client_name: tagClientName(request.clientName, request.correlationTag),
    grant_types: [...new Set(template.grantTypes.map((grant) => GRANT_TYPE_ON_THE_WIRE[grant] ?? grant))],
    response_types: machineOnly ? [] : [...template.responseTypes],
    redirect_uris: !machineOnly ? [...request.redirectUris] : requiresRedirectUris ? [MACHINE_CLIENT_REDIRECT_URI] : [],
    token_endpoint_auth_method: template.tokenEndpointAuthMethod,
    ...(request.scopes.length > 0 ? { scope: request.scopes.join(' ') } : {})
  }
  return driver.tailor?.(metadata, template) ?? metadata
}

/** RFC 7592 §2.2: full replacement that names the client and leaves out the server-managed fields. */
export function buildUpdateBody (metadata: RegistrationMetadata, clientId: string): RegistrationMetadata {
  const body: Record<string, unknown> = { ...metadata, client_id: clientId }
  for (const field of SERVER_MANAGED_FIELDS) delete body[field]
  return body
}

/** RFC 7591 §3.2.1: the server may replace any requested value; list each one it did. */
export function diffMetadata (requested: RegistrationMetadata, returned: Readonly<Record<string, unknown>>): Difference[] {
  return Object.entries(requested)
    .filter(([field, value]) => !sameValue(field, value, returned[field]))
    .map(([field, value]) => ({ field, requested: value, returned: returned[field] }))
}

function sameValue (field: string, requested: unknown, returned: unknown): boolean {
  // `scope` is a space-separated set (RFC 6749 §3.3); lists compare as sets, order carries no meaning.
  if (field === 'scope' && typeof requested === 'string' && typeof returned === 'string') {
    return sameSet(requested.split(' ').filter(Boolean), returned.split(' ').filter(Boolean))
  }
  if (Array.isArray(requested) && Array.isArray(returned)) return sameSet(requested, returned)
  return requested === returned
}
