// The only entry that listens: config → database → app → listen; graceful shutdown on SIGTERM/SIGINT.
import path from 'node:path'
import { resolveAdminToken } from './admin-token.ts'
import { buildApp } from './app.ts'
import { ConfigError, parseConfig, redactUrl } from './config.ts'
import { openDatabase } from './db/database.ts'
import { createLogger } from './logger.ts'
import { resolveSecretKeys } from './secret-keys.ts'
import { SecretBox } from './shared/secret-box.ts'

async function main (): Promise<void> {
  const config = parseConfig(process.env)
  const logger = createLogger(config.logLevel)
  const database = await openDatabase(config.database)
  const where = config.database.dialect === 'sqlite' ? path.resolve(config.database.file) : redactUrl(config.database.url)
  logger.info({ dialect: config.database.dialect, database: where }, 'database ready')

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
  const idp = config.embeddedIdp.enabled
    ? await (await import('./idp/embedded-idp.ts')).startEmbeddedIdp({ db: database.db, secretBox, host: config.host, port: config.embeddedIdp.port, issuer: config.embeddedIdp.issuer, dataDir: config.dataDir, logger })
    : undefined
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
    gate, maxConcurrentRequests: config.maxConcurrentRequests, rateLimits: config.rateLimits, leaseTtlMs: config.leaseTtlMs
  })
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'shutting down')
    app.close().then(() => idp?.close()).then(() => database.close()).then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed')
      process.exit(1)
    })
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  await app.listen({ host: config.host, port: config.port })
  app.reconciler.start(config.reconcileIntervalMs)
}

main().catch((error: unknown) => {
  process.stderr.write(`portal: ${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
