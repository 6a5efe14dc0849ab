// The reconciler (issue 5): runs at start and periodically, as one across replicas (the lease
// "reconciler", src/db/leases.ts; a replica that finds it held skips its pass). It turns
// registration intents left "in flight" by a dead process into "unknown" (surfaced for an operator,
// never re-posted), and deletes at the IdP the clients recorded in tombstones, with backoff. An intent
// or tombstone found in flight while its client's lease is free was left by a dead process (issue 11
// items 2 and 5): the intent becomes unknown at once, the deletion is finished, with the rows that held it.
import type { FastifyBaseLogger } from 'fastify'
import { cannotSucceedOnRetry, IdpError, type DcrEngine } from '../../dcr/index.ts'
import type { Db } from '../../db/database.ts'
import type { Leases } from '../../db/leases.ts'
import { AppError } from '../../errors.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { DELETION_REGISTRATION_TOKEN, openColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import { toProviderConnection } from '../oauth-providers/idp-connection.ts'
import { findProvider } from '../oauth-providers/oauth-provider.repository.ts'
import {
  deleteDeletion, deleteHeldClient, findDeletion, listDueDeletions, listInFlightDeletions, listInFlightRegistrations, markInFlightUnknown,
  markStaleRegistrationsUnknown, rescheduleDeletion
} from './idp-operation.repository.ts'
import { byHandInstruction, CANARY, clientLeaseKey, NEVER, SENDER_DIED } from './idp-operation.record.ts'
import type { IdpDeletionRow } from '../../db/tables/idp-operation.table.ts'

export interface ReconcilerDeps {
  readonly db: Db
  readonly leases: Leases
  readonly engine: DcrEngine
  readonly box: SecretBox
  readonly now: Clock
  readonly log: FastifyBaseLogger
  /** An intent older than this is no longer in flight (well past the gate's timeouts). */
  readonly staleAfterMs?: number
}

export interface ReconcileReport {
  readonly staleRegistrations: number
  readonly deleted: number
  readonly rescheduled: number
}

const BATCH = 50
const FIRST_RETRY_MS = 5_000
const LONGEST_RETRY_MS = 60 * 60_000

export class Reconciler {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> = Promise.resolve()

  constructor (private readonly deps: ReconcilerDeps) {}

  /** One pass, unless another replica is doing one (then undefined). */
  async runOnce (): Promise<ReconcileReport | undefined> {
    const { db } = this.deps
    return await this.deps.leases.tryRun('reconciler', async () => {
      const now = this.deps.now()
      const staleBefore = new Date(now.getTime() - (this.deps.staleAfterMs ?? 2 * 60_000)).toISOString()
      const staleRegistrations = await this.markOrphanedRegistrations() + await markStaleRegistrationsUnknown(db, staleBefore, now.toISOString())
      let deleted = 0
      let rescheduled = 0
      const count = (done: boolean | undefined) => { if (done === true) deleted++; else if (done === false) rescheduled++ }
      for (const row of await listInFlightDeletions(db, BATCH)) count(await this.finishOrphanedDeletion(row))
      for (const row of await listDueDeletions(db, now.toISOString(), BATCH)) count(await this.retryDeletion(row))
      if (staleRegistrations + deleted + rescheduled > 0) this.deps.log.info({ staleRegistrations, deleted, rescheduled }, 'reconciled IdP operations')
      return { staleRegistrations, deleted, rescheduled }
    })
  }

  /** At start, then every `everyMs`; passes never overlap. */
  start (everyMs: number): void {
    const pass = () => {
      this.running = this.running.then(async () => await this.runOnce()).catch((error: unknown) => {
        this.deps.log.error({ err: error }, 'reconciler pass failed')
      })
    }
    pass()
    this.timer = setInterval(pass, everyMs)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }

