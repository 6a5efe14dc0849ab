// Real identity providers for tests, on 127.0.0.1 only: oidc-provider 9 in profiles that behave like the
// IdPs the drivers target (idp-drivers.md §7, §8), plus tiny stub servers that misbehave on purpose.
import { generateKeyPairSync } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
// @ts-expect-error -- oidc-provider 9 ships no type declarations and @types/oidc-provider is not a dependency
import Provider, { errors as oidcErrors } from 'oidc-provider'
import * as oauth from 'openid-client'
import { Agent, request } from 'undici'

/** One RS256 signing key for every test IdP of this process (generating one per IdP would cost ~50 ms each). */
const TEST_IDP_JWKS = { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'test-idp' }] }

export type TestIdpProfile = 'rfc' | 'keycloak' | 'okta' | 'gluu' | 'register-only'

export interface TestIdpOptions {
  readonly profile: TestIdpProfile
  /** Scopes the IdP knows (plus offline_access); registrations asking for others are refused. Default openid, payments, clients. */
  readonly scopes?: readonly string[]
  /** Serve https with this key and certificate (e.g. from test/helpers/tls.ts). */
  readonly tls?: { readonly key: string; readonly cert: string }
  /** The origin it is reached through (a fault proxy), which its issuer and URLs name. Default its own. */
  readonly publicOrigin?: string
}

export interface TestIdp {
  readonly profile: TestIdpProfile
  readonly origin: string
  readonly issuer: string
  readonly wellKnownUrl: string
  readonly registrationEndpoint: string
  /** The Bearer initial access token; for the okta profile the `SSWS` API token. */
  readonly initialAccessToken: string
  /** Every request received, as "METHOD /path" (query left out). */
  readonly requests: readonly string[]
  /** Management calls that presented a registration access token already rotated or revoked. */
  staleTokenPresentations(): number
  /** Whether the IdP still holds this client (its own store, not an HTTP call). */
  hasClient(clientId: string): Promise<boolean>
  /** Every client the IdP holds (its own store). */
  clientIds(): string[]
  /** A held client's client_name (it carries the correlation tag of its registration). */
  clientName(clientId: string): string | undefined
  close(): Promise<void>
}

/** Keycloak's Trusted Hosts policy text (idp-drivers.md §1), answered for redirect URIs on this host. */
export const UNTRUSTED_HOST = 'untrusted.example'
export const TRUSTED_HOSTS_REJECTION = "Policy 'Trusted Hosts' rejected request to client-registration service. Details: Host not trusted."
/** Janssen-like client lifetime, seconds (idp-drivers.md §3). */
export const GLUU_CLIENT_LIFETIME = 86_400

interface ProfileShape {
  readonly mountPath: string
  readonly registrationRoute: string
  readonly rotateOnUpdate: boolean
  readonly rotateOnRead: boolean
  readonly policies: readonly string[]
  /** RFC 7592 management offered (default true); off, registrations return no registration_client_uri. */
  readonly management?: boolean
}

const PROFILES: Readonly<Record<TestIdpProfile, ProfileShape>> = {
  rfc: { mountPath: '', registrationRoute: '/reg', rotateOnUpdate: true, rotateOnRead: false, policies: [] },
  // Keycloak: one-shot tokens, rotated by PUT and (as its docs say) by GET.
  keycloak: { mountPath: '/realms/test', registrationRoute: '/clients-registrations/openid-connect', rotateOnUpdate: true, rotateOnRead: true, policies: ['trusted-hosts'] },
  // Okta: the provider's own registration is private; the Okta API front below is what callers see.
  okta: { mountPath: '', registrationRoute: '/internal/registration', rotateOnUpdate: true, rotateOnRead: false, policies: [] },
  // Janssen: rotateClientRegistrationAccessTokenOnUsage is off by default.
  gluu: { mountPath: '', registrationRoute: '/jans-auth/restv1/register', rotateOnUpdate: false, rotateOnRead: false, policies: ['lifetime'] },
  // An IdP that registers but offers no RFC 7592 management (LemonLDAP::NG; Glewlwyd with management off).
  'register-only': { mountPath: '', registrationRoute: '/reg', rotateOnUpdate: false, rotateOnRead: false, policies: [], management: false }
}
const OKTA_CLIENTS = '/oauth2/v1/clients'

