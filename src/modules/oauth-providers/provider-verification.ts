// POST /oauth-providers/{id}/verify (our extension, design.md §2): is this provider usable for DCR?
// Every finding says ok, warning or error in words; no secret is ever part of one.
import { randomBytes } from 'node:crypto'
import type { ClientTemplate, DcrEngine, ManagedClient, ProviderConnection, ProviderMetadata } from '../../dcr/index.ts'
import { IdpError, MACHINE_CLIENT_REDIRECT_URI } from '../../dcr/index.ts'
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
const CANARY_TEMPLATE: ClientTemplate = { grantTypes: ['client_credentials'], responseTypes: ['token'], tokenEndpointAuthMethod: 'client_secret_basic', oktaAppType: 'service' }

export class ProviderVerification {
  constructor (private readonly deps: { readonly db: Db; readonly engine: DcrEngine; readonly box: SecretBox; readonly canaries: RateLimit }) {}

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
        add('issuer', 'error', error.message)
      } else {
        add('discovery', 'error', error.message)
      }
      return report(provider.id, findings)
    }
    add('discovery', 'ok', `discovery document fetched from ${provider.well_known_url}`)
    add('issuer', 'ok', `issuer ${metadata.issuer} matches the discovery URL (OpenID Connect Discovery §4.3)`)
    if (metadata.registrationEndpoint === undefined) {
      add('registration_endpoint', 'error', 'the discovery document has no registration_endpoint: this provider offers no Dynamic Client Registration (RFC 7591)')
      return report(provider.id, findings)
    }
    add('registration_endpoint', 'ok', `registration endpoint ${metadata.registrationEndpoint}`)

    for (const row of clientTypes) {
      const sent = this.deps.engine.registrationMetadata(connection, toClientTemplate(row), { redirectUris: [], scopes: [], clientName: row.name, correlationTag: 'verify' })
      const problems = [
        unsupported('grant types', sent.grant_types as string[], metadata.grantTypesSupported ?? DEFAULT_GRANTS, 'grant_types_supported'),
        unsupported('token endpoint auth method', [sent.token_endpoint_auth_method as string], metadata.tokenEndpointAuthMethodsSupported ?? DEFAULT_AUTH_METHODS, 'token_endpoint_auth_methods_supported'),
        unsupported('response types', sent.response_types as string[], metadata.responseTypesSupported ?? [], 'response_types_supported')
      ].filter((problem) => problem !== undefined)
      add(`client_type:${row.name}`, problems.length === 0 ? 'ok' : 'error', problems.length === 0 ? 'grant types, response types and auth method are supported' : problems.join('; '))
    }

    if (!canary) {
      add('initial_access_token', 'warning', connection.initialAccessToken === null
        ? 'no initial access token is configured: the provider must allow open registration; verify with ?canary=true'
        : 'not tested: verify with ?canary=true to register and delete a throw-away client')
      return report(provider.id, findings)
    }
    await this.canary(connection, add)
    return report(provider.id, findings)
  }

  /** Registers a throw-away client_credentials client and deletes it at once. */
  private async canary (connection: ProviderConnection, add: (check: string, status: FindingStatus, message: string) => void): Promise<void> {
    const request = { redirectUris: [], scopes: [], clientName: 'portal verification canary', correlationTag: `canary-${randomBytes(6).toString('hex')}` }
    let client: ManagedClient
    try {
      client = await this.deps.engine.register(connection, CANARY_TEMPLATE, request)
    } catch (error) {
      if (!(error instanceof IdpError)) throw error
      const refused = error.status === 401 || error.status === 403
      add('initial_access_token', refused ? 'error' : 'warning', refused ? 'the registration endpoint refused the initial access token' : 'not established: the registration failed')
      add('canary_register', 'error', error.message)
      const redirects = machineRedirectFinding(connection, error)
      if (redirects !== undefined) add(...redirects)
      return
    }
    add('initial_access_token', 'ok', connection.initialAccessToken === null ? 'registration is open: no initial access token needed' : 'the initial access token was accepted')
    add('canary_register', 'ok', `registered throw-away client ${client.clientId}`)
    const redirects = machineRedirectFinding(connection, undefined)
    if (redirects !== undefined) add(...redirects)
    if (!this.deps.engine.capabilities(connection.type).supportsDelete) {
      add('canary_delete', 'warning', `${connection.type} clients cannot be deleted through the API: remove client ${client.clientId} at the IdP`)
      return
    }
    const gap = this.deps.engine.managementGap(connection, client)
    if (gap !== undefined) {
      add('canary_delete', 'warning', `${gap}: remove throw-away client ${client.clientId} at the IdP by hand; deleting credentials here will leave their clients for an operator (GET /portal-api/idp-operations)`)
      return
    }
    try {
      await this.deps.engine.remove(connection, client)
      add('canary_delete', 'ok', `deleted throw-away client ${client.clientId}`)
    } catch (error) {
      if (!(error instanceof IdpError)) throw error
      add('canary_delete', 'error', `could not delete throw-away client ${client.clientId}, remove it at the IdP: ${error.message}`)
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
  return missing.length === 0 ? undefined : `${what} ${missing.join(', ')} not in the IdP's ${field} (${supported.join(', ') || 'none'})`
}

function report (providerId: number, findings: Finding[]): Verification {
  const status = findings.some((f) => f.status === 'error') ? 'error' : findings.some((f) => f.status === 'warning') ? 'warning' : 'ok'
  return { providerId, status, findings }
}
