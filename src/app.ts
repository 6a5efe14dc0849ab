// Composition root: builds the services and registers the routes; never listens (main.ts does).
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Database } from './db/database.ts'
import { adminAuth } from './http/auth.ts'
import { answerFrameworkError, registerErrorHandling } from './http/error-handler.ts'
import { OneLineRequestLog, lazyRequestLogger } from './http/request-log.ts'
import { buildSerializersOnFirstUse, compileValidatorsOnFirstUse } from './http/lazy-compilers.ts'
import { healthRoutes } from './http/health.routes.ts'
import { registerJsonBodyParser } from './http/json-body.ts'
import { registerOpenApi } from './http/openapi.ts'
import { concurrencyControl } from './http/concurrency.ts'
import { idempotencyKeys } from './http/idempotency.ts'
import { auditLogRoutes } from './modules/audit/audit.routes.ts'
import { AuditLogService } from './modules/audit/audit.service.ts'
import { accessRequestRoutes } from './modules/access-requests/access-request.routes.ts'
import { AccessRequestService, credentialUsage } from './modules/access-requests/access-request.service.ts'
import { appRoutes } from './modules/apps/app.routes.ts'
import { AppService } from './modules/apps/app.service.ts'
import { toAppElem } from './modules/apps/app.schemas.ts'
import { clientTypeRoutes } from './modules/oauth-providers/client-type.routes.ts'
import { ClientTypeService } from './modules/oauth-providers/client-type.service.ts'
import { toClientTypeSnapshot } from './modules/oauth-providers/client-type.schemas.ts'
import { oauthProviderRoutes } from './modules/oauth-providers/oauth-provider.routes.ts'
import { OAuthProviderService } from './modules/oauth-providers/oauth-provider.service.ts'
import { toProviderSnapshot } from './modules/oauth-providers/oauth-provider.schemas.ts'
import { syncEmbeddedProvider, type EmbeddedIdpEndpoint } from './modules/oauth-providers/embedded-provider.ts'
import { planRoutes } from './modules/plans/plan.routes.ts'
import { PlanService } from './modules/plans/plan.service.ts'
import { toPlan } from './modules/plans/plan.schemas.ts'
import { productRoutes } from './modules/products/product.routes.ts'
import { ProductService, productAttachments, type ScopesSavedHook } from './modules/products/product.service.ts'
import { toProductShow } from './modules/products/product.schemas.ts'
import { organisationRoutes } from './modules/organisations/organisation.routes.ts'
import { OrganisationService } from './modules/organisations/organisation.service.ts'
import { toOrganisationShow } from './modules/organisations/organisation.schemas.ts'
import { teamRoutes } from './modules/organisations/team.routes.ts'
import { TeamService } from './modules/organisations/team.service.ts'
import { toTeamShow } from './modules/organisations/team.schemas.ts'
import { userRoutes } from './modules/users/user.routes.ts'
import { UserService } from './modules/users/user.service.ts'
import { toUserShow } from './modules/users/user.schemas.ts'
import { catalogueRoutes } from './modules/catalogues/catalogue.routes.ts'
import { CatalogueService } from './modules/catalogues/catalogue.service.ts'
import { AudienceService } from './modules/catalogues/audience.service.ts'
import { toCatalogueShow } from './modules/catalogues/catalogue.schemas.ts'
import { ProviderVerification } from './modules/oauth-providers/provider-verification.ts'
import { DcrEngine, HttpGate, type HttpGateOptions } from './dcr/index.ts'
import { DEFAULT_MAX_CONCURRENT_REQUESTS, limitInFlightRequests } from './http/overload.ts'
import { credentialRoutes } from './modules/credentials/credential.routes.ts'
import { CredentialService } from './modules/credentials/credential.service.ts'
import { IdpClientService } from './modules/credentials/idp-client.service.ts'
import { idpOperationRoutes } from './modules/idp-operations/idp-operation.routes.ts'
import { IdpOperationService } from './modules/idp-operations/idp-operation.service.ts'
import { Reconciler } from './modules/idp-operations/reconciler.ts'
import { Leases } from './db/leases.ts'
import { RateLimit } from './shared/rate-limit.ts'
import type { SecretBox } from './shared/secret-box.ts'
import { consolePlugin } from './console/console.plugin.tsx'
import { homePages } from './console/pages/home.tsx'
import { apiReferencePages } from './console/pages/api-reference.tsx'
import { auditPages } from './console/pages/audit.tsx'
import { idpOperationPages } from './console/pages/idp-operations.tsx'
import { providerPages } from './console/pages/providers.tsx'
import { productPages } from './console/pages/products.tsx'
import { planPages } from './console/pages/plans.tsx'
import { appPages } from './console/pages/apps.tsx'
import { accessRequestPages } from './console/pages/access-requests.tsx'
import { credentialPages } from './console/pages/credentials.tsx'
import { portalCataloguePages } from './console/pages/portal-catalogue.tsx'
import { portalAppPages } from './console/pages/portal-apps.tsx'
import { portalCredentialPages } from './console/pages/portal-credentials.tsx'
import { DeveloperService } from './modules/developers/developer.service.ts'
import { userPages } from './console/pages/users.tsx'
import { organisationPages } from './console/pages/organisations.tsx'
import { cataloguePages } from './console/pages/catalogues.tsx'
import { settingsPages } from './console/pages/settings.tsx'
import { ApiTokenService } from './modules/users/api-token.service.ts'
import { SettingsService } from './modules/settings/settings.service.ts'
import { Sessions } from './console/sessions.ts'
import { consoleRedirects, OidcSignIn } from './console/sign-in.ts'
import type { Clock } from './shared/time.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves what IdP calls left unfinished; main.ts starts it, tests call runOnce(). */
    reconciler: Reconciler
  }
}