export async function startTestIdp (options: TestIdpOptions): Promise<TestIdp> {
  const shape = PROFILES[options.profile]
  let handle: http.RequestListener = (_req, res) => { res.statusCode = 503; res.end() }
  const server = options.tls === undefined
    ? http.createServer((req, res) => handle(req, res))
    : https.createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => handle(req, res))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuer = `${options.publicOrigin ?? origin}${shape.mountPath}`
  const store = new Map<string, StoredModel>()
  const provider = new Provider(issuer, {
    adapter: (name: string) => new MapAdapter(name, store),
    // offline_access is what makes oidc-provider accept the refresh_token grant (configuration.js collectGrantTypes).
    scopes: [...new Set([...(options.scopes ?? ['openid', 'payments', 'clients']), 'offline_access'])],
    cookies: { keys: ['test-idp-cookie-key'] },
    jwks: TEST_IDP_JWKS, // keys of its own, so oidc-provider has no development-only keys to warn about
    ttl: { ClientCredentials: 600 },
    routes: { registration: shape.registrationRoute },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, initialAccessToken: true, policies: POLICIES },
      registrationManagement: { enabled: shape.management ?? true, rotateRegistrationAccessToken: shape.rotateOnUpdate },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true }
    }
  }) as OidcProvider
  const initialAccessToken = await new provider.InitialAccessToken(shape.policies.length === 0 ? {} : { policies: [...shape.policies] }).save()
  const tokens = trackRegistrationTokens(provider, shape.registrationRoute, shape.rotateOnRead)
  if (options.profile === 'gluu') useQueryStyleClientUri(provider, shape.registrationRoute)
  if (options.profile === 'okta') advertise(provider, 'registration_endpoint', `${issuer}${OKTA_CLIENTS}`)
  if (shape.management === false) withoutManagement(provider, shape.registrationRoute)

  const requests: string[] = []
  const callback = provider.callback()
  const okta = options.profile === 'okta' ? new OktaFront(`${origin}${shape.registrationRoute}`, initialAccessToken, store) : undefined
  handle = (req, res) => {
    const url = new URL(req.url ?? '/', origin)
    requests.push(`${req.method ?? 'GET'} ${url.pathname}`)
    if (okta !== undefined && (url.pathname === OKTA_CLIENTS || url.pathname.startsWith(`${OKTA_CLIENTS}/`))) {
      okta.handle(req, res, url).catch((error: unknown) => { res.statusCode = 500; res.end(String(error)) })
      return
    }
    if (options.profile === 'gluu' && url.pathname === shape.registrationRoute && url.searchParams.has('client_id')) {
      // Janssen's registration_client_uri is `…/register?client_id=…`; oidc-provider routes `…/register/:id`.
      req.url = `${shape.registrationRoute}/${encodeURIComponent(url.searchParams.get('client_id') ?? '')}`
    }
    if (shape.mountPath !== '') {
      if (!url.pathname.startsWith(`${shape.mountPath}/`)) { res.statusCode = 404; res.end(); return }
      Object.assign(req, { originalUrl: req.url, url: (req.url ?? '/').slice(shape.mountPath.length) })
    }
    void callback(req, res)
  }

  return {
    profile: options.profile,
    origin,
    issuer,
    wellKnownUrl: `${issuer}/.well-known/openid-configuration`,
    registrationEndpoint: okta === undefined ? `${issuer}${shape.registrationRoute}` : `${issuer}${OKTA_CLIENTS}`,
    initialAccessToken: okta?.apiToken ?? initialAccessToken,
    requests,
    staleTokenPresentations: () => tokens.stale,
    hasClient: async (clientId) => store.has(`Client:${clientId}`),
    clientIds: () => [...store.keys()].filter((key) => key.startsWith('Client:')).map((key) => key.slice('Client:'.length)),
    clientName: (clientId) => store.get(`Client:${clientId}`)?.payload.client_name as string | undefined,
    async close () {
      await okta?.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/**
 * A client_credentials token from the IdP's token endpoint, through a real OAuth client library
 * (openid-client 6), authenticating with client_secret_basic. Plain-http issuers are allowed for tests.
 */
export async function clientCredentialsToken (idp: Pick<TestIdp, 'issuer'>, clientId: string, clientSecret: string, scope: string): Promise<oauth.TokenEndpointResponse> {
  const config = await oauth.discovery(new URL(idp.issuer), clientId, undefined, oauth.ClientSecretBasic(clientSecret), { execute: [oauth.allowInsecureRequests] })
  return await oauth.clientCredentialsGrant(config, { scope })
}

// ---------------------------------------------------------------------------------------------------
// oidc-provider glue

/** Registration answers without RFC 7592 §3 management fields, as an IdP that offers none sends them. */
function withoutManagement (provider: OidcProvider, registrationRoute: string): void {
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.method !== 'POST' || ctx.path !== registrationRoute || typeof ctx.body !== 'object' || ctx.body === null) return
    const { registration_client_uri: _uri, registration_access_token: _token, ...rest } = ctx.body as Metadata
    ctx.body = rest
  })
}

