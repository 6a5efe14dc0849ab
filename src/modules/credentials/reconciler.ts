// The reconciler (issue 5): runs at start and periodically, as one across replicas (a lease). It turns
// registration intents left "in flight" by a dead process into "unknown" (surfaced for an operator,
// never re-posted), and deletes at the IdP the clients recorded in tombstones, with backoff.
import type { FastifyBaseLogger } from 'fastify'
import { IdpError, type DcrEngine } from '../../dcr/index.ts'
import type { Database } from '../../db/database.ts'
import { AppError, show } from '../../errors.ts'
import { parseId } from '../../shared/ids.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { DELETION_REGISTRATION_TOKEN, openColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { toProviderConnection } from '../oauth-providers/idp-connection.ts'
import { findProvider } from '../oauth-providers/oauth-provider.repository.ts'
import {
  deleteDeletion, deleteRegistrationIntent, listDeletions, listDueDeletions, listRegistrations, markStaleRegistrationsUnknown,
  rescheduleDeletion, type IdpDeletionRow
} from './idp-operation.repository.ts'
import { NEVER } from './oauth-client.service.ts'

export interface ReconcilerDeps {
  readonly database: Database
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
    return await this.deps.database.tryWithLock('reconciler', async () => {
      const now = this.deps.now()
      const staleBefore = new Date(now.getTime() - (this.deps.staleAfterMs ?? 2 * 60_000)).toISOString()
      const staleRegistrations = await markStaleRegistrationsUnknown(this.deps.database.db, staleBefore, now.toISOString())
      let deleted = 0
      let rescheduled = 0
      for (const row of await listDueDeletions(this.deps.database.db, now.toISOString(), BATCH)) {
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

  /** What an operator sees: unknown registrations and pending deletions (GET /portal-api/idp-operations). */
  async list () {
    const { db } = this.deps.database
    return {
      Registrations: (await listRegistrations(db)).map((row) => ({
        ID: row.id,
        ProviderID: row.provider_id,
        AppID: row.app_id,
        ClientTypeID: row.client_type_id,
        CorrelationTag: row.correlation_tag,
        State: row.state,
        LastError: row.last_error ?? '',
        CreatedAt: formatTimestamp(row.created_at)
      })),
      Deletions: (await listDeletions(db)).map((row) => ({
        ID: row.id,
        ProviderID: row.provider_id,
        ClientID: row.client_id,
        Reason: row.reason,
        Attempts: row.attempts,
        NextAttemptAt: row.next_attempt_at === NEVER ? '' : formatTimestamp(row.next_attempt_at),
        LastError: row.last_error ?? '',
        CreatedAt: formatTimestamp(row.created_at)
      }))
    }
  }

  /** The operator has checked the IdP: forget an unknown registration (new ones are allowed again). */
  async resolveRegistration (rawId: string): Promise<void> {
    const id = parseId(rawId)
    const row = id === undefined ? undefined : (await listRegistrations(this.deps.database.db)).find((r) => r.id === id)
    if (row?.state !== 'unknown') throw new AppError('not_found', `IdP operation Not found: no unknown registration ${show(rawId)}`)
    await deleteRegistrationIntent(this.deps.database.db, row.id)
  }

  /** The operator has deleted the client at the IdP, or gives up: forget the tombstone. */
  async resolveDeletion (rawId: string): Promise<void> {
    const id = parseId(rawId)
    const row = id === undefined ? undefined : (await listDeletions(this.deps.database.db)).find((r) => r.id === id)
    if (row === undefined) throw new AppError('not_found', `IdP operation Not found: no pending deletion ${show(rawId)}`)
    await deleteDeletion(this.deps.database.db, row.id)
  }

  /** True when the client is gone at the IdP; otherwise the tombstone is rescheduled. */
  private async retryDeletion (row: IdpDeletionRow): Promise<boolean> {
    const { db } = this.deps.database
    const attempts = row.attempts + 1
    const provider = await findProvider(db, row.provider_id)
    if (provider === undefined) {
      await rescheduleDeletion(db, row.id, { attempts, next_attempt_at: NEVER, last_error: `provider ${row.provider_id} was deleted: delete client ${row.client_id} at the IdP by hand` })
      return false
    }
    const token = openColumn(this.deps.box, DELETION_REGISTRATION_TOKEN, row.id, row.registration_access_token)
    try {
      await this.deps.engine.remove(toProviderConnection(provider, this.deps.box), {
        clientId: row.client_id,
        ...(token === null ? {} : { registrationAccessToken: token }),
        ...(row.registration_client_uri === null ? {} : { registrationClientUri: row.registration_client_uri })
      })
      await deleteDeletion(db, row.id)
      return true
    } catch (error) {
      if (!(error instanceof IdpError) && !(error instanceof AppError)) throw error
      const refused = error instanceof IdpError && error.status === 401
      // Exponential backoff from 5 s to an hour, or the IdP's own Retry-After; a refused token: by hand.
      const retryAfterMs = error instanceof IdpError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : undefined
      const delay = retryAfterMs ?? Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), LONGEST_RETRY_MS)
      await rescheduleDeletion(db, row.id, {
        attempts,
        next_attempt_at: refused ? NEVER : new Date(this.deps.now().getTime() + delay).toISOString(),
        last_error: refused ? `${error.message}: delete client ${row.client_id} at the IdP by hand` : error.message
      })
      return false
    }
  }
}
