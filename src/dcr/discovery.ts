// Discovery (OpenID Connect Discovery 1.0 §4, RFC 8414 §3): fetch the provider's well-known document
// through the gate, accept it only for the issuer its URL names, cache it briefly.
import type { Clock } from '../shared/time.ts'
import type { HttpGate } from './http-gate.ts'
import { IdpError, safeUrl } from './idp-error.ts'

export interface ProviderMetadata {
  readonly issuer: string
  /** Absent when the IdP offers no Dynamic Client Registration (RFC 7591 §3; RFC 8414 §2). */
  readonly registrationEndpoint?: string
  readonly tokenEndpoint?: string
  // Left undefined when absent: RFC 8414 §2 defaults differ from OIDC Discovery's, the reader decides.
  readonly grantTypesSupported?: readonly string[]
  readonly tokenEndpointAuthMethodsSupported?: readonly string[]
  readonly responseTypesSupported?: readonly string[]
  readonly scopesSupported?: readonly string[]
  /** The whole document as the IdP sent it. */
  readonly document: Readonly<Record<string, unknown>>
}

export interface DiscoveryOptions {
  /** Default 5 minutes. */
  readonly ttlMs?: number
  readonly now?: Clock
}

const OIDC_SUFFIX = '/.well-known/openid-configuration'
const OAUTH_SUFFIX = '/.well-known/oauth-authorization-server'

/**
 * The issuers a well-known URL may describe: its prefix, or the prefix plus one trailing slash
 * (OIDC Discovery §4 removes a terminating "/" before appending the suffix). RFC 8414 §3.1 also puts
 * the suffix between host and path. Nothing looser: no case folding, no default-port stripping.
 */
export function expectedIssuers (wellKnownUrl: string): string[] {
  const url = URL.canParse(wellKnownUrl) ? new URL(wellKnownUrl) : undefined
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new IdpError('invalid_metadata', `WellKnownURL ${safeUrl(wellKnownUrl)} is not an absolute http(s) URL`)
  }
  const path = url.pathname
  const suffix = [OIDC_SUFFIX, OAUTH_SUFFIX].find((candidate) => path.endsWith(candidate))
  if (suffix !== undefined) {
    const prefix = `${url.origin}${path.slice(0, -suffix.length)}`
    return [prefix, `${prefix}/`]
  }
  if (path.startsWith(`${OAUTH_SUFFIX}/`)) return [`${url.origin}${path.slice(OAUTH_SUFFIX.length)}`]
  throw new IdpError('invalid_metadata', `WellKnownURL ${safeUrl(wellKnownUrl)} does not end in ${OIDC_SUFFIX} or ${OAUTH_SUFFIX}`)
}

export class Discovery {
  private readonly ttlMs: number
  private readonly now: Clock
  private readonly cache = new Map<string, { readonly until: number; readonly metadata: ProviderMetadata }>()

  constructor (private readonly gate: HttpGate, options: DiscoveryOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000
    this.now = options.now ?? (() => new Date())
  }

  /** `provider` is the gate's concurrency lane for the fetch (see HttpGate); a cached document takes none. */
  async discover (wellKnownUrl: string, { insecureSkipVerify = false, provider }: { insecureSkipVerify?: boolean; provider?: string } = {}): Promise<ProviderMetadata> {
    // Keyed by the TLS setting too: a document fetched without verification never serves a verifying provider.
    const key = `${insecureSkipVerify ? 'insecure' : 'verified'} ${wellKnownUrl}`
    const cached = this.cache.get(key)
    if (cached !== undefined && cached.until > this.now().getTime()) return cached.metadata
    const issuers = expectedIssuers(wellKnownUrl)
    const { body } = await this.gate.send({ method: 'GET', url: wellKnownUrl, insecureSkipVerify, provider })
    const metadata = readMetadata(body, issuers, safeUrl(wellKnownUrl))
    this.cache.set(key, { until: this.now().getTime() + this.ttlMs, metadata })
    return metadata
  }

  /** Forget the document, e.g. after the registration endpoint it named answered 404. */
  invalidate (wellKnownUrl: string): void {
    for (const mode of ['insecure', 'verified']) this.cache.delete(`${mode} ${wellKnownUrl}`)
  }
}

function readMetadata (body: unknown, issuers: readonly string[], where: string): ProviderMetadata {
  // oauth4webapi processDiscoveryResponse: a JSON object with a non-empty string issuer.
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new IdpError('invalid_metadata', `Discovery document at ${where} is not a JSON object`)
  }
  const document = body as Record<string, unknown>
  const { issuer } = document
  if (typeof issuer !== 'string' || issuer === '') {
    throw new IdpError('invalid_metadata', `Discovery document at ${where} has no issuer`)
  }
  // OIDC Discovery §4.3, RFC 8414 §3.3: a document for another issuer must not be used.
  if (!issuers.includes(issuer)) {
    throw new IdpError('issuer_mismatch', `Discovery document at ${where} names issuer ${JSON.stringify(safeUrl(issuer))}, expected ${issuers.map((one) => JSON.stringify(one)).join(' or ')}`)
  }
  return {
    issuer,
    registrationEndpoint: endpoint(document, 'registration_endpoint', where),
    tokenEndpoint: endpoint(document, 'token_endpoint', where),
    grantTypesSupported: strings(document, 'grant_types_supported', where),
    tokenEndpointAuthMethodsSupported: strings(document, 'token_endpoint_auth_methods_supported', where),
    responseTypesSupported: strings(document, 'response_types_supported', where),
    scopesSupported: strings(document, 'scopes_supported', where),
    document
  }
}

function endpoint (document: Record<string, unknown>, field: string, where: string): string | undefined {
  const value = document[field]
  if (value === undefined) return undefined
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new IdpError('invalid_metadata', `Discovery document at ${where} has ${field} that is not an absolute http(s) URL`)
  }
  return value as string
}

function strings (document: Record<string, unknown>, field: string, where: string): string[] | undefined {
  const value = document[field]
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new IdpError('invalid_metadata', `Discovery document at ${where} has ${field} that is not an array of strings`)
  }
  return value
}
