import type { Db } from '../../db/database.ts'
import { preparedQuery } from '../../db/prepared.ts'
import type { IdpDeletionRow, IdpRegistrationRow, NewIdpDeletionRow, NewIdpRegistrationRow } from '../../db/tables/idp-operation.table.ts'

export async function insertRegistrationIntent (db: Db, row: NewIdpRegistrationRow): Promise<IdpRegistrationRow> {
  return await db.insertInto('idp_registrations').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function markRegistrationUnknown (db: Db, id: number, lastError: string, updatedAt: string): Promise<void> {
  await db.updateTable('idp_registrations').set({ state: 'unknown', last_error: lastError, updated_at: updatedAt }).where('id', '=', id).execute()
}

export async function deleteRegistrationIntent (db: Db, id: number): Promise<void> {
  await intentDelete(db, id)
}

// Compiled once, as the read below: both run on every registration (approve's profile).
const intentDelete = preparedQuery((db: Db, id: number) => db.deleteFrom('idp_registrations').where('id', '=', id))

/** A registration of this app and client type not yet recorded (in flight or unknown), if any. */
export async function findOpenRegistration (db: Db, appId: number, clientTypeId: number): Promise<IdpRegistrationRow | undefined> {
  return (await openRegistrations(db, appId, clientTypeId))[0]
}

const openRegistrations = preparedQuery((db: Db, appId: number, clientTypeId: number) => db.selectFrom('idp_registrations').selectAll()
  .where('app_id', '=', appId).where('client_type_id', '=', clientTypeId).orderBy('id'))

/** An in-flight intent whose sender is known dead becomes unknown; false when it is no longer in flight. */
export async function markInFlightUnknown (db: Db, id: number, lastError: string, updatedAt: string): Promise<boolean> {
  const result = await db.updateTable('idp_registrations').set({ state: 'unknown', last_error: lastError, updated_at: updatedAt })
    .where('id', '=', id).where('state', '=', 'in_flight').executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function listInFlightRegistrations (db: Db): Promise<IdpRegistrationRow[]> {
  return await db.selectFrom('idp_registrations').selectAll().where('state', '=', 'in_flight').orderBy('id').execute()
}

/** Intents still "in flight" since before `olderThan`: their process died mid-call. */
export async function markStaleRegistrationsUnknown (db: Db, olderThan: string, now: string): Promise<number> {
  const result = await db.updateTable('idp_registrations')
    .set({ state: 'unknown', last_error: 'the service stopped while this registration was in flight', updated_at: now })
    .where('state', '=', 'in_flight').where('created_at', '<', olderThan).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export async function listRegistrations (db: Db): Promise<IdpRegistrationRow[]> {
  return await db.selectFrom('idp_registrations').selectAll().orderBy('id').execute()
}

export async function insertDeletion (db: Db, row: NewIdpDeletionRow): Promise<IdpDeletionRow> {
  return await db.insertInto('idp_deletions').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function setDeletionToken (db: Db, id: number, sealedToken: string | null): Promise<void> {
  await db.updateTable('idp_deletions').set({ registration_access_token: sealedToken }).where('id', '=', id).execute()
}

export async function findRegistration (db: Db, id: number): Promise<IdpRegistrationRow | undefined> {
  return await db.selectFrom('idp_registrations').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findDeletion (db: Db, id: number): Promise<IdpDeletionRow | undefined> {
  return await db.selectFrom('idp_deletions').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Tombstones due for a retry; one whose DELETE is in flight under a lease is its sender's until that lease is free. */
export async function listDueDeletions (db: Db, now: string, limit: number): Promise<IdpDeletionRow[]> {
  return await db.selectFrom('idp_deletions').selectAll().where('next_attempt_at', '<=', now).where('lease_key', 'is', null)
    .orderBy('next_attempt_at').limit(limit).execute()
}

/** Tombstones whose DELETE was sent (or about to be) by a lease holder: finished, or left by a dead one. */
export async function listInFlightDeletions (db: Db, limit: number): Promise<IdpDeletionRow[]> {
  return await db.selectFrom('idp_deletions').selectAll().where('lease_key', 'is not', null).orderBy('id').limit(limit).execute()
}

/** A client the IdP no longer knows is held by nothing: its row and credentials go (a deletion a dead process began). */
export async function deleteHeldClient (db: Db, providerId: number, clientId: string): Promise<void> {
  const held = db.selectFrom('oauth_clients').select('id').where('provider_id', '=', providerId).where('client_id', '=', clientId)
  await db.deleteFrom('credentials').where('oauth_client_id', 'in', held).execute()
  await db.deleteFrom('oauth_clients').where('provider_id', '=', providerId).where('client_id', '=', clientId).execute()
}

export async function listDeletions (db: Db): Promise<IdpDeletionRow[]> {
  return await db.selectFrom('idp_deletions').selectAll().orderBy('id').execute()
}

/** After a failed attempt: retried by the reconciler from then on (no longer in flight under a lease). */
export async function rescheduleDeletion (db: Db, id: number, changes: { attempts: number; next_attempt_at: string; last_error: string }): Promise<void> {
  await db.updateTable('idp_deletions').set({ ...changes, lease_key: null }).where('id', '=', id).execute()
}

export async function deleteDeletion (db: Db, id: number): Promise<void> {
  await db.deleteFrom('idp_deletions').where('id', '=', id).execute()
}
