import type { Generated, Insertable, Selectable } from 'kysely'

/** A registration about to be sent (issue 5); left behind, its outcome is unknown. */
export interface IdpRegistrationTable {
  id: Generated<number>
  provider_id: number
  app_id: number
  client_type_id: number
  correlation_tag: string
  state: 'in_flight' | 'unknown'
  last_error: string | null
  created_at: string
  updated_at: string
}

/** A client still to delete at the IdP, retried with backoff until done. */
export interface IdpDeletionTable {
  id: Generated<number>
  provider_id: number
  client_id: string
  registration_access_token: string | null // sealed
  registration_client_uri: string | null
  reason: string
  attempts: Generated<number>
  next_attempt_at: string
  last_error: string | null
  created_at: string
  /** While the DELETE is in flight: the lease its sender holds (issue 11 item 2); null once it failed or for no lease. */
  lease_key: string | null
}

export type IdpRegistrationRow = Selectable<IdpRegistrationTable>
export type NewIdpRegistrationRow = Insertable<IdpRegistrationTable>
export type IdpDeletionRow = Selectable<IdpDeletionTable>
export type NewIdpDeletionRow = Insertable<IdpDeletionTable>