// The few parts of oidc-provider's API used here (OP:docs/README.md).
interface KoaContext {
  method: string
  path: string
  status: number
  body: unknown
  get(header: string): string
  oidc?: { client?: unknown }
}
interface Token { policies?: string[]; save(): Promise<string>; destroy(): Promise<void> }
interface OidcProvider {
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void
  InitialAccessToken: new (options: { policies?: string[] }) => Token
  RegistrationAccessToken: (new (options: { client: unknown; policies?: string[] }) => Token) & { find(value: string): Promise<Token | undefined> }
}
type Metadata = Record<string, unknown>

const POLICIES = {
  'trusted-hosts': (_ctx: unknown, properties: Metadata) => {
    const uris = Array.isArray(properties.redirect_uris) ? properties.redirect_uris as string[] : []
    if (uris.some((uri) => URL.canParse(uri) && new URL(uri).hostname === UNTRUSTED_HOST)) {
      throw new oidcErrors.InsufficientScope(TRUSTED_HOSTS_REJECTION, 'clients')
    }
  },
  lifetime: (_ctx: unknown, properties: Metadata) => {
    if (typeof properties.client_secret === 'string' && typeof properties.client_id_issued_at === 'number') {
      properties.client_secret_expires_at = properties.client_id_issued_at + GLUU_CLIENT_LIFETIME
    }
  }
}

/** Counts presentations of replaced or revoked registration access tokens; optionally rotates on GET. */
function trackRegistrationTokens (provider: OidcProvider, registrationPath: string, rotateOnRead: boolean): { stale: number } {
  const counter = { stale: 0 }
  const current = new Map<string, string>()
  const retired = new Set<string>()
  provider.use(async (ctx, next) => {
    const managing = ctx.path.startsWith(`${registrationPath}/`)
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1]
    if (managing && bearer !== undefined && retired.has(bearer)) counter.stale++
    await next()
    const body = (typeof ctx.body === 'object' && ctx.body !== null ? ctx.body : {}) as Metadata
    if (managing && bearer !== undefined && ctx.status < 300) {
      if (ctx.method === 'DELETE') retired.add(bearer)
      if (ctx.method === 'GET' && rotateOnRead) {
        const old = await provider.RegistrationAccessToken.find(bearer)
        body.registration_access_token = await new provider.RegistrationAccessToken({ client: ctx.oidc?.client, policies: old?.policies }).save()
        await old?.destroy()
      }
    }
    if (typeof body.client_id === 'string' && typeof body.registration_access_token === 'string') {
      const previous = current.get(body.client_id)
      if (previous !== undefined && previous !== body.registration_access_token) retired.add(previous)
      current.set(body.client_id, body.registration_access_token)
    }
  })
  return counter
}

function useQueryStyleClientUri (provider: OidcProvider, registrationRoute: string): void {
  provider.use(async (ctx, next) => {
    await next()
    const body = ctx.body as Metadata | undefined
    if (typeof body?.registration_client_uri === 'string' && typeof body.client_id === 'string') {
      const uri = new URL(body.registration_client_uri)
      uri.pathname = registrationRoute
      uri.search = new URLSearchParams({ client_id: body.client_id }).toString()
      body.registration_client_uri = uri.href
    }
  })
}

function advertise (provider: OidcProvider, field: string, value: string): void {
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.path === '/.well-known/openid-configuration' && typeof ctx.body === 'object' && ctx.body !== null) (ctx.body as Metadata)[field] = value
  })
}

