// POST /oauth-providers/{id}/verify (our extension, design.md §2): is this provider usable for DCR?
// Every finding says ok, warning or error in words; no secret is ever part of one, and nothing an IdP
// wrote is copied into one but short tokens (an OAuth error code, a grant type): the IdP may be an internal
// server whose words must not travel out (issue 11 item 11).
import { randomBytes } from 'node:crypto'
import type { ClientRequest, ClientTemplate, DcrEngine, IdpFailureStage, ManagedClient, ProviderConnection, ProviderMetadata } from '../../dcr/index.ts'
import { IdpError, isMachineOnly, MACHINE_CLIENT_REDIRECT_URI, safeUrl } from '../../dcr/index.ts'
import type { Db } from '../../db/database.ts'
import { AppError } from '../../errors.ts'
import type { RateLimit } from '../../shared/rate-limit.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { listClientTypes } from './client-type.repository.ts'
import { toClientTemplate, toProviderConnection } from './idp-connection.ts'
import type { Finding, FindingStatus, Verification } from './oauth-provider.record.ts'
import { getProviderRow } from './oauth-provider.service.ts'

// RFC 8414 §2 defaults where the document is silent.
const DEFAULT_GRANTS = ['authorization_code', 'implicit']
const DEFAULT_AUTH_METHODS = ['client_secret_basic']
const MACHINE_TEMPLATE: ClientTemplate = { grantTypes: ['client_credentials'], responseTypes: ['token'], tokenEndpointAuthMethod: 'client_secret_basic', oktaAppType: 'service' }
// A redirect URI that no one can receive (RFC 6761 .invalid), for a canary standing for a web client type.
export const CANARY_REDIRECT_URI = 'https://canary.invalid/callback'

/** A canary registered under an intent (the operations below). */
export interface CanaryRegistration {
  readonly managed: ManagedClient
  readonly intentId: number
}

/**
 * The recorded saga (the idp-operations module, which imports this one, so it is passed in): a canary is
 * recorded like any client, so that one whose answer is lost or whose deletion fails is listed for an
 * operator (issue 11 item 10).
 */
export interface CanaryOperations {
  registerCanary(connection: ProviderConnection, template: ClientTemplate, request: ClientRequest): Promise<CanaryRegistration>
  /** True when deleted at once; otherwise it stays listed as a pending deletion. */
  deleteCanary(connection: ProviderConnection, canary: CanaryRegistration, supportsDelete: boolean): Promise<boolean>
}

export interface ProviderVerificationDeps {
  readonly db: Db
  readonly engine: DcrEngine
  readonly box: SecretBox
  readonly canaries: RateLimit
  readonly operations: CanaryOperations
}

export class ProviderVerification {
  constructor (private readonly deps: ProviderVerificationDeps) {}

  async verify (providerId: number, canary: boolean): Promise<Verification> {
    const provider = await getProviderRow(this.deps.db, providerId)
    // Each canary registers a client at the IdP: a loop of them must not flood it (issue 11 item 12).
    const wait = canary ? this.deps.canaries.take(String(provider.id)) : undefined
    if (wait !== undefined) throw new AppError('rate_limited', `too many canary verifications of provider ${provider.id}: retry in ${wait} s`, { retryAfterSeconds: wait })
    const clientTypes = await listClientTypes(this.deps.db, provider.id)
    const connection = toProviderConnection(provider, this.deps.box)
    const findings: Finding[] = []
    const add = (check: string, status: FindingStatus, message: string) => { findings.push({ check, status, message }) }

    let metadata: ProviderMetadata
    try {
      metadata = await this.deps.engine.discover(connection)
    } catch (error) {
      if (!(error instanceof IdpError)) throw error
      if (error.stage === 'issuer_mismatch') {
        add('discovery', 'ok', `discovery document fetched from ${provider.well_known_url}`)
        add('issuer', 'error', `the discovery document names another issuer than ${safeUrl(provider.well_known_url).replace(/\/\.well-known\/.*$/, '')} (OpenID Connect Discovery §4.3)`)
      } else {
        add('discovery', 'error', summarise(error))
      }
      return report(provider.id, findings)
    }
    add('discovery', 'ok', `discovery document fetched from ${provider.well_known_url}`)
    add('issuer', 'ok', `issuer ${metadata.issuer} matches the discovery URL (OpenID Connect Discovery §4.3)`)
    if (metadata.registrationEndpoint === undefined) {
      add('registration_endpoint', 'error', 'the discovery document has no registration_endpoint: this provider offers no Dynamic Client Registration (RFC 7591)')
      return report(provider.id, findings)
    }
    add('registration_endpoint', 'ok', `registration endpoint ${bounded(safeUrl(metadata.registrationEndpoint))}`)

    for (const row of clientTypes) {
      const sent = this.deps.engine.registrationMetadata(connection, toClientTemplate(row), { redirectUris: [], scopes: [], clientName: row.name, correlationTag: 'verify' })
      const problems = [
        unsupported('grant types', sent.grant_types as string[], metadata.grantTypesSupported ?? DEFAULT_GRANTS, 'grant_types_supported'),
        unsupported('token endpoint auth method', [sent.token_endpoint_auth_method as string], metadata.tokenEndpointAuthMethodsSupported ?? DEFAULT_AUTH_METHODS, 'token_endpoint_auth_methods_supported'),
        unsupported('response types', sent.response_types as string[], metadata.responseTypesSupported ?? [], 'response_types_supported')
      ].filter((problem) => problem !== undefined)
      // Discovery lists what an IdP supports "at least" in practice, not always all (Glewlwyd leaves out grants
      // it serves): a gap is a warning that a canary or a real approval settles, not an error.
      add(`client_type:${row.name}`, problems.length === 0 ? 'ok' : 'warning', problems.length === 0
        ? 'grant types, response types and auth method are supported'
        : `${problems.join('; ')}: the discovery document may under-advertise; verify with ?canary=true`)
    }

    if (!canary) {
      add('initial_access_token', 'warning', connection.initialAccessToken === null
        ? 'no initial access token is configured: the provider must allow open registration; verify with ?canary=true'
        : 'not tested: verify with ?canary=true to register and delete a throw-away client')
      return report(provider.id, findings)
    }
    await this.canary(connection, clientTypes.map((row) => ({ name: row.name, template: toClientTemplate(row) })), add)
    return report(provider.id, findings)
  }

