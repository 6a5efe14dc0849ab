// The embedded OpenID provider (design.md §6): oidc-provider on its own loopback port, with RFC 7591
// registration behind an initial access token, RFC 7592 management with rotating registration access
// tokens (like Keycloak), client credentials, introspection (RFC 7662) and revocation (RFC 7009); and
// people signing in (issue 12): accounts, sign-in and consent pages, the authorization-code flow with
// PKCE, refresh tokens and RP-initiated logout. Its state lives in the portal's database
// (kysely-adapter.ts, accounts.ts), its secrets in the data directory.
import { createHmac } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
// @ts-expect-error -- oidc-provider 9 ships no type declarations and @types/oidc-provider is not a dependency
import Provider, { errors as oidcErrors } from 'oidc-provider'
import type { Logger } from 'pino'
import type { Db } from '../db/database.ts'
import { AppError, show } from '../errors.ts'
import { KEYS_FILE, loadIdpKeys, loadInitialAccessToken, type IdpKeys } from './idp-secrets.ts'
import { RateLimit } from '../shared/rate-limit.ts'
import type { SecretBox } from '../shared/secret-box.ts'
import { IdpAccounts } from './accounts.ts'
import { ensureFirstAdmin, type FirstAdmin } from './first-admin.ts'
import { interactionRoutes, type InteractionProvider } from './interactions.ts'
import type { KoaContext, KoaMiddleware } from './koa-context.ts'
import { deleteExpiredIdpModels, kyselyAdapterFactory, sealLegacyIdpModels } from './kysely-adapter.ts'
import { logoutBody, messageBody, sendPage } from './pages.ts'

export interface EmbeddedIdpOptions {
  readonly db: Db
  /** Seals what the IdP stores (client secrets, tokens), as the portal's own secrets. */
  readonly secretBox: SecretBox
  readonly host: string
  /** 0 picks a free port; the default issuer then carries the real one. */
  readonly port: number
  /** Already listening (main.ts binds the ports before opening anything): served instead of `port`. */
  readonly listener?: BoundServer
  /** Default `http://127.0.0.1:<port>`. */
  readonly issuer?: string
  /** Holds the initial access token and the signing and cookie keys. */
  readonly dataDir: string
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>
  /** Default: generated on first start and kept in `<dataDir>/embedded-idp-initial-access-token`. */
  readonly initialAccessToken?: string
  /** Failed authentications (initial access token, registration access token, client secret) per address and minute; default 30. */
  readonly authFailuresPerMinute?: number
  /** Failed sign-ins per address and per account (username) in a window; past either, 429 (default 30 and 10 per 5 minutes). */
  readonly loginFailures?: { readonly perAddress: number; readonly perAccount: number; readonly windowMs: number }
  /** Accounts created per address and hour at the sign-up page; default 20. */
  readonly signUpsPerHour?: number
  /** Told once, on the start that created the first account ("admin"), to print its password; never log it. */
  readonly announceFirstAdmin?: (admin: FirstAdmin) => void
  /** Where the admin console (src/console/) receives its sign-in and its sign-out; given, it is a client here. */
  readonly consoleUrls?: { readonly redirectUri: string; readonly postLogoutRedirectUri: string }
}

/** The admin console as a client of the embedded IdP: configured here, not registered, so it needs no consent. */
export interface ConsoleClient { readonly clientId: string; readonly clientSecret: string }
const CONSOLE_CLIENT_ID = 'portal-console'

/** Sign-in limits when not configured: slows guessing, yet a locked-out user waits minutes, not hours. */
export const DEFAULT_LOGIN_FAILURES = { perAddress: 30, perAccount: 10, windowMs: 5 * 60_000 } as const

/** A port bound by the caller: requests go to `serve`'s handler; `close` drains it. */
export interface BoundServer {
  readonly server: http.Server
  serve(handler: http.RequestListener): void
  close(): Promise<void>
}

export interface EmbeddedIdp {
  readonly issuer: string
  /** Where it listens (differs from the issuer when it is reached through a proxy). */
  readonly origin: string
  readonly wellKnownUrl: string
  /** The Bearer token registration requests must present (RFC 7591 §3). */
  readonly initialAccessToken: string
  /** Makes these scopes registrable and requestable, now and after a restart. */
  readonly ensureScopes: (scopes: readonly string[]) => Promise<void>
  /** The people who sign in here. */
  readonly accounts: IdpAccounts
  /** Set when `consoleUrls` was given. */
  readonly consoleClient: ConsoleClient | undefined
  close(): Promise<void>
}

/** Scopes the provider always accepts: OpenID Connect Core §5.4 and §11, and `groups` (as Okta and Keycloak name it). */
export const BASE_SCOPES: readonly string[] = ['openid', 'offline_access', 'profile', 'email', 'groups']

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/
const EXPIRED_SWEEP_MS = 60 * 60 * 1000

