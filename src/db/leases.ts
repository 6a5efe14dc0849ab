// Leases (issue 9): one holder at a time per key across every process on this database, as a row in
// `leases`: never a lock on a pooled connection, so nothing is held while the holder calls an IdP.
// Acquiring is one atomic upsert that takes a free or expired lease and bumps its fence; a save checks
// the fence in its own transaction, so a holder whose lease expired and was taken over saves nothing.
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { AppError } from '../errors.ts'
import type { Clock } from '../shared/time.ts'
import type { Db } from './database.ts'
import { withoutWaitingForDisk } from './group-commit.ts'
import { preparedQuery } from './prepared.ts'

export interface Lease {
  readonly key: string
  readonly owner: string
  readonly fence: number
}

export interface LeasesDeps {
  readonly db: Db
  readonly now: Clock
  /** How long a lease lasts unless renewed; renewed every third of it while its task runs. Default 30 s. */
  readonly ttlMs?: number
  /** How long run() waits for a busy key before it gives up with 503. Default 30 s. */
  readonly maxWaitMs?: number
}

const RELEASED = new Date(0).toISOString()

// Compiled once: each credential operation takes, extends (in its saving transaction) and frees a lease.
const takeFreeOrExpired = preparedQuery((db: Db, key: string, owner: string, expiresAt: string, now: string) => db.insertInto('leases')
  .values({ key, owner, fence: 1, expires_at: expiresAt })
  .onConflict((oc) => oc.column('key')
    .doUpdateSet({ owner, fence: sql<number>`leases.fence + 1`, expires_at: expiresAt })
    .where('leases.expires_at', '<=', now))
  .returning('fence'))

const extendHeld = preparedQuery((db: Db, expiresAt: string, key: string, owner: string, fence: number, now: string) => db.updateTable('leases')
  .set({ expires_at: expiresAt })
  .where('key', '=', key).where('owner', '=', owner).where('fence', '=', fence)
  .where('expires_at', '>', now)
  .returning('fence'))

const free = preparedQuery((db: Db, releasedAt: string, key: string, owner: string, fence: number) => db.updateTable('leases')
  .set({ expires_at: releasedAt })
  .where('key', '=', key).where('owner', '=', owner).where('fence', '=', fence))

const FIRST_POLL_MS = 5
const LONGEST_POLL_MS = 200

export class Leases {
  /** This process and this instance: a second instance in the same process is another owner. */
  readonly owner = `${process.pid}:${randomBytes(6).toString('hex')}`
  private readonly ttlMs: number
  private readonly maxWaitMs: number
  /** Waiters in this process, woken when a lease here is released (other processes are polled). */
  private readonly waiters = new Map<string, Set<() => void>>()

  constructor (private readonly deps: LeasesDeps) {
    this.ttlMs = deps.ttlMs ?? 30_000
    this.maxWaitMs = deps.maxWaitMs ?? 30_000
  }

  /**
   * Runs `task` holding the lease on `key`, waiting for it with a short backoff; after maxWaitMs, a 503
   * that names `what` is busy. The lease is renewed while the task runs and released after it.
   */
  async run<T> (key: string, what: string, task: (lease: Lease) => Promise<T>): Promise<T> {
    const deadline = performance.now() + this.maxWaitMs
    for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, LONGEST_POLL_MS)) {
      const lease = await this.acquire(key)
      if (lease !== undefined) return await this.holding(lease, task)
      if (performance.now() >= deadline) throw new AppError('overloaded', `${what} is busy with another change; retry shortly`)
      await this.pause(key, delay * (0.5 + Math.random()))
    }
  }

  /** As run(), but gives up at once (undefined) when another holds the lease. */
  async tryRun<T> (key: string, task: (lease: Lease) => Promise<T>): Promise<T | undefined> {
    const lease = await this.acquire(key)
    return lease === undefined ? undefined : await this.holding(lease, task)
  }

  /**
   * One attempt: the lease when it was free or expired (its fence bumped), otherwise undefined. On SQLite
   * it does not wait for the disk (group-commit.ts): the power cut that could lose it stops this holder
   * too, and the holder's first durable write (its intent, before any IdP call) flushes it.
   */
  async acquire (key: string): Promise<Lease | undefined> {
    const now = this.deps.now()
    const [row] = await withoutWaitingForDisk(async () => await takeFreeOrExpired(this.deps.db, key, this.owner, new Date(now.getTime() + this.ttlMs).toISOString(), now.toISOString()))
    return row === undefined ? undefined : { key, owner: this.owner, fence: Number(row.fence) }
  }

  /**
   * In the transaction that saves what the holder did: refuses (503, nothing saved) unless the lease is
   * still this holder's and unexpired, and extends it. On PostgreSQL the row stays locked until commit,
   * so no takeover slips in between this check and the save.
   */
  async assertHeld (trx: Db, lease: Lease): Promise<void> {
    const now = this.deps.now()
    const extended = await extendHeld(trx, new Date(now.getTime() + this.ttlMs).toISOString(), lease.key, lease.owner, lease.fence, now.toISOString())
    if (extended.length === 0) {
      throw new AppError('unavailable', `the lease on ${lease.key} expired and was taken over while an IdP call ran: nothing was saved; retry`)
    }
  }

  /** Pushes the expiry out; false when the lease is no longer this holder's. */
  async renew (lease: Lease): Promise<boolean> {
    const now = this.deps.now()
    const result = await this.deps.db.updateTable('leases')
      .set({ expires_at: new Date(now.getTime() + this.ttlMs).toISOString() })
      .where('key', '=', lease.key).where('owner', '=', lease.owner).where('fence', '=', lease.fence)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  /** Frees the lease (the row stays, so the fence keeps growing); on SQLite not waiting for the disk, as acquire(). */
  async release (lease: Lease): Promise<void> {
    await withoutWaitingForDisk(async () => await free(this.deps.db, RELEASED, lease.key, lease.owner, lease.fence))
    for (const wake of this.waiters.get(lease.key) ?? []) wake()
  }

  private async holding<T> (lease: Lease, task: (lease: Lease) => Promise<T>): Promise<T> {
    const renewal = setInterval(() => { this.renew(lease).catch(() => { /* a lost renewal shows at the save: assertHeld refuses it */ }) }, Math.max(1, Math.floor(this.ttlMs / 3)))
    renewal.unref()
    try {
      return await task(lease)
    } finally {
      clearInterval(renewal)
      // A release that fails (database gone) must not hide the task's outcome; the lease expires anyway.
      await this.release(lease).catch(() => { /* it expires anyway */ })
    }
  }

  /** Sleeps `ms`, or less when a lease on `key` is released in this process. */
  private async pause (key: string, ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const waiting = this.waiters.get(key) ?? new Set()
      this.waiters.set(key, waiting)
      const done = () => {
        clearTimeout(timer)
        waiting.delete(done)
        if (waiting.size === 0 && this.waiters.get(key) === waiting) this.waiters.delete(key)
        resolve()
      }
      const timer = setTimeout(done, ms)
      waiting.add(done)
    })
  }
}
