// The recorded saga of IdP calls (issue 5): an intent is saved before every registration POST and
// removed in the transaction that records the client; a lost answer leaves it "unknown" for an operator
// and no other registration for the app and client type is sent meanwhile (never re-posted blindly).
// A client that must still go at the IdP becomes a tombstone that the reconciler retries.
import type { FastifyBaseLogger } from 'fastify'
import { cannotSucceedOnRetry, IdpError, type ClientCredentials, type ClientRequest, type ClientTemplate, type DcrEngine, type ManagedClient, type ProviderConnection } from '../../dcr/index.ts'
import type { Db } from '../../db/database.ts'
import { AppError, show } from '../../errors.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { DELETION_REGISTRATION_TOKEN, sealColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import type { CanaryRegistration } from '../oauth-providers/provider-verification.ts'
import type { IdpRegistrationRow } from '../../db/tables/idp-operation.table.ts'
import {
  deleteDeletion, deleteRegistrationIntent, findDeletion, findOpenRegistration, findRegistration, insertDeletion, insertRegistrationIntent,
  listDeletions, listRegistrations, markInFlightUnknown, markRegistrationUnknown, rescheduleDeletion, setDeletionToken
} from './idp-operation.repository.ts'
import { byHandInstruction, CANARY, clientLeaseKey, IN_FLIGHT_GRACE_MS, NEVER, SENDER_DIED, toDeletionRecord, toRegistrationRecord, type DeletionFate, type IdpOperations } from './idp-operation.record.ts'

export interface IdpOperationServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly engine: DcrEngine
  readonly box: SecretBox
  readonly log: FastifyBaseLogger
}

/** 404 for an unknown registration's id, as a path wrote it or as a number. */
export const registrationNotFound = (id: string | number) => new AppError('not_found', `IdP operation Not found: no unknown registration ${show(String(id))}`)
/** 404 for a pending deletion's id, likewise. */
export const deletionNotFound = (id: string | number) => new AppError('not_found', `IdP operation Not found: no pending deletion ${show(String(id))}`)

/** Which client a registration is for. */
export interface RegistrationTarget {
  readonly appId: number
  readonly clientTypeId: number
}

/** A client the IdP registered, not yet recorded: complete() in the recording transaction, or abandon(). */
export interface Registration {
  readonly managed: ManagedClient
  /** Removes the intent, in the transaction that records the client. */
  complete(trx: Db): Promise<void>
  /** The client could not be recorded: delete it at the IdP now or through the reconciler, forget the intent. */
  abandon(): Promise<void>
}

export class IdpOperationService {
  constructor (private readonly deps: IdpOperationServiceDeps) {}

  /** One RFC 7591 registration as a recorded saga. */
  async register (target: RegistrationTarget, connection: ProviderConnection, template: ClientTemplate, request: ClientRequest): Promise<Registration> {
    const { db } = this.deps
    await this.refuseOpenRegistration(target)
    const intent = await this.recordIntent(target, connection, request)
    const managed = await this.send(intent, connection, template, request)
    return {
      managed,
      complete: async (trx) => { await deleteRegistrationIntent(trx, intent.id) },
      abandon: async () => {
        // Registered but not recorded, so not manageable here: take it back rather than leave an orphan.
        await this.deleteOrRetryLater(connection, managed, 'registered but could not be recorded', clientLeaseKey(target.appId, target.clientTypeId)).catch((cleanup: unknown) => {
          this.deps.log.error({ err: cleanup, clientId: managed.clientId, correlationTag: request.correlationTag }, 'registered client could not be recorded nor deleted; its intent stays for the reconciler')
        })
        await deleteRegistrationIntent(db, intent.id).catch(() => { /* left in flight: the reconciler marks it unknown */ })
      }
    }
  }

  /** A verification canary's registration (issue 11 item 10): recorded as any other, for app and client type 0; never refused by an earlier one. */
  async registerCanary (connection: ProviderConnection, template: ClientTemplate, request: ClientRequest): Promise<CanaryRegistration> {
    const intent = await this.recordIntent({ appId: CANARY, clientTypeId: CANARY }, connection, request)
    return { managed: await this.send(intent, connection, template, request), intentId: intent.id }
  }

  /** Deletes a canary at once; one that cannot be deleted (now, or at all through the API) stays listed. True when deleted. */
  async deleteCanary (connection: ProviderConnection, canary: CanaryRegistration, supportsDelete: boolean): Promise<boolean> {
    let deleted = false
    if (supportsDelete) deleted = isGone(await this.deleteOrRetryLater(connection, canary.managed, 'verification canary', null))
    else await this.recordDeletion(connection.id, canary.managed, 'verification canary: this IdP type deletes no client through the API', null, NEVER)
    await deleteRegistrationIntent(this.deps.db, canary.intentId)
    return deleted
  }

