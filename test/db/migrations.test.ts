import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sql } from 'kysely'
import { migrateTo, migrateToLatest } from '../../src/db/migrate.ts'
import { dialects } from '../helpers/dialects.ts'
import { startHarness } from '../helpers/app.ts'

for (const dialect of dialects) {
  describe(`migrations on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('apply once, are a no-op the second time, and enforce the named constraints', async () => {
      const database = await dialect.open()
      try {
        await migrateToLatest(database.db, dialect.name)
        const applied = await sql<{ name: string }>`select name from portal_migrations order by name`.execute(database.db)
        assert.ok(applied.rows.length >= 1)
        const now = new Date().toISOString()
        const provider = { name: 'p', type: 'Other', well_known_url: 'http://x', registration_access_token: null, ssl_insecure_skip_verify: 0, created_at: now, updated_at: now }
        const { id } = await database.db.insertInto('oauth_providers').values(provider).returning('id').executeTakeFirstOrThrow()
        await assert.rejects(database.db.insertInto('oauth_providers').values(provider).execute())
        const type = { provider_id: id, name: 't', description: '', response_types: 'code', grant_types: 'authorization_code', token_endpoint_auth_method: 'none', okta_app_type: '', created_at: now, updated_at: now }
        await database.db.insertInto('oauth_client_types').values(type).execute()
        await assert.rejects(database.db.insertInto('oauth_client_types').values({ ...type, provider_id: id + 1000 }).execute(), 'foreign key enforced')
      } finally {
        await database.close()
      }
    })

    // Issue 13: before 2026-12-04T0000, products and plans kept their Catalogues as written (IDs, and names
    // for products) and apps any UserID; none of it may be lost when catalogues and users become real.
    it('turns the catalogue IDs and names stored before catalogues existed into catalogues, and apps\' UserIDs into users', async () => {
      const database = await dialect.open()
      try {
        const db = database.db
        await migrateTo(db, dialect.name, '2026-12-02T0100-list-positions')
        const now = '2026-11-27T10:00:00.000Z'
        const product = async (name: string, fields: object) => (await db.insertInto('products').values({ name, dcr_enabled: 0, scopes: '', fields: JSON.stringify(fields), created_at: now, updated_at: now })
          .returning('id').executeTakeFirstOrThrow()).id
        const payments = await product('payments', { Catalogues: [3, 'Partners'], DisplayName: 'Payments' })
        const accounts = await product('accounts', { Catalogues: [3] })
        const bare = await product('bare', { DisplayName: 'no catalogues' })
        const plan = (await db.insertInto('plans').values({ name: 'gold', jwt_scope: '', auto_approve_access_requests: 0, fields: JSON.stringify({ ProviderID: 1, Catalogues: [5, 3] }), created_at: now, updated_at: now })
          .returning('id').executeTakeFirstOrThrow()).id
        const app = { name: 'owned', description: '', redirect_urls: '', visibility: 'organisation', created_at: now, updated_at: now }
        const owned = (await db.insertInto('apps').values({ ...app, user_id: 7 }).returning('id').executeTakeFirstOrThrow()).id
        await db.insertInto('apps').values({ ...app, name: 'unowned', user_id: 0 }).execute()

        await migrateToLatest(db, dialect.name)
        assert.deepEqual(await db.selectFrom('catalogues').select(['id', 'name', 'name_with_slug', 'visibility']).orderBy('id').execute(), [
          { id: 3, name: 'Catalogue 3', name_with_slug: 'catalogue-3', visibility: 'Private' },
          { id: 5, name: 'Catalogue 5', name_with_slug: 'catalogue-5', visibility: 'Private' },
          { id: 6, name: 'Partners', name_with_slug: 'partners', visibility: 'Private' }
        ], 'each ID kept as the catalogue\'s own, each name a catalogue of that name')
        const fields = await db.selectFrom('products').select(['id', 'fields']).orderBy('id').execute()
        assert.deepEqual(fields.map((row) => JSON.parse(row.fields)), [{ DisplayName: 'Payments' }, {}, { DisplayName: 'no catalogues' }], 'Catalogues left the pass-through fields')

        const h = await startHarness(dialect, { database })
        try {
          assert.deepEqual((await h.call('GET', `/portal-api/products/${payments}`)).body.Catalogues, ['Catalogue 3', 'Partners'])
          assert.deepEqual((await h.call('GET', `/portal-api/products/${accounts}`)).body.Catalogues, ['Catalogue 3'])
          assert.deepEqual((await h.call('GET', `/portal-api/products/${bare}`)).body.Catalogues, [])
          assert.deepEqual((await h.call('GET', `/portal-api/plans/${plan}`)).body.Catalogues, [3, 5])
          const catalogue = (await h.call('GET', '/portal-api/catalogues/3')).body
          assert.deepEqual([catalogue.Products, catalogue.Plans, catalogue.VisibilityStatus], [['payments', 'accounts'], ['gold'], 'Private'])
          const user = (await h.call('GET', '/portal-api/users/7')).body
          assert.deepEqual([user.First, user.Last, user.Email, user.Active, user.Role, user.Organisation, user.Teams.map((team: { Name: string }) => team.Name)],
            ['User', '7', '', false, 'consumer-team-member', 'Default Organisation', ['Default Organisation All users']])
          assert.equal((await h.call('GET', `/portal-api/apps/${owned}`)).body.UserID, 7)
          assert.deepEqual((await h.call('GET', '/portal-api/organisations')).body, [{ ID: 1, Name: 'Default Organisation' }])
          // New rows get ids after the ones kept (PostgreSQL's identity sequences were moved past them).
          assert.equal((await h.call('POST', '/portal-api/catalogues', { Name: 'New' })).body.ID, 7)
          assert.equal((await h.call('POST', '/portal-api/users', { Email: 'new@acme.test' })).body.ID, 8)
          assert.deepEqual((await h.call('GET', '/portal-api/catalogues?per_page=2&page=2')).body.map((item: { ID: number }) => item.ID), [6, 7], 'paged from the kept rows on')
        } finally {
          await h.close()
        }

        await migrateTo(db, dialect.name, '2026-12-02T0100-list-positions')
        const restored = await db.selectFrom('products').select('fields').where('id', '=', payments).executeTakeFirstOrThrow()
        assert.deepEqual(JSON.parse(restored.fields), { DisplayName: 'Payments', Catalogues: [3, 6] }, 'down names them by ID again')
      } finally {
        await database.close()
      }
    })
  })
}
