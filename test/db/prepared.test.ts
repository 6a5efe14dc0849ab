import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import type { Database } from '../../src/db/database.ts'
import { preparedQuery } from '../../src/db/prepared.ts'
import { dialects } from '../helpers/dialects.ts'

// Issue 14 item 1: a query compiled once answers as the same query built on every call, in and out of a
// transaction, on either dialect (on PostgreSQL as a named prepared statement); a build that uses an
// argument to decide the query's shape is refused.
const NOW = '2026-12-03T10:00:00.000Z'
const byProviderAbove = preparedQuery((db, providerId: number, above: number, limit: number) =>
  db.selectFrom('oauth_client_types').select(['id', 'name']).where('provider_id', '=', providerId).where('id', '>', above).where('okta_app_type', '=', '').orderBy('id').limit(limit))

for (const dialect of dialects) {
  describe(`prepared queries on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: Database
    const providers: number[] = []
    before(async () => {
      database = await dialect.open()
      for (const name of ['a', 'b']) {
        const { id } = await database.db.insertInto('oauth_providers').values({ name, type: 'Keycloak', well_known_url: `https://${name}.example/.well-known/openid-configuration`, registration_access_token: null, ssl_insecure_skip_verify: 0, created_at: NOW, updated_at: NOW })
          .returning('id').executeTakeFirstOrThrow()
        providers.push(id)
        for (let i = 1; i <= 5; i++) {
          await database.db.insertInto('oauth_client_types').values({ provider_id: id, name: `${name}${i}`, description: '', response_types: 'code', grant_types: 'authorization_code', token_endpoint_auth_method: 'client_secret_basic', okta_app_type: i === 3 ? 'web' : '', created_at: NOW, updated_at: NOW }).execute()
        }
      }
    })
    after(async () => { await database.close() })

    it('answers what the query built on every call answers, whatever the arguments', async () => {
      const built = (providerId: number, above: number, limit: number) => database.db.selectFrom('oauth_client_types').select(['id', 'name'])
        .where('provider_id', '=', providerId).where('id', '>', above).where('okta_app_type', '=', '').orderBy('id').limit(limit).execute()
      for (const providerId of [...providers, 999]) {
        for (const [above, limit] of [[0, 10], [2, 2], [0, 1], [100, 5]] as const) {
          assert.deepEqual(await byProviderAbove(database.db, providerId, above, limit), await built(providerId, above, limit), `${providerId} ${above} ${limit}`)
        }
      }
      assert.deepEqual((await byProviderAbove(database.db, providers[1]!, 0, 10)).map((row) => row.name), ['b1', 'b2', 'b4', 'b5'])
    })

    it('runs inside a transaction, and sees its uncommitted rows', async () => {
      await database.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('oauth_client_types').where('name', '=', 'a1').execute()
        assert.deepEqual((await byProviderAbove(trx, providers[0]!, 0, 10)).map((row) => row.name), ['a2', 'a4', 'a5'])
        throw new Error('roll back')
      }).catch((error: unknown) => { if ((error as Error).message !== 'roll back') throw error })
      assert.deepEqual((await byProviderAbove(database.db, providers[0]!, 0, 10)).map((row) => row.name), ['a1', 'a2', 'a4', 'a5'])
    })

    // SQLite has no server-side statements to name: better-sqlite3 keeps its own compiled statements.
    if (dialect.name === 'postgres') it('runs as a named prepared statement on PostgreSQL, parsed once per connection', async () => {
      await database.db.transaction().execute(async (trx) => {
        await byProviderAbove(trx, providers[0]!, 0, 10)
        await byProviderAbove(trx, providers[1]!, 1, 2)
        const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements where statement like '%"okta_app_type" = $3%'`.execute(trx)
        assert.equal(rows.length, 1, 'prepared once on this connection, under one name')
        assert.match(rows[0]!.name, /^portal_prepared_\d+$/)
      })
    })

    it('refuses a build that does not use an argument as a value of the query', async () => {
      const shaped = preparedQuery((db, withName: boolean) => db.selectFrom('oauth_client_types').select(withName ? ['id', 'name'] : ['id']))
      await assert.rejects(shaped(database.db, true), /argument 0 is not a value of the query/)
    })
  })
}
