import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { after, beforeEach, describe, it } from 'node:test'
import Sqlite from 'better-sqlite3'
import fc from 'fast-check'
import { Kysely, sql } from 'kysely'
import { GroupCommitDialect, withoutWaitingForDisk } from '../../src/db/group-commit.ts'

interface Tables { t: { id: number; v: string } }

/** A promise the test settles: holds a write open, so that the group cannot commit until released. */
function gate (): { readonly opened: Promise<void>; open (): void } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => { open = resolve })
  return { opened, open }
}

/** Whether `promise` has settled by the time everything already queued has run. */
async function settled (promise: Promise<unknown>): Promise<boolean> {
  let done = false
  promise.then(() => { done = true }, () => { done = true })
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

// SQLite's group commit (src/db/group-commit.ts) on a real file: shared COMMITs, one savepoint per write,
// nothing acknowledged or shown to readers before it is on disk.
describe('group commit on SQLite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-group-commit-'))
  let file: string
  /** The WAL flush of the database under test: tests may hold it (the process edge) or make it fail. */
  let flushes: Array<() => void>
  let flushing: 'at once' | 'held' | 'failing'
  let dialect: GroupCommitDialect
  let db: Kysely<Tables>
  /** Another connection to the file, as another process would see it: committed data only. */
  let outside: Sqlite.Database
  const onDisk = () => (outside.prepare('select v from t order by id').all() as Array<{ v: string }>).map((row) => row.v)
  /** Until a flush is held. */
  const nextFlush = async () => { while (flushes.length === 0) await new Promise((resolve) => setImmediate(resolve)) }
  const insert = async (v: string) => { await db.insertInto('t').values({ v } as never).execute() }

  beforeEach(async () => {
    await db?.destroy()
    outside?.close()
    file = path.join(dir, `${Math.random().toString(36).slice(2)}.db`)
    const writer = new Sqlite(file)
    writer.pragma('journal_mode = WAL')
    writer.pragma('synchronous = FULL')
    flushes = []
    flushing = 'at once'
    const fdatasync = promisify(fs.fdatasync)
    dialect = new GroupCommitDialect({
      writer,
      reader: new Sqlite(file, { readonly: true }),
      walFile: `${file}-wal`,
      fdatasync: async (fd) => {
        if (flushing === 'failing') throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })
        if (flushing === 'held') await new Promise<void>((resolve) => { flushes.push(resolve) })
        await fdatasync(fd)
      }
    })
    db = new Kysely<Tables>({ dialect })
    await sql`create table t (id integer primary key, v text not null)`.execute(db)
    outside = new Sqlite(file, { readonly: true })
  })
  after(async () => {
    await db?.destroy()
    outside?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('commits the writes that arrive together once, and each is on disk when it resolves', async () => {
    const before = dialect.driver.committed
    const seen: string[][] = []
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      await db.transaction().execute(async (trx) => { await trx.insertInto('t').values({ v: `w${i}` } as never).execute() })
      seen.push(onDisk())
    }))
    const after = dialect.driver.committed
    assert.equal(after.writes - before.writes, 20)
    assert.equal(after.commits - before.commits, 1, 'twenty writes, one COMMIT (one fsync)')
    for (const rows of seen) assert.equal(rows.length, 20, 'every write resolved after the shared COMMIT')
  })

  it('neither acknowledges nor shows a write before its COMMIT, and reads do not wait for the writer', async () => {
    const held = gate()
    const first = insert('first')
    const holder = db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ v: 'holder' } as never).execute()
      await held.opened
    })
    // `first` is done and released, but `holder` keeps the group open: nothing is committed yet.
    assert.equal(await settled(first), false, 'not acknowledged before the COMMIT')
    assert.deepEqual(await db.selectFrom('t').select('v').execute(), [], 'a read outside a transaction sees committed data only, at once')
    assert.deepEqual(onDisk(), [])
    held.open()
    await Promise.all([first, holder])
    assert.deepEqual(onDisk().sort(), ['first', 'holder'])
    assert.deepEqual((await db.selectFrom('t').select('v').execute()).map((row) => row.v).sort(), ['first', 'holder'])
  })

  it('rolls back only the write that failed; the others of its group commit', async () => {
    const results = await Promise.allSettled(['a', 'b', 'c'].map(async (v) => await db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ v } as never).execute()
      if (v === 'b') throw new Error('b changed its mind')
    })))
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled'])
    assert.equal((results[1] as PromiseRejectedResult).reason.message, 'b changed its mind')
    assert.deepEqual(onDisk(), ['a', 'c'])
  })

  it('fails every write of the group when SQLite rolls the whole transaction back, and goes on after', async () => {
    await sql`create trigger no_poison before insert on t when new.v = 'poison' begin select raise(rollback, 'poisoned'); end`.execute(db)
    const results = await Promise.allSettled(['a', 'poison', 'c'].map(insert))
    assert.equal(results[0]!.status, 'rejected', 'the write before the rollback is not acknowledged: it is gone')
    assert.match(String((results[1] as PromiseRejectedResult).reason), /poisoned/)
    assert.equal(results[2]!.status, 'fulfilled', 'the write after it starts a new group')
    assert.deepEqual(onDisk(), ['c'], 'nothing of the rolled-back group is on disk')
    await insert('after')
    assert.ok(onDisk().includes('after'))
  })

  it('lets a write that need not wait for the disk return before its COMMIT', async () => {
    const held = gate()
    await withoutWaitingForDisk(async () => { await insert('lease') })
    const holder = db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ v: 'intent' } as never).execute()
      await held.opened
    })
    assert.deepEqual(onDisk(), [], 'returned, not yet on disk')
    held.open()
    await holder
    assert.deepEqual(onDisk(), ['lease', 'intent'], 'flushed in order by the next durable write')
  })

  it('acknowledges a write only after the fsync of its COMMIT, and makes reads wait for it', async () => {
    flushing = 'held'
    const write = insert('w')
    await nextFlush()
    assert.deepEqual(onDisk(), ['w'], 'committed to the WAL, visible to another process')
    const read = db.selectFrom('t').select('v').execute()
    assert.equal(await settled(write), false, 'not acknowledged while its fsync is under way')
    assert.equal(await settled(read), false, 'no answer shows a write that is not on disk yet')
    const next = insert('next')
    assert.equal(await settled(next), false)
    assert.equal(flushes.length, 1, 'the next COMMIT waits for the fsync under way')
    flushes.shift()!()
    await write
    assert.deepEqual((await read).map((row) => row.v), ['w'])
    await nextFlush()
    flushes.shift()!()
    await next
    assert.deepEqual(onDisk(), ['w', 'next'])
  })

  it('refuses every later write once an fsync failed (its data may not be on disk)', async () => {
    flushing = 'failing'
    await assert.rejects(insert('lost?'), /WAL could not be flushed to disk \(Error: EIO.*restart the service/)
    flushing = 'at once'
    await assert.rejects(insert('after'), /restart the service/)
    assert.deepEqual(onDisk(), ['lost?'], 'nothing after the failure was written')
  })

  it('keeps on disk exactly the writes it acknowledged, whatever mix of writes, failures and rollbacks arrives at once (fast-check)', async () => {
    await sql`create trigger no_poison before insert on t when new.v like '%:poison:%' begin select raise(rollback, 'poisoned'); end`.execute(db)
    let round = 0
    const outcome = fc.constantFrom('ok', 'ok', 'ok', 'throws', 'poison', 'lease')
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(outcome, fc.nat(3)), { minLength: 1, maxLength: 40 }), async (writes) => {
      const prefix = `r${++round}:`
      const results = await Promise.allSettled(writes.map(async ([kind, pause], i) => {
        const v = `${prefix}${kind}:${i}`
        // Some arrive a turn or more later: groups of every size, some while a COMMIT's fsync is under way.
        for (let turn = 0; turn < pause; turn++) await new Promise((resolve) => setImmediate(resolve))
        if (kind === 'lease') return await withoutWaitingForDisk(async () => { await insert(v); return v })
        return await db.transaction().execute(async (trx) => {
          await trx.insertInto('t').values({ v } as never).execute()
          if (kind === 'throws') throw new Error('changed its mind')
          return v
        })
      }))
      await insert(`${prefix}flush`) // a durable write after them all: every lease write before it is on disk too
      const acknowledged = results.flatMap((result) => result.status === 'fulfilled' ? [result.value] : [])
      const stored = new Set(onDisk().filter((v) => v.startsWith(prefix) && v !== `${prefix}flush`))
      for (const v of stored) assert.ok(acknowledged.includes(v), `${v} is on disk but was never acknowledged`)
      // A lease write does not wait for its COMMIT (by design): a whole-transaction rollback may take it.
      const poisoned = writes.some(([kind]) => kind === 'poison')
      for (const v of acknowledged) {
        if (v.includes(':lease:') && poisoned) continue
        assert.ok(stored.has(v), `${v} was acknowledged but is not on disk`)
      }
    }), { seed: 1414, numRuns: 60 })
  })
})
