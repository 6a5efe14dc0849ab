import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { connectEmbeddedProvider, syncEmbeddedProvider } from '../../src/modules/oauth-providers/embedded-provider.ts'
import { AppError } from '../../src/errors.ts'
import { dialects } from '../helpers/dialects.ts'
import { TEST_SECRET_BOX } from '../helpers/app.ts'
import { PROVIDER_TOKEN, openColumn } from '../../src/shared/sealed-columns.ts'

const now = () => new Date('2026-11-27T10:00:00.000Z')
const endpoint = { wellKnownUrl: 'http://127.0.0.1:3002/.well-known/openid-configuration', initialAccessToken: 'iat-1' }

for (const dialect of dialects) {
  describe(`the "Embedded IdP" provider on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('is never created at start; connecting creates it with two client types once; later starts keep it in step', async () => {
      const database = await dialect.open()
      const { db } = database
      try {
        assert.equal(await syncEmbeddedProvider(db, TEST_SECRET_BOX, now, endpoint), undefined, 'a fresh database holds no provider')
        assert.equal((await db.selectFrom('oauth_providers').select('id').execute()).length, 0)

        const first = await db.transaction().execute(async (trx) => await connectEmbeddedProvider(trx, TEST_SECRET_BOX, now, endpoint))
        assert.deepEqual([first.created, first.provider.id], [true, 1])
        const types = await db.selectFrom('oauth_client_types').select(['name', 'grant_types', 'response_types']).orderBy('id').execute()
        assert.deepEqual(types, [
          { name: 'Machine to machine', grant_types: 'client_credentials', response_types: 'token' },
          { name: 'Web application', grant_types: 'authorization_code,refresh_token', response_types: 'code' }
        ])
        const again = await db.transaction().execute(async (trx) => await connectEmbeddedProvider(trx, TEST_SECRET_BOX, now, endpoint))
        assert.deepEqual([again.created, again.provider.id], [false, 1], 'idempotent')

        const moved = { wellKnownUrl: 'http://127.0.0.1:4002/.well-known/openid-configuration', initialAccessToken: 'iat-2' }
        assert.equal((await syncEmbeddedProvider(db, TEST_SECRET_BOX, now, moved))?.id, 1)
        const row = await db.selectFrom('oauth_providers').selectAll().executeTakeFirstOrThrow()
        assert.deepEqual([row.name, row.type, row.well_known_url, openColumn(TEST_SECRET_BOX, PROVIDER_TOKEN, row.id, row.registration_access_token)], ['Embedded IdP', 'Other', moved.wellKnownUrl, 'iat-2'])
        assert.equal(row.registration_access_token?.includes('iat-2'), false, 'sealed at rest')
        assert.equal((await db.selectFrom('oauth_client_types').select('id').execute()).length, 2, 'no second set of client types')

        await db.deleteFrom('oauth_client_types').execute()
        await db.deleteFrom('oauth_providers').execute()
        assert.equal(await syncEmbeddedProvider(db, TEST_SECRET_BOX, now, endpoint), undefined, 'an admin deletion is respected at start')

        await db.insertInto('oauth_providers').values({ name: 'Embedded IdP', type: 'Other', well_known_url: 'https://other.example/.well-known/openid-configuration', registration_access_token: null, ssl_insecure_skip_verify: 0, created_at: now().toISOString(), updated_at: now().toISOString() }).execute()
        await assert.rejects(db.transaction().execute(async (trx) => await connectEmbeddedProvider(trx, TEST_SECRET_BOX, now, endpoint)),
          (error: AppError) => error.code === 'conflict_taken' && error.message.includes('already named "Embedded IdP"'))
      } finally {
        await database.close()
      }
    })
  })
}