  /** In-flight intents of clients whose lease is free: their sender died (issue 11 item 5); how many became unknown. */
  private async markOrphanedRegistrations (): Promise<number> {
    let marked = 0
    for (const row of await listInFlightRegistrations(this.deps.db)) {
      if (row.app_id === CANARY) continue // no lease: the age rule applies
      const orphaned = await this.deps.leases.tryRun(clientLeaseKey(row.app_id, row.client_type_id), async () =>
        await markInFlightUnknown(this.deps.db, row.id, SENDER_DIED, this.deps.now().toISOString()))
      if (orphaned === true) marked++
    }
    return marked
  }

  /**
   * A tombstone whose DELETE a lease holder sent: when that lease is free and the tombstone still there, its
   * sender died before, during or after the call (issue 11 item 2), so the deletion is finished now.
   * Undefined when its sender is still at work, or finished meanwhile.
   */
  private async finishOrphanedDeletion (row: IdpDeletionRow): Promise<boolean | undefined> {
    return await this.deps.leases.tryRun(row.lease_key!, async () => {
      const current = await findDeletion(this.deps.db, row.id)
      return current?.lease_key === row.lease_key ? await this.retryDeletion(current) : undefined
    })
  }

  /** True when the client is gone at the IdP (and so from every row that held it); otherwise the tombstone is rescheduled. */
  private async retryDeletion (row: IdpDeletionRow): Promise<boolean> {
    const { db } = this.deps
    const attempts = row.attempts + 1
    const provider = await findProvider(db, row.provider_id)
    if (provider === undefined) {
      await rescheduleDeletion(db, row.id, { attempts, next_attempt_at: NEVER, last_error: `provider ${row.provider_id} was deleted: delete client ${row.client_id} at the IdP by hand` })
      return false
    }
    const token = openColumn(this.deps.box, DELETION_REGISTRATION_TOKEN, row.id, row.registration_access_token)
    const connection = toProviderConnection(provider, this.deps.box)
    const client = {
      clientId: row.client_id,
      ...(token === null ? {} : { registrationAccessToken: token }),
      ...(row.registration_client_uri === null ? {} : { registrationClientUri: row.registration_client_uri })
    }
    // Issue 10 item 4: what no call can delete is shown to an operator, not retried forever.
    const gap = this.deps.engine.managementGap(connection, client)
    if (gap !== undefined) {
      await rescheduleDeletion(db, row.id, { attempts, next_attempt_at: NEVER, last_error: byHandInstruction(row.client_id, gap) })
      return false
    }
    try {
      await this.deps.engine.remove(connection, client)
      // A deletion a dead process began may have left the client's row: nothing may hold a client the IdP no longer knows.
      await db.transaction().execute(async (trx) => {
        await deleteHeldClient(trx, row.provider_id, row.client_id)
        await deleteDeletion(trx, row.id)
      })
      return true
    } catch (error) {
      if (!(error instanceof IdpError) && !(error instanceof AppError)) throw error
      const permanent = cannotSucceedOnRetry(error)
      const refused = error instanceof IdpError && error.status === 401
      // Exponential backoff from 5 s to an hour, or the IdP's own Retry-After; what cannot succeed: by hand.
      const retryAfterMs = error instanceof IdpError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : undefined
      const delay = retryAfterMs ?? Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), LONGEST_RETRY_MS)
      await db.transaction().execute(async (trx) => {
        // A refused token cannot manage the client any more: nothing holds it; most likely an interrupted DELETE
        // already removed it (RFC 7592 §2.3 revokes the token with the client), so the operator checks the IdP.
        if (refused) await deleteHeldClient(trx, row.provider_id, row.client_id)
        await rescheduleDeletion(trx, row.id, {
          attempts,
          next_attempt_at: permanent ? NEVER : new Date(this.deps.now().getTime() + delay).toISOString(),
          last_error: refused
            ? `${error.message}: check client ${row.client_id} at the IdP, delete it there by hand if it is still there`
            : permanent ? byHandInstruction(row.client_id, error.message) : error.message
        })
      })
      return false
    }
  }
}
