// POST /oauth-providers/{id}/verify (our extension, design.md §2): is this provider usable for DCR?
// Every finding says ok, warning or error in words; no secret is ever part of one.
import { randomBytes } from 'node:crypto'
import type { ClientTemplate, DcrEngine, ManagedClient, ProviderConnection, ProviderMetadata } from '../../dcr/index.ts'
import { IdpError, isMachineOnly } from '../../dcr/index.ts'
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
   * redirect_uris accept it then), else its first client type's, else a client_credentials client.
   */
  private async canary (connection: ProviderConnection, types: ReadonlyArray<{ name: string; template: ClientTemplate }>, add: (check: string, status: FindingStatus, message: string) => void): Promise<void> {
    const standsFor = types.find((type) => !isMachineOnly(type.template)) ?? types[0]
    const template = standsFor?.template ?? MACHINE_TEMPLATE
    const redirectUris = isMachineOnly(template) ? [] : [CANARY_REDIRECT_URI]
    const request = { redirectUris, scopes: [], clientName: 'portal verification canary', correlationTag: `canary-${randomBytes(6).toString('hex')}` }
    const as = standsFor === undefined ? 'a client_credentials client' : `as client type ${JSON.stringify(standsFor.name)} (${template.grantTypes.join(', ')})`
    let client: ManagedClient
    try {
      client = await this.deps.engine.register(connection, template, request)
    } catch (error) {
      if (!(error instanceof IdpError)) throw error
      const refused = error.status === 401 || error.status === 403
      add('initial_access_token', refused ? 'error' : 'warning', refused ? 'the registration endpoint refused the initial access token' : 'not established: the registration failed')
      add('canary_register', 'error', error.message)
      return
    }
    add('initial_access_token', 'ok', connection.initialAccessToken === null ? 'registration is open: no initial access token needed' : 'the initial access token was accepted')
    add('canary_register', 'ok', `registered throw-away client ${client.clientId} ${as}`)
    if (!this.deps.engine.capabilities(connection.type).supportsDelete) {
      add('canary_delete', 'warning', `${connection.type} clients cannot be deleted through the API: remove client ${client.clientId} at the IdP`)
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

function unsupported (what: string, wanted: readonly string[], supported: readonly string[], field: string): string | undefined {
  const missing = wanted.filter((value) => !supported.includes(value))
  return missing.length === 0 ? undefined : `${what} ${missing.join(', ')} not in the IdP's ${field} (${supported.join(', ') || 'none'})`
}

function report (providerId: number, findings: Finding[]): Verification {
  const status = findings.some((f) => f.status === 'error') ? 'error' : findings.some((f) => f.status === 'warning') ? 'warning' : 'ok'
  return { providerId, status, findings }
}
