// The oidc-provider adapter over Kysely, on every dialect, against the contract of oidc-provider's own
// memory adapter (lib/adapters/memory_adapter.js).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Database } from '../../src/db/database.ts'
import { deleteExpiredIdpModels, KyselyAdapter } from '../../src/idp/kysely-adapter.ts'
import { dialects } from '../helpers/dialects.ts'

for (const dialect of dialects) {
  describe(dialect.name, { skip: dialect.skip }, () => {
    let database: Database
    const clock = { now: new Date('2026-11-27T10:00:00.000Z') }
    const adapter = (model: string): KyselyAdapter => new KyselyAdapter(database.db, model, () => clock.now)

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
      const left = await database.db.selectFrom('idp_models').select('id').where('model', '=', 'AuthorizationCode').where('id', 'in', ['short', 'forever']).execute()
      assert.deepEqual(left.map((row) => row.id), ['forever'])
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
