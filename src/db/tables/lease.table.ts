/**
 * A lease: who may act on `key` (an IdP client, the reconciler) until `expires_at`. Rows are never
 * deleted, so `fence` only grows: a save checks it, and a holder that was taken over is refused.
 */
export interface LeaseTable {
  key: string
  /** process id and a random part, of the Leases instance holding it */
  owner: string
  /** incremented on every acquisition */
  fence: number
  /** ISO 8601, UTC; a released lease expires at the epoch */
  expires_at: string
}