interface StoredModel { payload: Metadata; expiresAt?: number }

/** Map-backed adapter (OP:example/my_adapter.js), one store per test IdP: the built-in one is process-wide. */
class MapAdapter {
  constructor (private readonly model: string, private readonly store: Map<string, StoredModel>) {}

  async upsert (id: string, payload: Metadata, expiresIn?: number): Promise<void> {
    this.store.set(this.key(id), { payload, expiresAt: expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000 })
  }

  async find (id: string): Promise<Metadata | undefined> {
    const entry = this.store.get(this.key(id))
    if (entry === undefined || (entry.expiresAt !== undefined && entry.expiresAt < Date.now())) return undefined
    return entry.payload
  }

  async findByUid (uid: string): Promise<Metadata | undefined> { return this.findBy('uid', uid) }
  async findByUserCode (userCode: string): Promise<Metadata | undefined> { return this.findBy('userCode', userCode) }

  async consume (id: string): Promise<void> {
    const entry = this.store.get(this.key(id))
    if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000)
  }

  async destroy (id: string): Promise<void> { this.store.delete(this.key(id)) }

  async revokeByGrantId (grantId: string): Promise<void> {
    for (const [key, entry] of this.store) if (key.startsWith(`${this.model}:`) && entry.payload.grantId === grantId) this.store.delete(key)
  }

  private findBy (field: string, value: string): Metadata | undefined {
    for (const [key, entry] of this.store) if (key.startsWith(`${this.model}:`) && entry.payload[field] === value) return entry.payload
    return undefined
  }

  private key (id: string): string { return `${this.model}:${id}` }
}

// ---------------------------------------------------------------------------------------------------
// Okta: its clients API (OKTADOCS …/oauth-clients) in front of the real provider, which stays the source
// of truth. SSWS API token; no registration access token in responses; application_type rules.

const OKTA_GRANTS: Readonly<Record<string, readonly string[]>> = {
  web: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
  native: ['authorization_code', 'implicit', 'password', 'refresh_token'],
  browser: ['authorization_code', 'implicit'],
  service: ['client_credentials']
}

interface OktaClient { rat: string; applicationType: string; pkceRequired: boolean; name: string }

class OktaFront {
  readonly apiToken = `okta-api-token-${Math.random().toString(36).slice(2)}`
  private readonly clients = new Map<string, OktaClient>()
  // The provider's own endpoint may be https with a self-signed certificate; this is loopback to ourselves.
  private readonly agent = new Agent({ connect: { rejectUnauthorized: false } })

  constructor (private readonly registration: string, private readonly iat: string, private readonly store: Map<string, StoredModel>) {}

