import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError, parseConfig } from '../../src/config.ts'

describe('configuration', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(parseConfig({}), {
      host: '127.0.0.1',
      port: 3001,
      dataDir: 'data',
      database: { dialect: 'sqlite', file: 'data/portal.db' },
      adminToken: undefined,
      secretKeys: undefined,
      embeddedIdp: { enabled: true, port: 3002, issuer: undefined },
      idp: { denyPrivate: false, connectTimeoutMs: 5000, timeoutMs: 10000, maxConcurrentPerProvider: 8, maxQueuedPerProvider: 32 },
      maxConcurrentRequests: 64,
      reconcileIntervalMs: 30000,
      leaseTtlMs: 30000,
      rateLimits: { authFailures: 20, canaries: 6, registrations: 600 },
      logLevel: 'info',
      publicUrl: 'http://127.0.0.1:3001',
      console: { oidc: undefined, adminClaim: { name: 'groups', value: 'portal-admins' }, sessionHours: 8 }
    })
  })

  it('reads the console\'s sign-in and public URL, and wants the issuer and client id together', () => {
    const config = parseConfig({
      PORTAL_HOST: '0.0.0.0',
      PORTAL_PUBLIC_URL: 'https://portal.example.com/',
      PORTAL_CONSOLE_OIDC_ISSUER: 'https://login.example.com/realms/main',
      PORTAL_CONSOLE_OIDC_CLIENT_ID: 'portal-console',
      PORTAL_CONSOLE_OIDC_CLIENT_SECRET: 's3cret-value',
      PORTAL_CONSOLE_ADMIN_CLAIM: 'roles=portal-admin',
      PORTAL_CONSOLE_SESSION_HOURS: '12'
    })
    assert.equal(config.publicUrl, 'https://portal.example.com')
    assert.deepEqual(config.console, {
      oidc: { issuer: 'https://login.example.com/realms/main', clientId: 'portal-console', clientSecret: 's3cret-value' },
      adminClaim: { name: 'roles', value: 'portal-admin' },
      sessionHours: 12
    })
    assert.equal(parseConfig({ PORTAL_HOST: '0.0.0.0', PORTAL_PORT: '8080' }).publicUrl, 'http://127.0.0.1:8080', 'a wildcard bind is browsed at loopback')
    assert.throws(() => parseConfig({ PORTAL_CONSOLE_OIDC_ISSUER: 'https://login.example.com', PORTAL_CONSOLE_ADMIN_CLAIM: 'admin' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.deepEqual(error.problems, [
        'PORTAL_CONSOLE_OIDC_ISSUER="https://login.example.com": and PORTAL_CONSOLE_OIDC_CLIENT_ID are set together or not at all',
        'PORTAL_CONSOLE_ADMIN_CLAIM="admin": must be claim=value, e.g. groups=portal-admins'
      ])
      return true
    })
  })

  it('reads every key', () => {
    const config = parseConfig({
      PORTAL_HOST: '0.0.0.0',
      PORTAL_PORT: '8080',
      PORTAL_DATA_DIR: '/var/lib/portal',
      PORTAL_DATABASE_URL: 'postgres://portal:pw@db:5432/portal',
      PORTAL_ADMIN_TOKEN: 'a-long-enough-admin-token',
      PORTAL_EMBEDDED_IDP: 'false',
      PORTAL_EMBEDDED_IDP_PORT: '9002',
      PORTAL_EMBEDDED_IDP_ISSUER: 'https://idp.example.com',
      PORTAL_LOG_LEVEL: 'debug'
    })
    assert.equal(config.port, 8080)
    assert.deepEqual(config.database, { dialect: 'postgres', url: 'postgres://portal:pw@db:5432/portal' })
    assert.deepEqual(config.embeddedIdp, { enabled: false, port: 9002, issuer: 'https://idp.example.com' })
    assert.equal(config.logLevel, 'debug')
  })

  it('puts the default database in the data directory and accepts sqlite::memory:', () => {
    assert.deepEqual(parseConfig({ PORTAL_DATA_DIR: '/srv/p' }).database, { dialect: 'sqlite', file: '/srv/p/portal.db' })
    assert.deepEqual(parseConfig({ PORTAL_DATABASE_URL: 'sqlite::memory:' }).database, { dialect: 'sqlite', file: ':memory:' })
  })

  it('lists every invalid key in one error, without echoing secrets', () => {
    try {
      parseConfig({
        PORTAL_PORT: '70000',
        PORTAL_EMBEDDED_IDP: 'yes',
        PORTAL_EMBEDDED_IDP_PORT: 'x',
        PORTAL_LOG_LEVEL: 'loud',
        PORTAL_DATABASE_URL: 'mysql://root:hunter2@db/portal',
        PORTAL_ADMIN_TOKEN: 'short secret'
      })
      assert.fail('should throw')
    } catch (error) {
      assert.ok(error instanceof ConfigError)
      assert.deepEqual(error.problems, [
        'PORTAL_PORT="70000": must be a port number from 0 to 65535',
        'PORTAL_DATABASE_URL="mysql://root:***@db/portal": must start with sqlite: or postgres://',
        'PORTAL_ADMIN_TOKEN: must be 16 to 512 printable ASCII characters without spaces',
        'PORTAL_EMBEDDED_IDP="yes": must be true or false',
        'PORTAL_EMBEDDED_IDP_PORT="x": must be a port number from 0 to 65535',
        'PORTAL_LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent'
      ])
      assert.equal(error.message.includes('hunter2') || error.message.includes('short secret'), false)
    }
  })

  it('reads PORTAL_SECRET_KEYS, first key first, and names bad entries without echoing them', () => {
    const a = Buffer.alloc(32, 1).toString('base64')
    const b = Buffer.alloc(32, 2).toString('base64')
    const { secretKeys } = parseConfig({ PORTAL_SECRET_KEYS: `new:${a}, old:${b}` })
    assert.deepEqual(secretKeys?.map((k) => k.id), ['new', 'old'])
    assert.throws(() => parseConfig({ PORTAL_SECRET_KEYS: `short:${Buffer.alloc(16).toString('base64')}` }),
      (error: ConfigError) => error.problems[0] === 'PORTAL_SECRET_KEYS: key "short" must be 32 bytes in base64, got 16 bytes')
    assert.throws(() => parseConfig({ PORTAL_SECRET_KEYS: `same:${a},same:${b}` }), /appears twice/)
  })

  it('reads the outbound IdP and load-shedding keys, and refuses bad values', () => {
    const config = parseConfig({
      PORTAL_IDP_DENY_PRIVATE: 'true',
      PORTAL_IDP_CONNECT_TIMEOUT_MS: '1500',
      PORTAL_IDP_TIMEOUT_MS: '4000',
      PORTAL_IDP_MAX_CONCURRENT: '2',
      PORTAL_IDP_MAX_QUEUED: '0',
      PORTAL_MAX_CONCURRENT_REQUESTS: '10'
    })
    assert.deepEqual(config.idp, { denyPrivate: true, connectTimeoutMs: 1500, timeoutMs: 4000, maxConcurrentPerProvider: 2, maxQueuedPerProvider: 0 })
    assert.equal(config.maxConcurrentRequests, 10)
    assert.throws(() => parseConfig({ PORTAL_IDP_DENY_PRIVATE: 'yes', PORTAL_IDP_TIMEOUT_MS: '0', PORTAL_IDP_MAX_CONCURRENT: '1e3', PORTAL_MAX_CONCURRENT_REQUESTS: '-1' }),
      (error: ConfigError) => {
        assert.deepEqual(error.problems, [
          'PORTAL_IDP_DENY_PRIVATE="yes": must be true or false',
          'PORTAL_IDP_TIMEOUT_MS="0": must be an integer from 1 to 600000',
          'PORTAL_IDP_MAX_CONCURRENT="1e3": must be an integer from 1 to 1000',
          'PORTAL_MAX_CONCURRENT_REQUESTS="-1": must be an integer from 1 to 100000'
        ])
        return true
      })
  })

  it('is frozen', () => {
    const config = parseConfig({})
    assert.throws(() => { (config as { port: number }).port = 1 }, TypeError)
    assert.throws(() => { (config.embeddedIdp as { port: number }).port = 1 }, TypeError)
  })
})
