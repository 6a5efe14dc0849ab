// The DCR engine: register (RFC 7591) and manage (RFC 7592, or the IdP's admin API) OAuth clients at a
// provider, through one gate, one discovery cache and one declarative driver per provider Type. It
// never touches the database: the caller persists every ManagedClient it gets back before anything else.
import { AppError, show } from '../errors.ts'
import type { RateLimit } from '../shared/rate-limit.ts'
import { Discovery, type ProviderMetadata } from './discovery.ts'
import type { ClientCredentials, ClientRequest, ClientTemplate, DcrDriver, DriverCapabilities, ManagedClient, ProviderConnection, RegistrationMetadata } from './driver.ts'
import { DRIVERS } from './drivers/index.ts'
import { HttpGate, type GateRequest, type GateResponse } from './http-gate.ts'
import { IdpError, safeUrl } from './idp-error.ts'
import { buildRegistrationMetadata, buildUpdateBody, diffMetadata } from './metadata.ts'

export interface DcrEngineOptions {
  readonly gate?: HttpGate
  readonly discovery?: Discovery
  /** Registrations per provider in a window (issue 11 item 12); default: none. */
  readonly registrations?: RateLimit
}

export type RemoveOutcome = 'deleted' | 'already_gone'

export class DcrEngine {
  readonly gate: HttpGate
  readonly discovery: Discovery
  private readonly registrations: RateLimit | undefined

  constructor (options: DcrEngineOptions = {}) {
    this.gate = options.gate ?? new HttpGate()
    this.discovery = options.discovery ?? new Discovery(this.gate)
    this.registrations = options.registrations
  }

  capabilities (type: ProviderConnection['type']): DriverCapabilities {
    return DRIVERS[type].capabilities
  }

  /** The RFC 7591 §2 metadata this provider's driver would send for the template and request. */
  registrationMetadata (provider: ProviderConnection, template: ClientTemplate, request: ClientRequest): RegistrationMetadata {
    return buildRegistrationMetadata(DRIVERS[provider.type], template, request, provider.requiresRedirectUris === true)
  }

  /**
   * Why this stored client cannot be updated or deleted through the API, if it cannot: an RFC 7592 client
   * needs the registration_client_uri and registration access token its IdP returned (§3), and an IdP
   * without management (LemonLDAP::NG, Glewlwyd with management off) returns neither. No call can fix that.
   */
  managementGap (provider: ProviderConnection, client: ClientCredentials): string | undefined {
    const driver = DRIVERS[provider.type]
    if (driver.management.style !== 'rfc7592') return undefined
    if (client.registrationClientUri !== undefined && client.registrationAccessToken !== undefined) return undefined
    return `the IdP returned no registration_client_uri and registration access token for client ${show(client.clientId)} (RFC 7592 §3): it offers no client management, so the portal cannot update or delete it`
  }

  async discover (provider: ProviderConnection): Promise<ProviderMetadata> {
    return await this.discovery.discover(provider.wellKnownUrl, { insecureSkipVerify: provider.sslInsecureSkipVerify, provider: lane(provider) })
  }

  /**
   * One registration POST (RFC 7591 §3.1), never repeated blindly: it is sent a second time only to a
   * different endpoint, after the first answered 404 (nothing created) and re-discovery moved it.
   */
  async register (provider: ProviderConnection, template: ClientTemplate, request: ClientRequest): Promise<ManagedClient> {
    const wait = this.registrations?.take(lane(provider))
    if (wait !== undefined) throw new AppError('rate_limited', `too many client registrations at ${lane(provider)}: retry in ${wait} s`, { retryAfterSeconds: wait })
    const driver = DRIVERS[provider.type]
    const metadata = this.registrationMetadata(provider, template, request)
    const post = (url: string): GateRequest => ({ method: 'POST', url, headers: authorization(driver, provider.initialAccessToken), json: metadata })
    const endpoint = await this.registrationEndpoint(provider)
    let response: GateResponse
    try {
      response = await this.send(provider, post(endpoint))
    } catch (error) {
      if (!(error instanceof IdpError) || error.status !== 404) throw error
      this.discovery.invalidate(provider.wellKnownUrl)
      const moved = await this.registrationEndpoint(provider)
      if (moved === endpoint) throw error
      response = await this.send(provider, post(moved))
    }
    return toManagedClient(response.body, metadata, undefined, 'registration')
  }

  /** RFC 7592 §2.1 (or the admin API). The response may carry a new registration access token or secret. */
  async read (provider: ProviderConnection, client: ClientCredentials): Promise<ManagedClient> {
    const target = await this.managementTarget(provider, client)
    const response = await this.send(provider, { method: 'GET', url: target.url, headers: target.headers })
    return toManagedClient(response.body, undefined, client, 'read')
  }

  /** RFC 7592 §2.2: full replacement built from the template, never an echo of a read. */
  async update (provider: ProviderConnection, client: ClientCredentials, template: ClientTemplate, request: ClientRequest): Promise<ManagedClient> {
    const driver = DRIVERS[provider.type]
    if (!driver.capabilities.supportsUpdate) throw new AppError('not_supported', `${provider.type} providers cannot update a registered client`)
    const metadata = this.registrationMetadata(provider, template, request)
    const target = await this.managementTarget(provider, client)
    const response = await this.send(provider, { method: 'PUT', url: target.url, headers: target.headers, json: buildUpdateBody(metadata, client.clientId) })
    return toManagedClient(response.body, metadata, client, 'update')
  }