  /**
   * Deletes a client at the IdP now, its tombstone written first (issue 11 item 2): the tombstone goes when
   * the IdP confirms, is retried by the reconciler when the call fails, and is finished by the reconciler
   * when this process dies meanwhile. A client no call can delete (no management offered, a refusal) is left
   * for an operator instead (issue 10 item 4). `leaseKey`: the lease the caller holds (null: none).
   */
  async deleteOrRetryLater (connection: ProviderConnection, client: ClientCredentials, reason: string, leaseKey: string | null): Promise<DeletionFate> {
    const gap = this.deps.engine.managementGap(connection, client)
    if (gap !== undefined) return await this.leaveForOperator(connection.id, client, reason, gap)
    const tombstone = await this.recordDeletion(connection.id, client, reason, null, this.inFlightUntil(leaseKey), leaseKey)
    return await this.deleteRecorded(tombstone, connection, client, reason)
  }

  /** Sends the DELETE a tombstone records: forgotten when done, otherwise left to the reconciler's backoff or, when no retry can succeed, to an operator. */
  async deleteRecorded (tombstone: number, connection: ProviderConnection, client: ClientCredentials, reason: string): Promise<DeletionFate> {
    const gap = this.deps.engine.managementGap(connection, client)
    if (gap !== undefined) return await this.handOver(tombstone, client, gap)
    try {
      const outcome = await this.deps.engine.remove(connection, client)
      this.deps.log.info({ clientId: client.clientId, providerId: connection.id, outcome, reason }, 'IdP client deleted')
      await deleteDeletion(this.deps.db, tombstone)
      return { clientId: client.clientId, outcome }
    } catch (error) {
      if (!(error instanceof IdpError)) throw error
      return await this.afterFailedDeletion(tombstone, client, error)
    }
  }

  /** The DELETE a tombstone records failed: the reconciler retries it, or, when no retry can succeed, an operator deletes it by hand. */
  async afterFailedDeletion (tombstone: number, client: ClientCredentials, error: IdpError): Promise<DeletionFate> {
    if (cannotSucceedOnRetry(error)) return await this.handOver(tombstone, client, error.message)
    await rescheduleDeletion(this.deps.db, tombstone, { attempts: 0, next_attempt_at: this.timestamp(), last_error: error.message })
    return { clientId: client.clientId, outcome: 'retrying', deletionId: tombstone, why: error.message }
  }

  /** A client no call can delete: a tombstone that only an operator resolves, saying so. */
  async leaveForOperator (providerId: number, client: ClientCredentials, reason: string, why: string): Promise<DeletionFate> {
    return await this.handOver(await this.recordDeletion(providerId, client, reason, null, NEVER), client, why)
  }

  /** Turns a tombstone into an operator's item: never retried, its message saying what to do by hand. */
  async handOver (tombstone: number, client: ClientCredentials, why: string): Promise<DeletionFate> {
    await rescheduleDeletion(this.deps.db, tombstone, { attempts: 0, next_attempt_at: NEVER, last_error: byHandInstruction(client.clientId, why) })
    this.deps.log.warn({ clientId: client.clientId, deletionId: tombstone }, 'IdP client left for an operator to delete by hand')
    return { clientId: client.clientId, outcome: 'by_hand', deletionId: tombstone, why }
  }

  /** A tombstone in its own transaction; its id. */
  async recordDeletion (providerId: number, client: ClientCredentials, reason: string, lastError: string | null, nextAttemptAt: string, leaseKey: string | null = null): Promise<number> {
    return await this.deps.db.transaction().execute(async (trx) => await this.recordDeletionIn(trx, providerId, client, reason, lastError, nextAttemptAt, leaseKey))
  }

  /**
   * A tombstone: a client to delete at the IdP, its registration access token sealed. `nextAttemptAt` NEVER:
   * by hand; `leaseKey`: its DELETE is about to be sent by that lease's holder. In the caller's transaction.
   */
  async recordDeletionIn (trx: Db, providerId: number, client: ClientCredentials, reason: string, lastError: string | null, nextAttemptAt: string, leaseKey: string | null): Promise<number> {
    const row = await insertDeletion(trx, {
      provider_id: providerId,
      client_id: client.clientId,
      registration_access_token: null,
      registration_client_uri: client.registrationClientUri ?? null,
      reason,
      next_attempt_at: nextAttemptAt,
      last_error: lastError,
      created_at: this.timestamp(),
      lease_key: leaseKey
    })
    await setDeletionToken(trx, row.id, sealColumn(this.deps.box, DELETION_REGISTRATION_TOKEN, row.id, client.registrationAccessToken ?? null))
    return row.id
  }

