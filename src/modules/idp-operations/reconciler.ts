// The reconciler (issue 5): runs at start and periodically, as one across replicas (the lease
// "reconciler", src/db/leases.ts; a replica that finds it held skips its pass). It turns
// registration intents left "in flight" by a dead process into "unknown" (surfaced for an operator,
// never re-posted), and deletes at the IdP the clients recorded in tombstones, with backoff.
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
import { deleteDeletion, listDueDeletions, markStaleRegistrationsUnknown, rescheduleDeletion } from './idp-operation.repository.ts'
import { byHandInstruction, NEVER } from './idp-operation.record.ts'
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
      const staleRegistrations = await markStaleRegistrationsUnknown(db, staleBefore, now.toISOString())
      let deleted = 0
      let rescheduled = 0
      for (const row of await listDueDeletions(db, now.toISOString(), BATCH)) {
        if (await this.retryDeletion(row)) deleted++
        else rescheduled++
      }
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

  /** True when the client is gone at the IdP; otherwise the tombstone is rescheduled. */
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
      await deleteDeletion(db, row.id)
      return true
    } catch (error) {
      if (!(error instanceof IdpError) && !(error instanceof AppError)) throw error
      const permanent = cannotSucceedOnRetry(error)
      // Exponential backoff from 5 s to an hour, or the IdP's own Retry-After; what cannot succeed: by hand.
      const retryAfterMs = error instanceof IdpError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : undefined
      const delay = retryAfterMs ?? Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), LONGEST_RETRY_MS)
      await rescheduleDeletion(db, row.id, {
        attempts,
        next_attempt_at: permanent ? NEVER : new Date(this.deps.now().getTime() + delay).toISOString(),
        last_error: permanent ? byHandInstruction(row.client_id, error.message) : error.message
      })
      return false
    }
  }
}