  async handle (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const body = await readJson(req)
    const [clientId, ...rest] = url.pathname.slice(OKTA_CLIENTS.length + 1).split('/').map(decodeURIComponent)
    const action = `${req.method ?? 'GET'} ${clientId === undefined || clientId === '' ? '' : ':id'}${rest.length > 0 ? `/${rest.join('/')}` : ''}`
    if (req.headers.authorization !== `SSWS ${this.apiToken}`) {
      return send(res, 401, oktaError('E0000011', 'Invalid token provided'))
    }
    if (action === 'POST ') return await this.create(res, body)
    const client = clientId === undefined ? undefined : this.clients.get(clientId)
    if (client === undefined || clientId === undefined) {
      return action.endsWith('/lifecycle/newSecret')
        ? send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${clientId ?? ''} (AppOAuthClient)`))
        : send(res, 401, { error: 'invalid_client', error_description: "Invalid value for 'client_id' parameter." })
    }
    if (action === 'GET :id') {
      const answer = await this.call('GET', clientId, client)
      if (answer.status === 200) delete answer.body.client_secret // Okta shows the secret only on create, update, newSecret
      return send(res, answer.status, this.present(answer.body, client))
    }
    if (action === 'PUT :id') return await this.update(res, clientId, client, body)
    if (action === 'DELETE :id') {
      const answer = await this.call('DELETE', clientId, client)
      if (answer.status === 204) this.clients.delete(clientId)
      return send(res, answer.status, answer.body)
    }
    if (action === 'POST :id/lifecycle/newSecret') return await this.newSecret(res, clientId, client)
    send(res, 404, oktaError('E0000022', 'The endpoint does not support the provided HTTP method'))
  }

  async close (): Promise<void> { await this.agent.close() }

  private async create (res: http.ServerResponse, body: Metadata): Promise<void> {
    const translated = this.translate(body)
    if ('error' in translated) return send(res, 400, translated)
    const name = typeof body.client_name === 'string' ? body.client_name : ''
    if ([...this.clients.values()].some((client) => client.name === name)) {
      return send(res, 400, { error: 'invalid_client_metadata', error_description: 'client_name: An object with this field already exists in the current organization' })
    }
    const answer = await this.forward('POST', this.registration, `Bearer ${this.iat}`, translated.metadata)
    if (answer.status !== 201) return send(res, answer.status, answer.body)
    const client = { rat: String(answer.body.registration_access_token), applicationType: translated.applicationType, pkceRequired: body.pkce_required === true, name }
    this.clients.set(String(answer.body.client_id), client)
    send(res, 201, this.present(answer.body, client))
  }

  private async update (res: http.ServerResponse, clientId: string, client: OktaClient, body: Metadata): Promise<void> {
    if (typeof body.client_name !== 'string' || body.client_name === '') {
      return send(res, 400, { error: 'invalid_client_metadata', error_description: 'client_name: The field cannot be left blank' })
    }
    const translated = this.translate(body)
    if ('error' in translated) return send(res, 400, translated)
    const answer = await this.call('PUT', clientId, client, { ...translated.metadata, client_id: clientId })
    if (answer.status === 200) Object.assign(client, { applicationType: translated.applicationType, pkceRequired: body.pkce_required === true, name: body.client_name })
    send(res, answer.status, this.present(answer.body, client))
  }

  /** Okta's lifecycle/newSecret: a new secret for the same client, written to the provider's own store. */
  private async newSecret (res: http.ServerResponse, clientId: string, client: OktaClient): Promise<void> {
    const stored = this.store.get(`Client:${clientId}`)
    if (stored === undefined) return send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${clientId} (AppOAuthClient)`))
    stored.payload = { ...stored.payload, client_secret: `rotated-${crypto.randomUUID()}-${crypto.randomUUID()}` }
    const answer = await this.call('GET', clientId, client)
    send(res, answer.status, this.present(answer.body, client))
  }

  /** Okta's application_type rules (OKTADOCS …/oauth-clients), then the provider's own vocabulary. */
  private translate (body: Metadata): { metadata: Metadata; applicationType: string } | { error: string; error_description: string } {
    const applicationType = typeof body.application_type === 'string' ? body.application_type : 'web'
    const grants = Array.isArray(body.grant_types) ? body.grant_types as string[] : ['authorization_code']
    const responseTypes = Array.isArray(body.response_types) ? body.response_types as string[] : ['code']
    const allowed = OKTA_GRANTS[applicationType]
    const invalid = (description: string) => ({ error: 'invalid_client_metadata', error_description: description })
    if (allowed === undefined) return invalid('\'application_type\' must be one of web, native, browser, service.')
    const refused = grants.find((grant) => !allowed.includes(grant))
    if (refused !== undefined) return invalid(`'grant_types' may not contain '${refused}' when 'application_type' is '${applicationType}'.`)
    if ((applicationType === 'web' || applicationType === 'native') && !grants.includes('authorization_code')) {
      return invalid(`'grant_types' must contain 'authorization_code' when 'application_type' is '${applicationType}'.`)
    }
    if (applicationType !== 'service' && responseTypes.includes('token') && !grants.includes('implicit')) {
      return invalid("'grant_types' must contain 'implicit' when 'response_types' contains 'token'.")
    }
    if (applicationType === 'browser' && body.token_endpoint_auth_method !== 'none') {
      return invalid("'token_endpoint_auth_method' must be 'none' when 'application_type' is 'browser'.")
    }
    const { pkce_required: _pkce, application_type: _type, ...metadata } = body
    const machine = applicationType === 'service'
    return {
      applicationType,
      metadata: {
        ...metadata,
        application_type: applicationType === 'native' ? 'native' : 'web',
        ...(machine ? { response_types: [], redirect_uris: [] } : {})
      }
    }
  }

  /** Okta's shape: no RFC 7592 members, its own application_type, `token` for service apps. */
  private present (body: Metadata, client: OktaClient): Metadata {
    if (typeof body.client_id !== 'string') return body
    const { registration_access_token: _rat, registration_client_uri: _uri, ...rest } = body
    return {
      ...rest,
      application_type: client.applicationType,
      pkce_required: client.pkceRequired,
      ...(client.applicationType === 'service' ? { response_types: ['token'] } : {})
    }
  }

  /** A management call at the provider with the client's newest registration access token. */
  private async call (method: 'GET' | 'PUT' | 'DELETE', clientId: string, client: OktaClient, json?: Metadata): Promise<{ status: number; body: Metadata }> {
    const answer = await this.forward(method, `${this.registration}/${encodeURIComponent(clientId)}`, `Bearer ${client.rat}`, json)
    if (typeof answer.body.registration_access_token === 'string') client.rat = answer.body.registration_access_token
    return answer
  }

  private async forward (method: string, url: string, authorization: string, json?: Metadata): Promise<{ status: number; body: Metadata }> {
    const { statusCode, body } = await request(url, {
      method: method as 'GET',
      dispatcher: this.agent,
      headers: { authorization, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json)
    })
    const text = await body.text()
    return { status: statusCode, body: text === '' ? {} : JSON.parse(text) as Metadata }
  }
}