export interface AppDeps {
  readonly database: Database
  readonly adminToken: string
  readonly logger: FastifyBaseLogger
  readonly now?: Clock
  /** Told the scopes of each product or plan saved (the embedded IdP makes them registrable); default none. */
  readonly onScopesSaved?: ScopesSavedHook
  /** Seals secrets at rest (initial access tokens, client secrets, registration access tokens). */
  readonly secretBox: SecretBox
  /** The DCR engine (its gate's timeouts, a test dispatcher); default one with the standard gate, closed with the app. */
  readonly engine?: DcrEngine
  /** Options of the default engine's gate (main.ts: from PORTAL_IDP_*); ignored when `engine` is given. */
  readonly gate?: HttpGateOptions
  /** Admin API requests worked on at once; one more answers 503 with Retry-After. Default 64. */
  readonly maxConcurrentRequests?: number
  /** Per minute: wrong admin tokens per address, canary verifications and registrations per provider (config.ts). */
  readonly rateLimits?: Partial<RateLimits>
  /** The embedded OpenID provider, when it runs: POST /portal-api/oauth-providers/embedded connects it (design.md §6). */
  readonly embeddedIdp?: EmbeddedIdpEndpoint
  /** How long a lease of a dead process blocks the others (PORTAL_LEASE_TTL_MS). Default 30 s. */
  readonly leaseTtlMs?: number
  /** The admin console at /console and the developer portal at /portal (README); absent: neither. */
  readonly console?: ConsoleSetup
}

export interface ConsoleSetup {
  /** The API port as browsers reach it (PORTAL_PUBLIC_URL). */
  readonly publicUrl: string
  readonly sessionHours: number
  /** Who signs admins in: the embedded IdP's console client, or PORTAL_CONSOLE_OIDC_*; undefined: nobody. */
  readonly oidc: { readonly issuer: string; readonly clientId: string; readonly clientSecret: string | undefined } | undefined
  readonly adminClaim: { readonly name: string; readonly value: string }
}

export interface RateLimits { readonly authFailures: number; readonly canaries: number; readonly registrations: number }
/** The defaults of PORTAL_RATE_LIMIT_* (config.ts), for an app built without them (tests). */
export const DEFAULT_RATE_LIMITS: RateLimits = { authFailures: 20, canaries: 6, registrations: 600 }

