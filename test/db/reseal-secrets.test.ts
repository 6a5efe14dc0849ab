import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resealSecrets } from '../../src/db/reseal-secrets.ts'
import { SecretBox } from '../../src/shared/secret-box.ts'
import { PROVIDER_TOKEN, openColumn, sealColumn } from '../../src/shared/sealed-columns.ts'
import { dialects } from '../helpers/dialects.ts'

const oldKey = { id: 'old', key: Buffer.alloc(32, 1) }
const newKey = { id: 'new', key: Buffer.alloc(32, 2) }

for (const dialect of dialects) {
  describe(`re-sealing secrets on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('moves every secret under the newest key, resumably, and seals values stored in clear', async () => {
      const database = await dialect.open()
      const { db } = database
      try {
        const before = new SecretBox([oldKey])
        const now = new Date().toISOString()
        const ids: number[] = []
        for (let i = 0; i < 250; i++) {
          const { id } = await db.insertInto('oauth_providers').values({ name: `p${i}`, type: 'Other', well_known_url: 'http://idp', registration_access_token: null, ssl_insecure_skip_verify: 0, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()
          // one in ten was stored before sealing existed
          const value = i % 10 === 0 ? `clear-${i}` : sealColumn(before, PROVIDER_TOKEN, id, `token-${i}`)
          await db.updateTable('oauth_providers').set({ registration_access_token: value }).where('id', '=', id).execute()
          ids.push(id)
        }
        const after = new SecretBox([newKey, oldKey])
        assert.deepEqual(await resealSecrets(db, after), { 'oauth_providers.registration_access_token': 250, 'oauth_clients.client_secret': 0, 'oauth_clients.registration_access_token': 0, 'idp_deletions.registration_access_token': 0 })
        assert.deepEqual((await resealSecrets(db, after))['oauth_providers.registration_access_token'], 0, 'a second run has nothing to do')
        const rows = await db.selectFrom('oauth_providers').select(['id', 'registration_access_token']).orderBy('id').execute()
        rows.forEach((row, i) => {
          assert.ok(row.registration_access_token?.startsWith('v1.new.'))
          assert.equal(openColumn(new SecretBox([newKey]), PROVIDER_TOKEN, row.id, row.registration_access_token), i % 10 === 0 ? `clear-${i}` : `token-${i}`)
        })
        // A sealed value moved to another row does not open (the row is in the associated data).
        assert.throws(() => openColumn(after, PROVIDER_TOKEN, rows[1]!.id, rows[0]!.registration_access_token), /fails authentication/)
      } finally {
        await database.close()
      }
    })
  })
}
