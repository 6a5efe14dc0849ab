import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Database } from '../../src/db/database.ts'
import { Leases } from '../../src/db/leases.ts'
import { AppError } from '../../src/errors.ts'
import { dialects } from '../helpers/dialects.ts'

// Issue 9: a lease row instead of a session lock. The clock is the seam: expiry is driven, never slept.
for (const dialect of dialects) {
  describe(`leases on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: Database
    let second: Database
    const clock = { now: new Date('2026-11-28T10:00:00.000Z') }
    const now = () => clock.now
    before(async () => {
      database = await dialect.open()
      // PostgreSQL: the second holder has its own pool, as another process has.
      second = dialect.reopen === undefined ? database : await dialect.reopen(database)
    })
    after(async () => {
      if (second !== database) await second.close()
      await database.close()
    })

    const saveWith = async (leases: Leases, db: Database, lease: Parameters<Leases['assertHeld']>[1]) => {
      await db.db.transaction().execute(async (trx) => { await leases.assertHeld(trx, lease) })
    }

    it('gives a key to one of two contenders at once, and to the other once released', async () => {
      const a = new Leases({ db: database.db, now })
      const b = new Leases({ db: second.db, now })
      const won = await Promise.all([a.acquire('contended'), b.acquire('contended'), a.acquire('contended'), b.acquire('contended')])
      assert.equal(won.filter((lease) => lease !== undefined).length, 1, JSON.stringify(won))
      const holder = won.find((lease) => lease !== undefined)!
      assert.equal(await b.acquire('contended'), undefined)
      await (holder.owner === a.owner ? a : b).release(holder)
      const next = await b.acquire('contended')
      assert.ok(next !== undefined && next.fence > holder.fence, 'the fence grows on every acquisition, also after a release')
    })

    it('lets another take over an expired lease, and refuses the fenced-out holder\'s save', async () => {
      const a = new Leases({ db: database.db, now, ttlMs: 30_000 })
      const b = new Leases({ db: second.db, now, ttlMs: 30_000 })
      const first = await a.acquire('expiring')
      assert.ok(first !== undefined)
      clock.now = new Date(clock.now.getTime() + 29_999)
      assert.equal(await b.acquire('expiring'), undefined, 'not yet expired')
      await saveWith(a, database, first) // still held: the save goes through (and extends the lease)
      clock.now = new Date(clock.now.getTime() + 30_000)
      const taken = await b.acquire('expiring')
      assert.ok(taken?.fence === first.fence + 1, JSON.stringify(taken))
      await assert.rejects(saveWith(a, database, first), (error: unknown) => error instanceof AppError && error.code === 'unavailable' && error.message.includes('expired and was taken over'))
      await saveWith(b, second, taken)
      assert.equal(await a.renew(first), false)
      await a.release(first) // a late release by the old holder frees nothing
      assert.equal(await a.acquire('expiring'), undefined)
    })

    it('refuses the save of a holder whose lease expired, even before anyone took it', async () => {
      const a = new Leases({ db: database.db, now, ttlMs: 1_000 })
      const lease = await a.acquire('lapsed')
      assert.ok(lease !== undefined)
      clock.now = new Date(clock.now.getTime() + 1_000)
      await assert.rejects(saveWith(a, database, lease), /expired/)
    })

    it('run() waits for a busy key and gets it when released; past its bound it answers 503 naming what is busy', async () => {
      const a = new Leases({ db: database.db, now })
      const b = new Leases({ db: second.db, now, maxWaitMs: 0 })
      const order: string[] = []
      let release!: () => void
      const held = a.run('queued', 'the thing', async () => {
        order.push('a in')
        await new Promise<void>((resolve) => { release = resolve })
        order.push('a out')
      })
      while (order.length === 0) await new Promise((resolve) => setImmediate(resolve))
      await assert.rejects(b.run('queued', 'the IdP client of app 1 for client type 2', async () => { /* never runs: the lease stays held */ }), (error: unknown) =>
        error instanceof AppError && error.code === 'overloaded' && error.retryAfterSeconds === 1 &&
        error.message === 'the IdP client of app 1 for client type 2 is busy with another change; retry shortly')
      const waiting = a.run('queued', 'the thing', async () => { order.push('second in') })
      release()
      await Promise.all([held, waiting])
      assert.deepEqual(order, ['a in', 'a out', 'second in'])
      assert.equal(await b.tryRun('queued', async () => 'free again'), 'free again')
    })
  })
}
