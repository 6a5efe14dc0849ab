// The oidc-provider adapter over Kysely, on every dialect, against the contract of oidc-provider's own
// memory adapter (lib/adapters/memory_adapter.js).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Database } from '../../src/db/database.ts'
import { deleteExpiredIdpModels, KyselyAdapter, resealIdpModels } from '../../src/idp/kysely-adapter.ts'
import { SecretBox } from '../../src/shared/secret-box.ts'
import { dialects } from '../helpers/dialects.ts'
import { TEST_SECRET_BOX } from '../helpers/app.ts'
import { createHash } from 'node:crypto'

const digest = (id: string) => createHash('sha256').update(id).digest('base64url')

for (const dialect of dialects) {
  describe(dialect.name, { skip: dialect.skip }, () => {
    let database: Database
    const clock = { now: new Date('2026-11-27T10:00:00.000Z') }
    const adapter = (model: string): KyselyAdapter => new KyselyAdapter(database.db, model, TEST_SECRET_BOX, () => clock.now)

    before(async () => { database = await dialect.open() })
    after(async () => { await database?.close() })

    it('stores, replaces and destroys a payload per model and id', async () => {
      const clients = adapter('Client')
      await clients.upsert('c1', { client_id: 'c1', client_name: 'first' })
      await adapter('AccessToken').upsert('c1', { jti: 'c1', kind: 'AccessToken' }, 60)
      assert.deepEqual(await clients.find('c1'), { client_id: 'c1', client_name: 'first' })

      await clients.upsert('c1', { client_id: 'c1', client_name: 'second' })
      assert.deepEqual(await clients.find('c1'), { client_id: 'c1', client_name: 'second' })

      await clients.destroy('c1')
      assert.equal(await clients.find('c1'), undefined)
      assert.deepEqual(await adapter('AccessToken').find('c1'), { jti: 'c1', kind: 'AccessToken' })
      assert.equal(await clients.find('never-stored'), undefined)
    })

    it('hides a payload once expired and deletes it on the sweep', async () => {
      const codes = adapter('AuthorizationCode')
      await codes.upsert('short', { jti: 'short' }, 60)
      await codes.upsert('forever', { jti: 'forever' })
      clock.now = new Date(clock.now.getTime() + 59_000)
      assert.ok(await codes.find('short'))
      clock.now = new Date(clock.now.getTime() + 1_000)
      assert.equal(await codes.find('short'), undefined)

      assert.ok(await deleteExpiredIdpModels(database.db, clock.now) >= 1)
      const left = await database.db.selectFrom('idp_models').select('id').where('model', '=', 'AuthorizationCode').where('id', 'in', [digest('short'), digest('forever')]).execute()
      assert.deepEqual(left.map((row) => row.id), [digest('forever')])
    })

    it('marks a payload consumed in epoch seconds, and an upsert clears the mark', async () => {
      const codes = adapter('AuthorizationCode')
      await codes.upsert('code', { jti: 'code' }, 600)
      await codes.consume('code')
      assert.equal((await codes.find('code'))?.consumed, Math.floor(clock.now.getTime() / 1000))
      await codes.upsert('code', { jti: 'code' }, 600)
      assert.equal((await codes.find('code'))?.consumed, undefined)
    })

    it('finds by user code and by uid within the model', async () => {
      await adapter('DeviceCode').upsert('d1', { jti: 'd1', userCode: 'ABCD-EFGH' }, 600)
      await adapter('Session').upsert('s1', { jti: 's1', uid: 'uid-1' }, 600)
      assert.equal((await adapter('DeviceCode').findByUserCode('ABCD-EFGH'))?.jti, 'd1')
      assert.equal((await adapter('Session').findByUid('uid-1'))?.jti, 's1')
      assert.equal(await adapter('Session').findByUserCode('ABCD-EFGH'), undefined)
      assert.equal(await adapter('DeviceCode').findByUid('uid-1'), undefined)
    })

    it('deletes every record of a client with the client, and nothing of another client', async () => {
      await adapter('Client').upsert('gone', { client_id: 'gone' })
      await adapter('ClientCredentials').upsert('t-gone', { jti: 't-gone', clientId: 'gone' }, 600)
      await adapter('RegistrationAccessToken').upsert('r-gone', { jti: 'r-gone', clientId: 'gone' })
      await adapter('ClientCredentials').upsert('t-kept', { jti: 't-kept', clientId: 'kept' }, 600)
      await adapter('Client').destroy('gone')
      assert.equal(await adapter('ClientCredentials').find('t-gone'), undefined)
      assert.equal(await adapter('RegistrationAccessToken').find('r-gone'), undefined)
      assert.ok(await adapter('ClientCredentials').find('t-kept'))
    })

    it('keeps ids digested and payloads sealed to their row: a payload moved to another row does not open', async () => {
      await adapter('AccessToken').upsert('token-value-1', { jti: 'token-value-1' }, 600)
      await adapter('AccessToken').upsert('token-value-2', { jti: 'token-value-2' }, 600)
      const rows = await database.db.selectFrom('idp_models').selectAll().where('model', '=', 'AccessToken').where('id', 'in', [digest('token-value-1'), digest('token-value-2')]).execute()
      assert.equal(JSON.stringify(rows).includes('token-value'), false)
      const first = rows.find((row) => row.id === digest('token-value-1'))!
      await database.db.updateTable('idp_models').set({ payload: first.payload }).where('model', '=', 'AccessToken').where('id', '=', digest('token-value-2')).execute()
      await assert.rejects(adapter('AccessToken').find('token-value-2'), /fails authentication/)
      await adapter('AccessToken').destroy('token-value-2') // leaves no tampered row to the tests after it
    })

    it('re-seals payloads under the newest key (npm run secrets:reseal), and they still open', async () => {
      await adapter('Client').upsert('rotating', { client_id: 'rotating', client_secret: 'kept-secret' })
      const newer = new SecretBox([{ id: 'newer', key: Buffer.alloc(32, 9) }, { id: 'test', key: Buffer.alloc(32, 7) }])
      assert.ok(await resealIdpModels(database.db, newer) >= 1)
      assert.equal(await resealIdpModels(database.db, newer), 0, 'a second run has nothing to do')
      assert.equal((await new KyselyAdapter(database.db, 'Client', newer).find('rotating'))?.client_secret, 'kept-secret')
      await assert.rejects(adapter('Client').find('rotating'), /not sealed with a configured key/)
    })

    it('revokes every token of a grant, and only those', async () => {
      await adapter('AccessToken').upsert('a1', { jti: 'a1', grantId: 'g1' }, 600)
      await adapter('RefreshToken').upsert('r1', { jti: 'r1', grantId: 'g1' }, 600)
      await adapter('AccessToken').upsert('a2', { jti: 'a2', grantId: 'g2' }, 600)
      await adapter('AccessToken').revokeByGrantId('g1')
      assert.equal(await adapter('AccessToken').find('a1'), undefined)
      assert.equal(await adapter('RefreshToken').find('r1'), undefined)
      assert.ok(await adapter('AccessToken').find('a2'))
    })
  })
}
