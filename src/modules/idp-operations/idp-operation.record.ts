import type { IdpDeletionRow, IdpRegistrationRow } from '../../db/tables/idp-operation.table.ts'

/** The next attempt of a tombstone that only an operator can resolve. */
export const NEVER = '9999-12-31T23:59:59.999Z'

/** How long a call in flight without a lease (a canary) is left to its sender: well past the gate's timeouts. */
export const IN_FLIGHT_GRACE_MS = 2 * 60_000

/** The app and client type ids of a verification canary's intent: it belongs to no app and holds no lease. */
export const CANARY = 0

/** Why an intent is no longer in flight although nothing answered it. */
export const SENDER_DIED = 'the service stopped while this registration was in flight'

/** The lease that serialises every call for one app's IdP client of a client type (src/db/leases.ts, issue 11 item 4). */
export function clientLeaseKey (appId: number, clientTypeId: number): string {
  return `oauth-client:${appId}:${clientTypeId}`
}

/** A registration intent in domain terms: sent, and its outcome not yet recorded (in flight) or unknown. */
export interface RegistrationRecord {
  readonly id: number
  readonly providerId: number
  readonly appId: number
  readonly clientTypeId: number
  /** Sent to the IdP in client_name, so that an operator can find the client. */
  readonly correlationTag: string
  readonly state: IdpRegistrationRow['state']
  readonly lastError: string | null
  readonly createdAt: string // ISO 8601, UTC
}

/** A tombstone in domain terms: a client still to delete at an IdP. */
export interface DeletionRecord {
  readonly id: number
  readonly providerId: number
  readonly clientId: string
  readonly reason: string
  readonly attempts: number
  /** ISO 8601, UTC; null when only an operator can resolve it. */
  readonly nextAttemptAt: string | null
  readonly lastError: string | null
  readonly createdAt: string
}

/**
 * What became of a client that had to go at the IdP (issue 10 item 4: answers say what really happened):
 * deleted (or already gone), left to the reconciler's retries, or left for an operator to delete by hand.
 * The last two name their tombstone in GET /portal-api/idp-operations.
 */
export type DeletionFate =
  | { readonly clientId: string; readonly outcome: 'deleted' | 'already_gone' }
  | { readonly clientId: string; readonly outcome: 'retrying' | 'by_hand'; readonly deletionId: number; readonly why: string }

/** The fate in words, for an answer's message. */
export function describeFate (fate: DeletionFate): string {
  switch (fate.outcome) {
    case 'deleted': return `client ${fate.clientId} is deleted at the IdP`
    case 'already_gone': return `client ${fate.clientId} was already gone at the IdP`
    case 'retrying': return `client ${fate.clientId} is NOT deleted at the IdP yet (${fate.why}): the portal retries (IdP operation deletion ${fate.deletionId})`
    case 'by_hand': return `client ${fate.clientId} stays active at the IdP until someone deletes it there by hand (${fate.why}): listed in GET /portal-api/idp-operations as deletion ${fate.deletionId}`
  }
}

/** The operator's instruction stored with a tombstone only a person can resolve. */
export function byHandInstruction (clientId: string, why: string): string {
  return `${why}: delete client ${clientId} at the IdP by hand, then DELETE /portal-api/idp-operations/deletions/<this entry's ID>`
}

/** What the saga could not finish on its own, for an operator. */
export interface IdpOperations {
  readonly registrations: readonly RegistrationRecord[]
  readonly deletions: readonly DeletionRecord[]
}

export function toRegistrationRecord (row: IdpRegistrationRow): RegistrationRecord {
  return {
    id: row.id,
    providerId: row.provider_id,
    appId: row.app_id,
    clientTypeId: row.client_type_id,
    correlationTag: row.correlation_tag,
    state: row.state,
    lastError: row.last_error,
    createdAt: row.created_at
  }
}

export function toDeletionRecord (row: IdpDeletionRow): DeletionRecord {
  return {
    id: row.id,
    providerId: row.provider_id,
    clientId: row.client_id,
    reason: row.reason,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at === NEVER ? null : row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at
  }
}
