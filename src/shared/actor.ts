/** Who made a change, and in which request (for the service log). Built by the HTTP layer, passed down. */
export interface Actor {
  /** First 12 hex characters of the SHA-256 of the admin token. */
  readonly fingerprint: string
  readonly requestId: string
}

/** A process-internal actor (start-up tasks, the reconciler). */
export const SYSTEM_ACTOR: Actor = { fingerprint: 'system', requestId: '' }