export const BODY_LIMIT_BYTES = 1024 * 1024

export async function buildApp (deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new OneLineRequestLog(deps.logger),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    frameworkErrors: answerFrameworkError,
    ajv: {
      // No coercion ("true" is not a boolean), nothing silently dropped, every problem reported.
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true, verbose: true },
      onCreate: compileValidatorsOnFirstUse
    },
    schemaController: { compilersFactory: { buildSerializer: buildSerializersOnFirstUse } }
  })
  // Every answer, errors and health included: JSON is never sniffed into HTML (OWASP secure headers).
  app.addHook('onSend', (_request, reply, payload, done) => { void reply.header('x-content-type-options', 'nosniff'); done(null, payload) })
  registerErrorHandling(app)
  registerJsonBodyParser(app)
  await registerOpenApi(app)

  const db = deps.database.db
  const now = deps.now ?? (() => new Date())
  // Our extensions on admin writes (README "Concurrency control, idempotency and the audit log").
  app.addHook('onRoute', concurrencyControl)
  app.addHook('onRoute', idempotencyKeys({ db, now }))
  const limits = { ...DEFAULT_RATE_LIMITS, ...deps.rateLimits }
  const perMinute = (limit: number) => new RateLimit({ limit, windowMs: 60_000, now: () => now().getTime() })
  const engine = deps.engine ?? new DcrEngine({ gate: new HttpGate(deps.gate), registrations: perMinute(limits.registrations) })
  if (deps.engine === undefined) app.addHook('onClose', async () => { await engine.close() })
  // Calls for one IdP client never interleave, in this process or another replica: a lease row each.
  const leases = new Leases({ db, now, ...(deps.leaseTtlMs === undefined ? {} : { ttlMs: deps.leaseTtlMs }) })
  const box = deps.secretBox
  const operations = new IdpOperationService({ db, now, engine, box, log: app.log })
  const clients = new IdpClientService({ db, now, engine, leases, operations, log: app.log, box })
  const credentials = new CredentialService({ db, now, box, clients })
  const accessRequests = new AccessRequestService({ db, now, credentials })
  const reconciler = new Reconciler({ db, leases, engine, box, now, log: app.log })
  app.decorate('reconciler', reconciler)
  app.addHook('onClose', async () => { await reconciler.stop() })

  const serviceDeps = { db, now, usageChecks: [productAttachments, credentialUsage(credentials, now)] }
  // Services return domain records; the audit trail keeps each resource as the API shows it (`snapshot`).
  const providers = new OAuthProviderService({ ...serviceDeps, box, snapshot: toProviderSnapshot, ...(deps.embeddedIdp === undefined ? {} : { embeddedIdp: deps.embeddedIdp }) })
  if (deps.embeddedIdp !== undefined) {
    // Never created here (a fresh database holds no provider); once connected, kept in step with this process.
    const connected = await syncEmbeddedProvider(db, box, now, deps.embeddedIdp)
    app.log.info({ providerId: connected?.id }, connected === undefined ? 'embedded IdP not connected: POST /portal-api/oauth-providers/embedded connects it' : 'embedded IdP provider')
  }
  const clientTypes = new ClientTypeService({ ...serviceDeps, snapshot: toClientTypeSnapshot })
  const verification = new ProviderVerification({ db, engine, box, canaries: perMinute(limits.canaries), operations })
  const products = new ProductService({ ...serviceDeps, onScopesSaved: deps.onScopesSaved, snapshot: toProductShow })
  const plans = new PlanService({ ...serviceDeps, onScopesSaved: deps.onScopesSaved, snapshot: toPlan })
  const apps = new AppService({ ...serviceDeps, accessRequests, snapshot: toAppElem })
  const auditLog = new AuditLogService({ db })
  const organisations = new OrganisationService({ db, now, snapshot: toOrganisationShow })
  const teams = new TeamService({ db, now, snapshot: toTeamShow })
  const users = new UserService({ db, now, apps, snapshot: toUserShow })
  const catalogues = new CatalogueService({ db, now, snapshot: toCatalogueShow })
  const audiences = new AudienceService({ db, now })
  const apiTokens = new ApiTokenService({ db, now })
  const settings = new SettingsService({ db, now })

  await app.register(healthRoutes(async () => { await deps.database.ping() }))
  await app.register(async (portalApi) => {
    limitInFlightRequests(portalApi, { maxConcurrentRequests: deps.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS }) // before auth: shedding is cheap
    portalApi.addHook('onRequest', adminAuth(deps.adminToken, perMinute(limits.authFailures), async (digest) => await apiTokens.actorOf(digest)))
    // Admin answers carry secrets (client secrets) and state: never stored by a cache (security-checklist §6.9).
    portalApi.addHook('onSend', (_request, reply, payload, done) => { void reply.header('cache-control', 'no-store'); done(null, payload) })
    await portalApi.register(oauthProviderRoutes(providers, verification))
    await portalApi.register(clientTypeRoutes(clientTypes))
    await portalApi.register(productRoutes(products))
    await portalApi.register(planRoutes(plans))
    await portalApi.register(appRoutes(apps))
    await portalApi.register(accessRequestRoutes(accessRequests))
    await portalApi.register(organisationRoutes(organisations))
    await portalApi.register(teamRoutes(teams))
    await portalApi.register(userRoutes(users))
    await portalApi.register(catalogueRoutes(catalogues, audiences))
    await portalApi.register(credentialRoutes(credentials))
    await portalApi.register(idpOperationRoutes(operations))
    await portalApi.register(auditLogRoutes(auditLog))
    portalApi.get('/openapi.json', {
      schema: { operationId: 'openapi', tags: ['Meta'], response: { 200: { type: 'object', additionalProperties: true } } }
    }, async () => app.swagger())
  }, { prefix: '/portal-api' })

  if (deps.console !== undefined) {
    const setup = deps.console
    const signInGate = new HttpGate(deps.gate)
    app.addHook('onClose', async () => { await signInGate.close() })
    const signIn = setup.oidc === undefined
      ? undefined
      : new OidcSignIn({
          ...setup.oidc, ...consoleRedirects(setup.publicUrl), adminClaim: setup.adminClaim, gate: signInGate, box, now
        })
    const pages = [
      ...homePages(),
      ...providerPages({ providers, clientTypes, verification, embeddedIdp: deps.embeddedIdp !== undefined }),
      ...productPages({ products, providers, clientTypes }),
      ...planPages({ plans }),
      ...appPages({ apps, accessRequests, credentials, plans, products }),
      ...accessRequestPages({ accessRequests, credentials, providers, users, now }),
      ...credentialPages({ credentials, accessRequests }),
      ...idpOperationPages({ operations, providers, apps }),
      ...userPages({ users, organisations, teams, apiTokens, settings, publicUrl: setup.publicUrl }),
      ...organisationPages({ organisations, teams }),
      ...cataloguePages({ catalogues, audiences, products, plans, organisations, teams }),
      ...settingsPages({ settings }),
      ...auditPages({ auditLog }),
      ...apiReferencePages({ openApi: () => app.swagger() })
    ]
    const door = {
      sessions: new Sessions({ db, box, now, hours: setup.sessionHours }),
      signIn,
      publicUrl: setup.publicUrl,
      issuerOrigin: setup.oidc === undefined ? undefined : new URL(setup.oidc.issuer).origin,
      users
    }
    await app.register(consolePlugin({ ...door, audience: 'admin', pages }), { prefix: '/console' })
    // The developer portal (issue 13): the same services, each call made as the signed-in developer.
    const developers = new DeveloperService({ apps, accessRequests, credentials, catalogues, products, plans, clientTypes, users })
    const portalPages = [...portalCataloguePages({ developers }), ...portalAppPages({ developers }), ...portalCredentialPages({ developers })]
    await app.register(consolePlugin({ ...door, audience: 'developer', pages: portalPages }), { prefix: '/portal' })
    // Opening the service in a browser lands in the console.
    app.get('/', { schema: { hide: true } }, async (_request, reply) => await reply.redirect('/console/', 303))
  }

  await app.ready()
  return await app
}
