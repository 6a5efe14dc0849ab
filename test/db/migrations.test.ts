import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sql } from 'kysely'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { dialects } from '../helpers/dialects.ts'

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
  })
}
