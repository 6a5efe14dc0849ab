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
      embeddedIdp: { enabled: true, port: 3002, issuer: undefined },
      logLevel: 'info'
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

  it('is frozen', () => {
    const config = parseConfig({})
    assert.throws(() => { (config as { port: number }).port = 1 }, TypeError)
    assert.throws(() => { (config.embeddedIdp as { port: number }).port = 1 }, TypeError)
  })
})