// The few parts of oidc-provider's API used here (docs/README.md).
interface OidcProvider extends InteractionProvider {
  callback(): http.RequestListener
  use(middleware: KoaMiddleware): void
  on(event: 'server_error', listener: (ctx: unknown, error: Error) => void): void
  readonly RegistrationAccessToken: new (properties: { client: unknown; policies?: unknown }) => { save(): Promise<string> }
}
const INTROSPECT_ANY = 'introspect_any_token'
interface Caller { readonly clientId: string; readonly clientAuthMethod: string; readonly [INTROSPECT_ANY]?: boolean }
interface Token { readonly clientId: string }
interface GrantContext {
  readonly oidc: {
    readonly result?: { readonly consent?: { readonly grantId?: string } }
    readonly session: { readonly accountId: string; grantIdFor(clientId: string): string | undefined }
    readonly client: { readonly clientId: string }
    readonly provider: InteractionProvider
  }
}
const OidcProviderClass = Provider as new (issuer: string, configuration: object) => OidcProvider

export async function startEmbeddedIdp (options: EmbeddedIdpOptions): Promise<EmbeddedIdp> {
  const { db, logger } = options
  const initialAccessToken = options.initialAccessToken ?? loadInitialAccessToken(options.dataDir)
  const keys = loadIdpKeys(options.dataDir)
  // Outlives provider swaps (install below): one count per address for the life of the IdP.
  const authFailures = new RateLimit({ limit: options.authFailuresPerMinute ?? 30, windowMs: 60_000 })
  const loginLimits = options.loginFailures ?? DEFAULT_LOGIN_FAILURES
  const loginFailures = {
    perAddress: new RateLimit({ limit: loginLimits.perAddress, windowMs: loginLimits.windowMs }),
    perAccount: new RateLimit({ limit: loginLimits.perAccount, windowMs: loginLimits.windowMs }),
    // Accounts created per address: enough for a team behind one NAT, not for a script filling the table.
    signUps: new RateLimit({ limit: options.signUpsPerHour ?? 20, windowMs: 60 * 60_000 })
  }
  const accounts = new IdpAccounts({ db })
  const firstAdmin = await ensureFirstAdmin(accounts, options.dataDir)
  if (firstAdmin !== undefined) {
    logger.info({ username: firstAdmin.username, file: firstAdmin.file }, 'embedded IdP: first account created')
    options.announceFirstAdmin?.(firstAdmin)
  }
  await deleteExpiredIdpModels(db)
  const sealed = await sealLegacyIdpModels(db, options.secretBox)
  if (sealed > 0) logger.info({ sealed }, 'embedded IdP: records stored before sealing are now sealed')

  // The issuer needs the port, and the provider needs the issuer: listen first, then build the provider.
  let current: { scopes: ReadonlySet<string>; handle: http.RequestListener } | undefined
  const handle: http.RequestListener = (req, res) => {
    if (current === undefined) res.writeHead(503).end()
    else current.handle(req, res)
  }
  const server = options.listener?.server ?? http.createServer(handle)
  if (options.listener === undefined) {
    server.listen(options.port, options.host)
    await once(server, 'listening')
  } else {
    options.listener.serve(handle)
  }
  const closeServer = async (): Promise<void> => {
    if (options.listener !== undefined) return await options.listener.close()
    await new Promise<void>((resolve, reject) => server.close((error) => { if (error) reject(error); else resolve() }))
  }
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuer = options.issuer ?? origin

  const consoleClient = options.consoleUrls === undefined ? undefined : { clientId: CONSOLE_CLIENT_ID, clientSecret: consoleSecret(keys), ...options.consoleUrls }
  const install = (scopes: ReadonlySet<string>): void => {
    current = { scopes, handle: createProvider({ issuer, scopes, keys, initialAccessToken, db, box: options.secretBox, authFailures, loginFailures, accounts, logger, consoleClient }).callback() }
  }
  try {
    install(await loadScopes(db))
  } catch (error) {
    await closeServer()
    throw error
  }
  const sweep = setInterval(() => {
    deleteExpiredIdpModels(db).catch((error: unknown) => logger.warn({ err: error }, 'embedded IdP: deleting expired records failed'))
  }, EXPIRED_SWEEP_MS).unref()
  logger.info({ issuer }, 'embedded IdP listening')

  // oidc-provider copies `scopes` into a private Set when a Provider is constructed
  // (lib/helpers/configuration.js cloneConfiguration), and the client schema checks registered `scope`
  // values against that Set (lib/helpers/client_schema.js scopes()). There is no public way to add to
  // it, so a new scope is stored in idp_scopes and a provider with the new list replaces the running
  // one for the next request; all state is in the database, so nothing is lost in the swap.
  let queue: Promise<unknown> = Promise.resolve()
  const addScopes = async (scopes: readonly string[]): Promise<void> => {
    const missing = [...new Set(scopes)].filter((scope) => current?.scopes.has(scope) !== true)
    if (missing.length === 0) return
    const createdAt = new Date().toISOString()
    await db.insertInto('idp_scopes')
      .values(missing.map((scope) => ({ scope, created_at: createdAt })))
      .onConflict((oc) => oc.column('scope').doNothing())
      .execute()
    install(await loadScopes(db))
  }

  return {
    issuer,
    origin,
    wellKnownUrl: `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    initialAccessToken,
    accounts,
    consoleClient: consoleClient === undefined ? undefined : { clientId: consoleClient.clientId, clientSecret: consoleClient.clientSecret },
    ensureScopes (scopes) {
      const invalid = scopes.filter((scope) => !SCOPE_TOKEN.test(scope))
      if (invalid.length > 0) return Promise.reject(new AppError('invalid_input', invalid.map((scope) => `scope ${show(scope)} is not a valid scope token (RFC 6749 §3.3)`)))
      // One at a time, so that two concurrent calls cannot install an older list over a newer one.
      const run = queue.then(() => addScopes(scopes))
      queue = run.catch(() => { /* the caller of this run gets its failure; the next run goes ahead */ })
      return run
    },
    async close () {
      clearInterval(sweep)
      await queue
      await closeServer()
    }
  }
}

async function loadScopes (db: Db): Promise<ReadonlySet<string>> {
  const rows = await db.selectFrom('idp_scopes').select('scope').orderBy('scope').execute()
  return new Set([...BASE_SCOPES, ...rows.map((row) => row.scope)])
}

interface ProviderSettings {
  readonly issuer: string
  readonly scopes: ReadonlySet<string>
  readonly keys: IdpKeys
  readonly initialAccessToken: string
  readonly db: Db
  readonly box: SecretBox
  readonly authFailures: RateLimit
  readonly loginFailures: { readonly perAddress: RateLimit; readonly perAccount: RateLimit; readonly signUps: RateLimit }
  readonly accounts: IdpAccounts
  readonly logger: EmbeddedIdpOptions['logger']
  readonly consoleClient: (ConsoleClient & NonNullable<EmbeddedIdpOptions['consoleUrls']>) | undefined
}

/** Derived from the cookie key, so that it survives restarts and is never written anywhere. */
function consoleSecret (keys: IdpKeys): string {
  const [key] = keys.cookieKeys
  if (key === undefined) throw new Error(`embedded IdP: no cookie key in ${KEYS_FILE}`)
  return createHmac('sha256', key).update('portal-console client secret').digest('base64url')
}

function createProvider ({ issuer, scopes, keys, initialAccessToken, db, box, authFailures, loginFailures, accounts, logger, consoleClient }: ProviderSettings): OidcProvider {
  const provider = new OidcProviderClass(issuer, {
    adapter: kyselyAdapterFactory(db, box),
    clients: consoleClient === undefined
      ? []
      : [{
          client_id: consoleClient.clientId,
          client_secret: consoleClient.clientSecret,
          client_name: 'Portal admin console',
          redirect_uris: [consoleClient.redirectUri],
          post_logout_redirect_uris: [consoleClient.postLogoutRedirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic'
        }],
    // oidc-provider's recipe "skip consent for first-party applications": the console asks no consent of its admins.
    async loadExistingGrant (ctx: GrantContext) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId)
      if (grantId !== undefined) return await ctx.oidc.provider.Grant.find(grantId)
      if (ctx.oidc.client.clientId !== consoleClient?.clientId) return undefined
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId })
      grant.addOIDCScope('openid profile email groups')
      await grant.save()
      return grant
    },
    // An inactive or deleted account finds nothing: its sessions end and its tokens stop working.
    async findAccount (_ctx: unknown, sub: string) {
      const account = await accounts.findActive(sub)
      if (account === undefined) return undefined
      const email = account.email === null ? {} : { email: account.email, email_verified: account.emailVerified }
      return { accountId: account.id, claims: async () => ({ sub: account.id, name: account.name, preferred_username: account.username, groups: account.groups, ...email }) }
    },
    // OpenID Connect Core §5.4: the claims each scope grants; `groups` as Okta and Keycloak send it.
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'], groups: ['groups'] },
    // The granted claims go in the ID token too, not only at userinfo: what RPs expect from Keycloak, Okta, Auth0.
    conformIdTokenClaims: false,
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    renderError: async (ctx: KoaContext, out: { error?: string; error_description?: string }) => {
      sendPage(ctx, ctx.status, 'Sign-in could not continue', messageBody(out.error_description ?? out.error ?? 'The request could not be completed.'))
    },
    // RFC 9700 §2.1.1: PKCE for every authorization code, confidential clients included.
    pkce: { required: () => true },
    // An invitation code may ride on the authorization request to the sign-up page (src/db/sign-up.ts).
    extraParams: ['invitation'],
    // A resource server registers with "introspect_any_token": true (the portal never sends it for consumers).
    extraClientMetadata: {
      properties: [INTROSPECT_ANY],
      validator (_ctx: unknown, key: string, value: unknown) {
        if (key === INTROSPECT_ANY && value !== undefined && typeof value !== 'boolean') throw new (oidcErrors as { InvalidClientMetadata: new (message: string) => Error }).InvalidClientMetadata(`${INTROSPECT_ANY} must be a boolean`)
      }
    },
    jwks: keys.jwks,
    // Signed, http-only, SameSite=Lax (oidc-provider's defaults, stated): a cross-site post carries none.
    cookies: { keys: keys.cookieKeys, long: { httpOnly: true, sameSite: 'lax' }, short: { httpOnly: true, sameSite: 'lax' } },
    scopes: [...scopes],
    // Every response type oidc-provider supports (a bare OAuth `token` is not one), so that the portal's client types are registrable.
    responseTypes: ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token', 'none'],
    features: {
      devInteractions: { enabled: false }, // our own pages instead (interactions.ts)
      // OpenID Connect RP-Initiated Logout 1.0: /session/end asks, then signs the browser out.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContext, form: string) => { sendPage(ctx, 200, 'Sign out', logoutBody(ctx.host, form)) },
        postLogoutSuccessSource: async (ctx: KoaContext) => { sendPage(ctx, 200, 'Signed out', messageBody('You are signed out.')) }
      },
      registration: { enabled: true, initialAccessToken }, // a string: one static Bearer value
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true }, // new token on every PUT
      clientCredentials: { enabled: true },
      // RFC 7662 §4 leaves who may introspect what to the server: a client its own tokens (consumers are
      // clients, and one must not read another's, issue 11 item 9); a registered resource server any token.
      introspection: { enabled: true, allowedPolicy: (_ctx: unknown, caller: Caller, token: Token) => token.clientId === caller.clientId || caller[INTROSPECT_ANY] === true },
      // RFC 7009 §2.1: a client revokes only tokens issued to it (others: silently ignored).
      revocation: { enabled: true, allowedPolicy: (_ctx: unknown, caller: Caller, token: Token) => token.clientId === caller.clientId }
    },
    // Explicit lifetimes (seconds), as oidc-provider asks (it warns about each default).
    ttl: {
      AccessToken: 60 * 60,
      AuthorizationCode: 60,
      ClientCredentials: 10 * 60,
      IdToken: 60 * 60,
      RefreshToken: 14 * 24 * 60 * 60,
      Interaction: 60 * 60,
      Session: 14 * 24 * 60 * 60,
      Grant: 14 * 24 * 60 * 60
    },
    clientBasedCORS: () => false // callers are servers, not browsers
  })
  provider.on('server_error', (_ctx, error) => { logger.error({ err: error }, 'embedded IdP: server error') })
  const [csrfKey] = keys.cookieKeys
  if (csrfKey === undefined) throw new Error(`embedded IdP: no cookie key in ${KEYS_FILE}`)
  provider.use(interactionRoutes(provider, {
    accounts, csrfKey, failuresPerAddress: loginFailures.perAddress, failuresPerAccount: loginFailures.perAccount, signUpsPerAddress: loginFailures.signUps, db, now: () => new Date(), logger
  }))
  // Issue 11 item 12: guessing an initial access token, a registration access token or a client secret is
  // slowed per address: past the limit every call from it answers 429 until its minute ends.
  provider.use(async (ctx, next) => {
    const wait = authFailures.blocked(ctx.ip)
    if (wait !== undefined) {
      ctx.status = 429
      ctx.set('retry-after', String(wait))
      ctx.body = { error: 'temporarily_unavailable', error_description: `too many failed authentications from this address: retry in ${wait} s` }
      return
    }
    await next()
    if (ctx.status === 401) authFailures.take(ctx.ip)
  })
  // RFC 7592 §2.1 lets a read return a new registration access token (the client must then discard the
  // old one); Keycloak does so, so reads rotate here too and drivers must always adopt the returned token.
  provider.use(async (ctx, next) => {
    await next()
    const previous = ctx.oidc?.entities.RegistrationAccessToken
    if (ctx.oidc?.route !== 'client' || ctx.status !== 200 || previous === undefined) return
    const rotated = new provider.RegistrationAccessToken({ client: ctx.oidc.client, policies: previous.policies })
    const client = ctx.body as Record<string, unknown> // a client read answers the client's metadata object
    client.registration_access_token = await rotated.save()
    await previous.destroy()
  })
  return provider
}
