// The only entry that listens: config → bind the ports → database → app → serve → reconciler; on
// SIGTERM/SIGINT a graceful shutdown (stop accepting, finish in-flight requests, stop the reconciler,
// the embedded IdP and the database), whether started by `npm start`, `portal-service` or `node`.
import path from 'node:path'
import type { Logger } from 'pino'
import { resolveAdminToken } from './admin-token.ts'
import type { FirstAdmin } from './idp/first-admin.ts'
import { buildApp } from './app.ts'
import { ConfigError, parseConfig, redactUrl, type Config } from './config.ts'
import { openDatabase } from './db/database.ts'
import { bind, StartError, type Listener } from './listener.ts'
import { createLogger } from './logger.ts'
import { resolveSecretKeys } from './secret-keys.ts'
import { consoleRedirects } from './console/sign-in.ts'
import { SecretBox } from './shared/secret-box.ts'

// In-flight requests get this long after a signal; then their connections are cut (supervisors SIGKILL later).
const DRAIN_LIMIT_MS = 10_000

async function main (): Promise<void> {
  const config = parseConfig(process.env)
  const logger = createLogger(config.logLevel)
  // Both ports first: a port in use stops the start before any file, secret or key is written.
  const listeners: Listener[] = []
  const closeListeners = async (): Promise<void> => { await Promise.all(listeners.map(async (listener) => await listener.close())) }
  try {
    listeners.push(await bind(config.port, config.host, 'PORTAL_PORT'))
    if (config.embeddedIdp.enabled) listeners.push(await bind(config.embeddedIdp.port, config.host, 'PORTAL_EMBEDDED_IDP_PORT'))
  } catch (error) {
    await closeListeners()
    throw error
  }
  const [api, idpListener] = listeners as [Listener, Listener | undefined]

  let service: Service | undefined
  let signalled: string | undefined
  const onSignal = (signal: string): void => {
    if (signalled !== undefined) return // under `npm start` a Ctrl-C reaches node twice: from the terminal and from npm
    signalled = signal
    logger.info({ signal }, 'shutting down')
    if (service !== undefined) stopAndExit(service, logger) // else once started, below
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  try {
    service = await start(config, logger, api, idpListener)
  } catch (error) {
    await closeListeners()
    throw error
  }
  if (signalled !== undefined) return stopAndExit(service, logger)
  logger.info({ host: config.host, port: config.port }, 'listening')
}

function stopAndExit (service: Service, logger: Logger): void {
  service.stop().then(() => {
    logger.info('shut down')
    process.exit(0)
  }, (error: unknown) => {
    logger.error({ err: error }, 'shutdown failed')
    process.exit(1)
  })
}

interface Service { stop(): Promise<void> }

async function start (config: Config, logger: Logger, api: Listener, idpListener: Listener | undefined): Promise<Service> {
  const database = await openDatabase(config.database)
  const where = config.database.dialect === 'sqlite' ? path.resolve(config.database.file) : redactUrl(config.database.url)
  logger.info({ dialect: config.database.dialect, database: where }, 'database ready')
  try {
    const admin = resolveAdminToken(config.adminToken, config.dataDir)
    if (admin.generated) {
      // Printed once, on first start, and never logged (design.md §2).
      process.stderr.write(`\nAdmin API token (kept in ${path.join(config.dataDir, 'admin-token')}, shown only now):\n  ${admin.token}\n\n`)
    }

    const secretKeys = resolveSecretKeys(config.secretKeys, config.dataDir)
    if (secretKeys.fromFile !== undefined) {
      logger.warn({ file: secretKeys.fromFile }, 'PORTAL_SECRET_KEYS is not set: secrets are sealed with the key kept in the data directory; set PORTAL_SECRET_KEYS in production')
    }
    const secretBox = new SecretBox(secretKeys.keys)
    // Loaded only when enabled: oidc-provider is a sixth of the start-up time (bench profile).
    const idp = idpListener === undefined
      ? undefined
      : await (await import('./idp/embedded-idp.ts')).startEmbeddedIdp({
          db: database.db, secretBox, host: config.host, port: config.embeddedIdp.port, listener: idpListener, issuer: config.embeddedIdp.issuer, dataDir: config.dataDir, logger, announceFirstAdmin,
          // The console signs admins in here unless another issuer is configured.
          ...(config.console.oidc === undefined ? { consoleUrls: consoleRedirects(config.publicUrl) } : {})
        })
    // Scopes saved on products and plans become registrable at the embedded IdP at once (design.md §6).
    if (config.idp.denyPrivate && idp !== undefined) logger.warn('PORTAL_IDP_DENY_PRIVATE=true refuses loopback addresses: the embedded IdP cannot be called; set PORTAL_EMBEDDED_IDP=false')
    const gate = {
      denyPrivateAddresses: config.idp.denyPrivate,
      connectTimeoutMs: config.idp.connectTimeoutMs,
      headersTimeoutMs: config.idp.timeoutMs,
      bodyTimeoutMs: config.idp.timeoutMs,
      maxConcurrentPerProvider: config.idp.maxConcurrentPerProvider,
      maxQueuedPerProvider: config.idp.maxQueuedPerProvider
    }
    const app = await buildApp({
      database, adminToken: admin.token, logger, secretBox, embeddedIdp: idp, onScopesSaved: idp?.ensureScopes,
      gate, maxConcurrentRequests: config.maxConcurrentRequests, rateLimits: config.rateLimits, leaseTtlMs: config.leaseTtlMs,
      console: {
        publicUrl: config.publicUrl,
        sessionHours: config.console.sessionHours,
        adminClaim: config.console.adminClaim,
        oidc: config.console.oidc ?? (idp?.consoleClient === undefined ? undefined : { issuer: idp.issuer, ...idp.consoleClient })
      }
    })
    // Fastify's documented router entry (what inject() uses); the server is ours, bound before anything else.
    api.serve((request, response) => { app.routing(request, response) })
    app.reconciler.start(config.reconcileIntervalMs)
    return {
      async stop () {
        // The API port stops accepting at once; in-flight requests (which may call the embedded IdP) finish first.
        const drainLimit = setTimeout(() => api.server.closeAllConnections(), DRAIN_LIMIT_MS).unref()
        await api.close()
        clearTimeout(drainLimit)
        await app.close() // the reconciler and the outbound gate
        await idp?.close()
        await database.close()
      }
    }
  } catch (error) {
    await database.close()
    throw error
  }
}

/** Printed once, on the start that made the account, and never logged (like the admin API token). */
function announceFirstAdmin ({ username, file, generatedPassword }: FirstAdmin): void {
  const password = generatedPassword === undefined ? `(the one kept in ${file})` : `${generatedPassword}\n  (kept in ${file}, shown only now)`
  process.stderr.write(`\nEmbedded IdP sign-in: username "${username}", password:\n  ${password}\n\n`)
}

main().catch((error: unknown) => {
  const oneLine = error instanceof ConfigError || error instanceof StartError
  process.stderr.write(`portal-service: ${oneLine ? error.message : (error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