function oktaError (errorCode: string, errorSummary: string): Metadata {
  return { errorCode, errorSummary, errorLink: errorCode, errorId: `oae${Math.random().toString(36).slice(2, 12)}`, errorCauses: [] }
}

async function readJson (req: http.IncomingMessage): Promise<Metadata> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text === '' ? {} : JSON.parse(text) as Metadata
}

function send (res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status
  if (status === 204) { res.end(); return }
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.setHeader('cache-control', 'no-store')
  res.end(JSON.stringify(body))
}

// ---------------------------------------------------------------------------------------------------
// Stub servers that misbehave on purpose (idp-drivers.md §8 "Fault injection").

export interface StubServer {
  readonly origin: string
  /** Every request received, as "METHOD /path". */
  readonly requests: readonly string[]
  close(): Promise<void>
}

export type StubHandler = (req: http.IncomingMessage, res: http.ServerResponse, origin: string) => void

export async function startStubServer (handler: StubHandler): Promise<StubServer> {
  const requests: string[] = []
  let origin = ''
  const server = http.createServer((req, res) => {
    requests.push(`${req.method ?? 'GET'} ${new URL(req.url ?? '/', origin).pathname}`)
    handler(req, res, origin)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    requests,
    async close () {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** A discovery document for the stub's own origin, with a registration endpoint at /register. */
export function discoveryDocument (origin: string, overrides: Metadata = {}): Metadata {
  return { issuer: origin, registration_endpoint: `${origin}/register`, token_endpoint: `${origin}/token`, ...overrides }
}

/** Handlers answering the well-known path badly; any other path answers 404. */
export const faults = {
  wrongIssuer: onWellKnown((res, origin) => send(res, 200, discoveryDocument(origin, { issuer: 'http://127.0.0.1:1/evil' }))),
  noRegistrationEndpoint: onWellKnown((res, origin) => send(res, 200, discoveryDocument(origin, { registration_endpoint: undefined }))),
  redirect: onWellKnown((res, origin) => { res.writeHead(302, { location: `${origin}/elsewhere/.well-known/openid-configuration?token=secret` }).end() }),
  html: onWellKnown((res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>') }),
  /** 5 MB of JSON, streamed without a content-length so the cap must act while reading. */
  huge: onWellKnown((res, origin) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(discoveryDocument(origin, { padding: 'x'.repeat(5 * 1024 * 1024) })))
  }),
  /** Never answers: only the caller's headers timeout ends the call. */
  slowHeaders: onWellKnown(() => { /* never answered */ })
}

function onWellKnown (answer: (res: http.ServerResponse, origin: string) => void): StubHandler {
  return (req, res, origin) => {
    if (new URL(req.url ?? '/', origin).pathname === '/.well-known/openid-configuration') answer(res, origin)
    else send(res, 404, { error: 'not_found' })
  }
}

/** A port on 127.0.0.1 that nothing listens on (connection refused). */
export async function closedPort (): Promise<number> {
  const server = http.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