  /** A new secret for the same client (Okta lifecycle/newSecret); the old one stops working. */
  async rotateSecret (provider: ProviderConnection, client: ClientCredentials): Promise<ManagedClient> {
    const { management } = DRIVERS[provider.type]
    if (management.style !== 'admin_api') {
      throw new AppError('not_supported', `${provider.type} providers cannot rotate a client secret in place; register a new client instead`)
    }
    const target = await this.managementTarget(provider, client)
    const response = await this.send(provider, { method: 'POST', url: `${target.url}${management.newSecretPath}`, headers: target.headers })
    return toManagedClient(response.body, undefined, client, 'secret rotation')
  }

  /**
   * RFC 7592 §2.3. A 404 or 410 means the client is already gone. A 401 is an error: the RFC answers it
   * both for a vanished client and for a stale token, and the engine cannot tell which.
   */
  async remove (provider: ProviderConnection, client: ClientCredentials): Promise<RemoveOutcome> {
    if (!DRIVERS[provider.type].capabilities.supportsDelete) throw new AppError('not_supported', `${provider.type} providers cannot delete a registered client`)
    const target = await this.managementTarget(provider, client)
    try {
      await this.send(provider, { method: 'DELETE', url: target.url, headers: target.headers })
      return 'deleted'
    } catch (error) {
      if (error instanceof IdpError && (error.status === 404 || error.status === 410)) return 'already_gone'
      throw error
    }
  }

  async close (): Promise<void> {
    await this.gate.close()
  }

  private async send (provider: ProviderConnection, call: GateRequest): Promise<GateResponse> {
    return await this.gate.send({ ...call, insecureSkipVerify: provider.sslInsecureSkipVerify, provider: lane(provider) })
  }

  private async registrationEndpoint (provider: ProviderConnection): Promise<string> {
    const { registrationEndpoint } = await this.discover(provider)
    if (registrationEndpoint === undefined) {
      throw new IdpError('invalid_metadata', `Discovery document at ${safeUrl(provider.wellKnownUrl)} has no registration_endpoint: the provider offers no Dynamic Client Registration (RFC 7591 §3)`)
    }
    // Issue 11 item 1: the initial access token (for Okta, the org's API token) goes only to the origin the
    // admin configured — scheme, host and port of the WellKnownURL — never where a discovery document points.
    const configured = new URL(provider.wellKnownUrl).origin
    if (!URL.canParse(registrationEndpoint) || new URL(registrationEndpoint).origin !== configured) {
      throw new IdpError('invalid_metadata', `registration_endpoint ${safeUrl(registrationEndpoint)} in the discovery document is not on the origin of the WellKnownURL, ${configured}: ` +
        'the initial access token is sent only to the origin the provider was configured with')
    }
    return registrationEndpoint
  }

  private async managementTarget (provider: ProviderConnection, client: ClientCredentials): Promise<{ url: string; headers: Record<string, string> }> {
    const driver = DRIVERS[provider.type]
    const registrationEndpoint = await this.registrationEndpoint(provider)
    if (driver.management.style === 'admin_api') {
      if (provider.initialAccessToken === null) throw new AppError('not_supported', `${provider.type} provider ${provider.id} has no API token to manage clients with`)
      return { url: `${registrationEndpoint}/${encodeURIComponent(client.clientId)}`, headers: authorization(driver, provider.initialAccessToken) }
    }
    const { registrationClientUri: url, registrationAccessToken: token } = client
    if (url === undefined || token === undefined) {
      throw new IdpError('invalid_response', `Client ${show(client.clientId)} has no registration_client_uri and registration access token (RFC 7592 §3): it cannot be managed`)
    }
    // RFC 7592 §5, security-checklist §1.2: the token only goes to the origin that registered the client.
    if (!URL.canParse(url) || new URL(url).origin !== new URL(registrationEndpoint).origin) {
      throw new IdpError('invalid_response', `registration_client_uri ${safeUrl(url)} of client ${show(client.clientId)} is not on the registration endpoint's origin ${new URL(registrationEndpoint).origin}`)
    }
    return { url, headers: { authorization: `Bearer ${token}` } } // RFC 7592 §1.2: RAT is a bearer token
  }
}

/** The gate's concurrency lane: one per configured provider, also named in an `overloaded` refusal. */
function lane (provider: ProviderConnection): string {
  return `identity provider ${provider.id}`
}

function authorization (driver: DcrDriver, token: string | null): Record<string, string> {
  return token === null || token === '' ? {} : { authorization: `${driver.tokenScheme} ${token}` }
}

function toManagedClient (body: unknown, requested: RegistrationMetadata | undefined, known: ClientCredentials | undefined, call: string): ManagedClient {
  const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : {}
  const clientId = record.client_id
  if (typeof clientId !== 'string' || clientId === '') {
    throw new IdpError('invalid_response', `Identity provider answered the ${call} without a client_id (RFC 7591 §3.2.1)`)
  }
  if (known !== undefined && clientId !== known.clientId) {
    throw new IdpError('invalid_response', `Identity provider answered the ${call} of client ${show(known.clientId)} with client_id ${show(clientId)} (RFC 7592 §2: it never changes)`)
  }
  const { client_secret: secret, registration_access_token: token, ...response } = record
  const text = (value: unknown): string | undefined => typeof value === 'string' && value !== '' ? value : undefined
  return {
    clientId,
    // RFC 7592 §2.1, §2.2: a returned secret or token replaces the old one, which is discarded.
    clientSecret: text(secret) ?? known?.clientSecret,
    registrationAccessToken: text(token) ?? known?.registrationAccessToken,
    registrationClientUri: text(record.registration_client_uri) ?? known?.registrationClientUri,
    secretExpiresAt: typeof record.client_secret_expires_at === 'number' ? record.client_secret_expires_at : undefined,
    response,
    differences: requested === undefined ? [] : diffMetadata(requested, record)
  }
}
