// Issue 13 item 5: an API token per admin user, as Tyk gives each admin user an access token for
// /portal-api: made by the service the console calls, accepted beside the bootstrap token, named in the
// audit log, refused once revoked, replaced, or its user inactive, no admin any more or deleted; a wrong
// token is still rate-limited. On both dialects.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/app.ts'
import { ApiTokenService } from '../../src/modules/users/api-token.service.ts'
import { AppError } from '../../src/errors.ts'

const CONSOLE_ADMIN = { fingerprint: 'person:admin', requestId: 'test' }
const REFUSED = { errors: ['invalid admin API token in the Authorization header'] }
const BOOTSTRAP = `bootstrap-token:${createHash('sha256').update(ADMIN_TOKEN).digest('hex').slice(0, 12)}`

for (const dialect of dialects) {
  describe(`admin users' API tokens on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let tokens: ApiTokenService
    let counter = 0
    before(async () => {
      h = await startHarness(dialect)
      // The service the console's user page calls, on the same database as the app.
      tokens = new ApiTokenService({ db: h.database.db, now: () => h.clock.now })
    })
    after(async () => { await h.close() })

    const createUser = async (body: Record<string, unknown>) => {
      const reply = await h.call('POST', '/portal-api/users', { Email: `ops${++counter}@acme.test`, Active: true, Role: 'provider-admin', ...body })
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body as { ID: number; Email: string }
    }
    const as = async (token: string, method = 'GET', url = '/portal-api/users', body?: unknown) => await h.call(method, url, body, { authorization: token })
    const auditOf = async (resourceType: string, id: number) =>
      ((await h.call('GET', `/portal-api/audit-log?resource_type=${resourceType}&resource_id=${id}`)).body as Array<{ Actor: string; Action: string; Before: unknown; After: unknown }>)

    it('lets an admin user\'s token call /portal-api (raw or Bearer); its changes name the user, the bootstrap token\'s name it', async () => {
      const user = await createUser({ Role: 'super-admin' })
      const { token, record } = await tokens.create(user.ID, CONSOLE_ADMIN)
      assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 random bits, base64url')
      assert.deepEqual(record, { userId: user.ID, createdAt: '2026-11-27T10:00:00.000Z', createdBy: 'person:admin' })
      assert.equal((await as(token)).status, 200)
      assert.equal((await as(`Bearer ${token}`)).status, 200)

      const byUser = await as(token, 'POST', '/portal-api/organisations', { Name: `Made by token ${counter}` })
      assert.equal(byUser.status, 200, JSON.stringify(byUser.body))
      assert.deepEqual((await auditOf('organisation', byUser.body.ID)).map((entry) => `${entry.Actor} ${entry.Action}`), [`user:${user.Email} create`])
      const byBootstrap = await h.call('POST', '/portal-api/organisations', { Name: `Made by bootstrap ${counter}` })
      assert.deepEqual((await auditOf('organisation', byBootstrap.body.ID)).map((entry) => `${entry.Actor} ${entry.Action}`), [`${BOOTSTRAP} create`])

      const created = (await auditOf('user', user.ID))[0]!
      assert.deepEqual([created.Actor, created.Action, created.Before, created.After], ['person:admin', 'create_api_token', null, { APITokenCreatedAt: '2026-11-27 10:00', CreatedBy: 'person:admin' }])
    })

    it('keeps only the token\'s SHA-256: nowhere in the database, the audit log or the service log', async () => {
      const user = await createUser({})
      const { token } = await tokens.create(user.ID, CONSOLE_ADMIN)
      assert.equal((await as(token)).status, 200)
      const row = await h.database.db.selectFrom('admin_api_tokens').selectAll().where('user_id', '=', user.ID).executeTakeFirstOrThrow()
      assert.equal(row.token_hash, createHash('sha256').update(token).digest('hex'))
      for (const table of ['admin_api_tokens', 'audit_log', 'idempotency_keys'] as const) {
        assert.equal(JSON.stringify(await h.database.db.selectFrom(table).selectAll().execute()).includes(token), false, table)
      }
      assert.equal(h.logs.join('').includes(token), false)
    })

    it('refuses a revoked token with 401, and a replaced one, while the new one works', async () => {
      const user = await createUser({})
      const first = (await tokens.create(user.ID, CONSOLE_ADMIN)).token
      h.clock.advance(60_000)
      const second = (await tokens.create(user.ID, CONSOLE_ADMIN)).token
      assert.deepEqual([(await as(first)).status, (await as(first)).body], [401, REFUSED], 'replacing stops the old token at once')
      assert.equal((await as(second)).status, 200)
      const replaced = (await auditOf('user', user.ID))[0]!
      assert.deepEqual([replaced.Action, replaced.Before, replaced.After], [
        'create_api_token', { APITokenCreatedAt: '2026-11-27 10:00', CreatedBy: 'person:admin' }, { APITokenCreatedAt: '2026-11-27 10:01', CreatedBy: 'person:admin' }
      ])
      await tokens.revoke(user.ID, CONSOLE_ADMIN)
      assert.deepEqual([(await as(second)).status, (await as(second)).body], [401, REFUSED])
      assert.equal(await tokens.find(user.ID), undefined)
      assert.deepEqual((await auditOf('user', user.ID)).map((entry) => entry.Action).slice(0, 1), ['revoke_api_token'])
      await assert.rejects(tokens.revoke(user.ID, CONSOLE_ADMIN), (error: AppError) => error.code === 'invalid_state' && error.message.includes('has no API token to revoke'))
    })

    it('refuses the token of a user made inactive or no admin any more, and accepts it again when they are one again', async () => {
      const user = await createUser({})
      const { token } = await tokens.create(user.ID, CONSOLE_ADMIN)
      assert.equal((await h.call('PUT', `/portal-api/users/${user.ID}`, { Active: false })).status, 200)
      assert.deepEqual([(await as(token)).status, (await as(token)).body], [401, REFUSED])
      assert.equal((await h.call('PUT', `/portal-api/users/${user.ID}`, { Active: true })).status, 200)
      assert.equal((await as(token)).status, 200)
      assert.equal((await h.call('PUT', `/portal-api/users/${user.ID}`, { Role: 'consumer-team-member' })).status, 200)
      assert.equal((await as(token)).status, 401, 'a developer\'s token opens nothing')
      assert.equal((await h.call('PUT', `/portal-api/users/${user.ID}`, { Role: 'provider-admin', OrganisationID: 0, Teams: [] })).status, 200)
      assert.equal((await as(token)).status, 200)
    })

    it('refuses a deleted user\'s token: it goes with the user', async () => {
      const user = await createUser({})
      const { token } = await tokens.create(user.ID, CONSOLE_ADMIN)
      assert.equal((await h.call('DELETE', `/portal-api/users/${user.ID}`)).status, 200)
      assert.deepEqual([(await as(token)).status, (await as(token)).body], [401, REFUSED])
      assert.equal(await h.database.db.selectFrom('admin_api_tokens').selectAll().where('user_id', '=', user.ID).executeTakeFirst(), undefined)
    })

    it('makes a token only for an active admin user, saying why not', async () => {
      const developer = await createUser({ Role: 'consumer-team-member' })
      await assert.rejects(tokens.create(developer.ID, CONSOLE_ADMIN), (error: AppError) =>
        error.code === 'invalid_state' && error.message === `user ${developer.ID} "${developer.Email}" has the role "consumer-team-member": only admin users (super-admin, provider-admin) have an API token`)
      const inactive = await createUser({ Active: false })
      await assert.rejects(tokens.create(inactive.ID, CONSOLE_ADMIN), (error: AppError) =>
        error.code === 'invalid_state' && error.message === `user ${inactive.ID} "${inactive.Email}" is not active: activate the user first`)
      await assert.rejects(tokens.create(999_999, CONSOLE_ADMIN), (error: AppError) => error.code === 'not_found')
      assert.equal(await h.database.db.selectFrom('admin_api_tokens').selectAll().where('user_id', 'in', [developer.ID, inactive.ID]).executeTakeFirst(), undefined)
    })

    it('keeps Idempotency-Keys apart per actor: the same key from a user token and the bootstrap token makes two organisations', async () => {
      const user = await createUser({})
      const { token } = await tokens.create(user.ID, CONSOLE_ADMIN)
      const key = { 'idempotency-key': `shared-key-${counter}` }
      const byUser = await h.call('POST', '/portal-api/organisations', { Name: `Keyed ${counter}` }, { ...key, authorization: token })
      const byBootstrap = await h.call('POST', '/portal-api/organisations', { Name: `Keyed ${counter}` }, key)
      assert.equal(byUser.status, 200)
      assert.deepEqual([byBootstrap.status, byBootstrap.body.errors], [409, ['Name "Keyed ' + String(counter) + '" is already used by another organisation']], 'not a replay of the user\'s answer')
    })
  })
}

describe('a wrong token is still rate-limited with user tokens in place', () => {
  let h: Harness
  before(async () => { h = await startHarness(dialects[0]!, { rateLimits: { authFailures: 3 } }) })
  after(async () => { await h.close() })

  it('counts unknown and revoked user tokens as failures; past the limit even a live user token gets 429', async () => {
    const tokens = new ApiTokenService({ db: h.database.db, now: () => h.clock.now })
    const user = (await h.call('POST', '/portal-api/users', { Email: 'limited@acme.test', Active: true, Role: 'super-admin' })).body as { ID: number }
    const revoked = (await tokens.create(user.ID, CONSOLE_ADMIN)).token
    await tokens.revoke(user.ID, CONSOLE_ADMIN)
    const live = (await tokens.create(user.ID, CONSOLE_ADMIN)).token
    for (const wrong of ['wrong-token-1-0000000000', revoked, 'wrong-token-2-0000000000']) {
      assert.equal((await h.call('GET', '/portal-api/users', undefined, { authorization: wrong })).status, 401)
    }
    const limited = await h.call('GET', '/portal-api/users', undefined, { authorization: live })
    assert.deepEqual([limited.status, limited.body], [429, { errors: ['too many failed admin authentications from 127.0.0.1: retry in 60 s'] }])
    h.clock.advance(60_000)
    assert.equal((await h.call('GET', '/portal-api/users', undefined, { authorization: live })).status, 200)
  })
})
