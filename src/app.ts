// Composition root: builds the services and registers the routes; never listens (main.ts does).
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Database } from './db/database.ts'
import { adminAuth } from './http/auth.ts'
import { registerErrorHandling } from './http/error-handler.ts'
import { healthRoutes } from './http/health.routes.ts'
import { registerJsonBodyParser } from './http/json-body.ts'
import { registerOpenApi } from './http/openapi.ts'
import { accessRequestRoutes } from './modules/access-requests/access-request.routes.ts'
import { AccessRequestService, credentialUsage } from './modules/access-requests/access-request.service.ts'
import { appRoutes } from './modules/apps/app.routes.ts'
import { AppService } from './modules/apps/app.service.ts'
import { clientTypeRoutes } from './modules/client-types/client-type.routes.ts'
import { ClientTypeService } from './modules/client-types/client-type.service.ts'
import { oauthProviderRoutes } from './modules/oauth-providers/oauth-provider.routes.ts'
import { OAuthProviderService } from './modules/oauth-providers/oauth-provider.service.ts'
import { registerEmbeddedProvider, type EmbeddedIdpEndpoint } from './modules/oauth-providers/embedded-provider.ts'
import { planRoutes } from './modules/plans/plan.routes.ts'
import { PlanService } from './modules/plans/plan.service.ts'
import { productRoutes } from './modules/products/product.routes.ts'
import { ProductService, productAttachments, type ScopesSavedHook } from './modules/products/product.service.ts'
import { ProviderVerification } from './modules/oauth-providers/provider-verification.ts'
import { DcrEngine } from './dcr/index.ts'
import { OAuthClientService } from './modules/credentials/oauth-client.service.ts'
import { KeyedLock } from './shared/keyed-lock.ts'
import type { Clock } from './shared/time.ts'

export interface AppDeps {
  readonly database: Database
  readonly adminToken: string
  readonly logger: FastifyBaseLogger
  readonly now?: Clock
  /** Told the scopes of each product or plan saved (the embedded IdP makes them registrable); default none. */
  readonly onScopesSaved?: ScopesSavedHook
  /** The DCR engine (its gate's timeouts, a test dispatcher); default one with the standard gate, closed with the app. */
  readonly engine?: DcrEngine
  /** The embedded OpenID provider, when it runs: registered as provider "Embedded IdP" (design.md §6). */
  readonly embeddedIdp?: EmbeddedIdpEndpoint
}

export const BODY_LIMIT_BYTES = 1024 * 1024

export async function buildApp (deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One line per request (below), not Fastify's two: logging was a tenth of a GET's CPU time.
    disableRequestLogging: true,
    bodyLimit: BODY_LIMIT_BYTES,
    ajv: {
      // No coercion ("true" is not a boolean), nothing silently dropped, every problem reported.
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true, verbose: true }
    }
  })
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed')
  })
  registerErrorHandling(app)
  registerJsonBodyParser(app)
  await registerOpenApi(app)

  const db = deps.database.db
  const now = deps.now ?? (() => new Date())
  const engine = deps.engine ?? new DcrEngine()
  if (deps.engine === undefined) app.addHook('onClose', async () => { await engine.close() })
  const lock = new KeyedLock()
  const clients = new OAuthClientService({ db, now, engine, lock, log: app.log })
  const accessRequests = new AccessRequestService({ db, now, clients, lock })

  const serviceDeps = { db, now, usageChecks: [productAttachments, credentialUsage(clients, now)] }
  const providers = new OAuthProviderService(serviceDeps)
  if (deps.embeddedIdp !== undefined) {
    const registered = await registerEmbeddedProvider(db, now, deps.embeddedIdp)
    app.log.info(registered, 'embedded IdP provider')
  }
  const clientTypes = new ClientTypeService(serviceDeps)
  const verification = new ProviderVerification({ db, engine })
  const products = new ProductService({ ...serviceDeps, onScopesSaved: deps.onScopesSaved })
  const plans = new PlanService({ ...serviceDeps, onScopesSaved: deps.onScopesSaved })
  const apps = new AppService({ ...serviceDeps, accessRequests })

  await app.register(healthRoutes(deps.database.ping))
  await app.register(async (portalApi) => {
    portalApi.addHook('onRequest', adminAuth(deps.adminToken))
    await portalApi.register(oauthProviderRoutes(providers, verification))
    await portalApi.register(clientTypeRoutes(clientTypes))
    await portalApi.register(productRoutes(products))
    await portalApi.register(planRoutes(plans))
    await portalApi.register(appRoutes(apps))
    await portalApi.register(accessRequestRoutes(accessRequests))
    portalApi.get('/openapi.json', {
      schema: { operationId: 'openapi', tags: ['Meta'], response: { 200: { type: 'object', additionalProperties: true } } }
    }, async () => app.swagger())
  }, { prefix: '/portal-api' })

  await app.ready()
  return app
}