  /**
   * Registers a throw-away client as a real approval would for this provider's client types, and deletes it at
   * once: a web client type's template with a redirect URI if the provider has one (IdPs that demand
   * redirect_uris accept it then), else its first client type's, else a client_credentials client. Recorded
   * like any registration (issue 11 item 10); a machine-only canary also tells whether RequiresRedirectURIs applies.
   */
  private async canary (connection: ProviderConnection, types: ReadonlyArray<{ name: string; template: ClientTemplate }>, add: (check: string, status: FindingStatus, message: string) => void): Promise<void> {
    const standsFor = types.find((type) => !isMachineOnly(type.template)) ?? types[0]
    const template = standsFor?.template ?? MACHINE_TEMPLATE
    const machineOnly = isMachineOnly(template)
    const redirectUris = machineOnly ? [] : [CANARY_REDIRECT_URI]
    const request = { redirectUris, scopes: [], clientName: 'portal verification canary', correlationTag: `canary-${randomBytes(6).toString('hex')}` }
    const as = standsFor === undefined ? 'a client_credentials client' : `as client type ${JSON.stringify(standsFor.name)} (${template.grantTypes.join(', ')})`
    let canary: CanaryRegistration
    try {
      canary = await this.deps.operations.registerCanary(connection, template, request)
    } catch (error) {
      if (!(error instanceof IdpError)) throw error
      const refused = error.status === 401 || error.status === 403
      add('initial_access_token', refused ? 'error' : 'warning', refused ? 'the registration endpoint refused the initial access token' : 'not established: the registration failed')
      const unknown = error.message.includes(' outcome is unknown ')
      add('canary_register', 'error', `${summarise(error)}${unknown ? `; it may have been created: listed as an unknown registration (correlation tag ${request.correlationTag}) under GET /portal-api/idp-operations` : ''}`)
      const redirects = machineOnly ? machineRedirectFinding(connection, error) : undefined
      if (redirects !== undefined) add(...redirects)
      return
    }
    const client = canary.managed
    add('initial_access_token', 'ok', connection.initialAccessToken === null ? 'registration is open: no initial access token needed' : 'the initial access token was accepted')
    add('canary_register', 'ok', `registered throw-away client ${client.clientId} ${as}`)
    const redirects = machineOnly ? machineRedirectFinding(connection, undefined) : undefined
    if (redirects !== undefined) add(...redirects)
    const supportsDelete = this.deps.engine.capabilities(connection.type).supportsDelete
    const gap = this.deps.engine.managementGap(connection, client)
    if (await this.deps.operations.deleteCanary(connection, canary, supportsDelete)) {
      add('canary_delete', 'ok', `deleted throw-away client ${client.clientId}`)
    } else if (!supportsDelete) {
      add('canary_delete', 'warning', `${connection.type} clients cannot be deleted through the API: remove client ${client.clientId} at the IdP (listed under GET /portal-api/idp-operations)`)
    } else if (gap !== undefined) {
      add('canary_delete', 'warning', `${gap}: remove throw-away client ${client.clientId} at the IdP by hand (listed under GET /portal-api/idp-operations); deleting credentials here will leave their clients for an operator`)
    } else {
      add('canary_delete', 'error', `could not delete throw-away client ${client.clientId} yet: retried with backoff, listed under GET /portal-api/idp-operations`)
    }
  }
}

