import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { registerEmbeddedProvider } from '../../src/modules/oauth-providers/embedded-provider.ts'
import { dialects } from '../helpers/dialects.ts'
import { TEST_SECRET_BOX } from '../helpers/app.ts'
import { PROVIDER_TOKEN, openColumn } from '../../src/shared/sealed-columns.ts'

const now = () => new Date('2026-11-27T10:00:00.000Z')
const endpoint = { wellKnownUrl: 'http://127.0.0.1:3002/.well-known/openid-configuration', initialAccessToken: 'iat-1' }

for (const dialect of dialects) {
  describe(`the "Embedded IdP" provider on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('is created on first start with two client types, kept in step later, and stays deleted', async () => {
      const database = await dialect.open()
      const { db } = database
      try {
        const first = await registerEmbeddedProvider(db, TEST_SECRET_BOX, now, endpoint)
        assert.equal(first.outcome, 'created')
        const types = await db.selectFrom('oauth_client_types').select(['name', 'grant_types', 'response_types']).orderBy('id').execute()
        assert.deepEqual(types, [
          { name: 'Machine to machine', grant_types: 'client_credentials', response_types: 'token' },
          { name: 'Web application', grant_types: 'authorization_code,refresh_token', response_types: 'code' }
        ])

        const moved = { wellKnownUrl: 'http://127.0.0.1:4002/.well-known/openid-configuration', initialAccessToken: 'iat-2' }
        assert.deepEqual(await registerEmbeddedProvider(db, TEST_SECRET_BOX, now, moved), { outcome: 'kept', providerId: (first as { providerId: number }).providerId })
        const row = await db.selectFrom('oauth_providers').selectAll().executeTakeFirstOrThrow()
        assert.deepEqual([row.name, row.type, row.well_known_url, openColumn(TEST_SECRET_BOX, PROVIDER_TOKEN, row.id, row.registration_access_token)], ['Embedded IdP', 'Other', moved.wellKnownUrl, 'iat-2'])
        assert.equal(row.registration_access_token?.includes('iat-2'), false, 'sealed at rest')
        assert.equal((await db.selectFrom('oauth_client_types').select('id').execute()).length, 2, 'no second set of client types')

        await db.deleteFrom('oauth_client_types').execute()
        await db.deleteFrom('oauth_providers').execute()
        assert.deepEqual(await registerEmbeddedProvider(db, TEST_SECRET_BOX, now, endpoint), { outcome: 'deleted_by_admin' })
        assert.equal((await db.selectFrom('oauth_providers').select('id').execute()).length, 0)
      } finally {
        await database.close()
      }
    })
  })
}