  /** The DELETE a tombstone recorded was confirmed: forget it (in the transaction that drops the client's rows). */
  async forgetDeletion (db: Db, tombstone: number): Promise<void> {
    await deleteDeletion(db, tombstone)
  }

  /** What an operator sees: unknown registrations and pending deletions (GET /portal-api/idp-operations). */
  async list (): Promise<IdpOperations> {
    return {
      registrations: (await listRegistrations(this.deps.db)).map(toRegistrationRecord),
      deletions: (await listDeletions(this.deps.db)).map(toDeletionRecord)
    }
  }

  /** The operator has checked the IdP: forget an unknown registration (new ones are allowed again). */
  async resolveRegistration (id: number): Promise<void> {
    const row = await findRegistration(this.deps.db, id)
    if (row?.state !== 'unknown') throw registrationNotFound(id)
    await deleteRegistrationIntent(this.deps.db, row.id)
  }

  /** The operator has deleted the client at the IdP, or gives up: forget the tombstone. */
  async resolveDeletion (id: number): Promise<void> {
    const row = await findDeletion(this.deps.db, id)
    if (row === undefined) throw deletionNotFound(id)
    await deleteDeletion(this.deps.db, row.id)
  }

  /** The intent written before a registration POST (issue 5). */
  private async recordIntent (target: RegistrationTarget, connection: ProviderConnection, request: ClientRequest): Promise<IdpRegistrationRow> {
    const now = this.timestamp()
    return await insertRegistrationIntent(this.deps.db, {
      app_id: target.appId,
      client_type_id: target.clientTypeId,
      provider_id: connection.id,
      correlation_tag: request.correlationTag,
      state: 'in_flight',
      last_error: null,
      created_at: now,
      updated_at: now
    })
  }

  /** The registration POST under its intent: a refusal forgets the intent, an unknown outcome marks it for an operator. */
  private async send (intent: IdpRegistrationRow, connection: ProviderConnection, template: ClientTemplate, request: ClientRequest): Promise<ManagedClient> {
    try {
      return await this.deps.engine.register(connection, template, request)
    } catch (error) {
      if (!isOutcomeUnknown(error)) {
        await deleteRegistrationIntent(this.deps.db, intent.id) // the IdP answered: nothing was created
        throw error
      }
      const message = `${error.message}; the registration's outcome is unknown (correlation tag ${request.correlationTag}): it is recorded for an operator and will not be sent again`
      await markRegistrationUnknown(this.deps.db, intent.id, message, this.timestamp())
      throw new IdpError(error.stage, message, error)
    }
  }

  /**
   * Refuses a registration while an earlier one for the app and client type is not recorded (issue 5). The
   * caller holds their lease, so an intent still in flight was left by a process that died (issue 11 item 5).
   */
  private async refuseOpenRegistration (target: RegistrationTarget): Promise<void> {
    const open = await findOpenRegistration(this.deps.db, target.appId, target.clientTypeId)
    if (open === undefined) return
    if (open.state === 'in_flight') await markInFlightUnknown(this.deps.db, open.id, SENDER_DIED, this.timestamp())
    throw new AppError('conflict_busy', `an earlier registration for app ${target.appId} and client type ${target.clientTypeId} has an unknown outcome: ` +
      `look for a client named "… [${open.correlation_tag}]" at the IdP, delete it there, then DELETE /portal-api/idp-operations/registrations/${open.id}`)
  }

  /** When the reconciler may take over a tombstone's DELETE: at once once its lease is free; without a lease, after a grace. */
  private inFlightUntil (leaseKey: string | null): string {
    return new Date(this.deps.now().getTime() + (leaseKey === null ? IN_FLIGHT_GRACE_MS : 0)).toISOString()
  }

  private timestamp (): string {
    return this.deps.now().toISOString()
  }
}

/**
 * Whether the IdP may have created the client although the call failed: a timeout, an answer cut short or
 * unreadable, or a server error. Refused connections and OAuth error answers created nothing.
 */
function isOutcomeUnknown (error: unknown): error is IdpError {
  if (!(error instanceof IdpError)) return false
  if (['timeout', 'non_json', 'too_large', 'invalid_response'].includes(error.stage)) return true
  return error.stage === 'http_error' && (error.status ?? 0) >= 500
}

/** Whether a deletion's fate leaves no client at the IdP. */
function isGone (fate: DeletionFate): boolean {
  return fate.outcome === 'deleted' || fate.outcome === 'already_gone'
}