/**
 * Issue 10 item 5: whether this IdP needs RequiresRedirectURIs, from the canary, a machine-only registration.
 * OpenID Connect Registration §2 makes redirect_uris REQUIRED and §3.3 names the refusal invalid_redirect_uri.
 */
function machineRedirectFinding (connection: ProviderConnection, canaryError: IdpError | undefined): [string, FindingStatus, string] | undefined {
  const check = 'machine_redirect_uris'
  if (connection.requiresRedirectUris === true) {
    return canaryError === undefined
      ? [check, 'ok', `RequiresRedirectURIs is on: machine-only clients are registered with the unusable redirect URI ${MACHINE_CLIENT_REDIRECT_URI} (RFC 6761 §6.4), which this IdP accepted`]
      : undefined
  }
  if (canaryError === undefined) return [check, 'ok', 'the IdP registers machine-only clients without redirect_uris: RequiresRedirectURIs is not needed']
  const demandsRedirects = canaryError.oauthError === 'invalid_redirect_uri' || /redirect_uri/i.test(`${canaryError.oauthErrorDescription ?? ''} ${canaryError.message}`)
  return demandsRedirects
    ? [check, 'error', 'the IdP demands redirect_uris even for machine-only clients (OpenID Connect Registration §2): set RequiresRedirectURIs: true on this provider, ' +
      `and they are registered with the unusable ${MACHINE_CLIENT_REDIRECT_URI} (RFC 6761 §6.4)`]
    : undefined
}

function unsupported (what: string, wanted: readonly string[], supported: readonly string[], field: string): string | undefined {
  const missing = wanted.filter((value) => !supported.includes(value))
  return missing.length === 0 ? undefined : `${what} ${missing.join(', ')} not in the IdP's ${field} (${tokens(supported)})`
}

const STAGES: Readonly<Record<IdpFailureStage, string>> = {
  unreachable: 'the IdP could not be reached (DNS, connection refused or reset)',
  timeout: 'the IdP did not answer in time',
  tls: 'the TLS handshake or certificate check failed',
  redirect: 'the IdP answered with a redirect, which is never followed',
  non_json: 'the IdP did not answer with JSON',
  too_large: 'the IdP\'s answer exceeded the size cap',
  oauth_error: 'the IdP refused the request',
  http_error: 'the IdP answered with an error',
  issuer_mismatch: 'the discovery document names another issuer',
  invalid_metadata: 'the discovery document is unusable',
  invalid_response: 'the IdP\'s answer breaks the protocol',
  forbidden_address: 'the IdP\'s address is refused by PORTAL_IDP_DENY_PRIVATE or as a metadata/link-local address; nothing was sent',
  overloaded: 'too many calls to this IdP are queued; nothing was sent'
}

/** A failed call as a finding tells it: what failed, the HTTP status and the OAuth error code, never the IdP's own words. */
function summarise (error: IdpError): string {
  const code = error.oauthError !== undefined && TOKEN.test(error.oauthError) ? `, error ${error.oauthError}` : ''
  return `${STAGES[error.stage]}${error.status === undefined ? '' : ` (HTTP ${error.status}${code})`}`
}

// RFC 6749 §5.2 error codes and the values of RFC 8414 lists are short tokens: anything else is not shown.
const TOKEN = /^[A-Za-z0-9_.:/+-]{1,64}$/
const MAX_LISTED = 12

/** Values an IdP listed, as a finding shows them: tokens only, at most a dozen. */
function tokens (values: readonly string[]): string {
  const shown = values.filter((value) => TOKEN.test(value)).slice(0, MAX_LISTED)
  const hidden = values.length - shown.length
  return [shown.join(', ') || 'none', hidden > 0 ? `and ${hidden} more not shown` : ''].filter(Boolean).join(' ')
}

function bounded (text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 200)}…`
}

function report (providerId: number, findings: Finding[]): Verification {
  const status = findings.some((f) => f.status === 'error') ? 'error' : findings.some((f) => f.status === 'warning') ? 'warning' : 'ok'
  return { providerId, status, findings }
}
