import type { Db } from '../../db/database.ts'
import type { IdpDeletionRow, IdpRegistrationRow, NewIdpDeletionRow, NewIdpRegistrationRow } from '../../db/tables/idp-operation.table.ts'

export async function insertRegistrationIntent (db: Db, row: NewIdpRegistrationRow): Promise<IdpRegistrationRow> {
  return await db.insertInto('idp_registrations').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function markRegistrationUnknown (db: Db, id: number, lastError: string, updatedAt: string): Promise<void> {
  await db.updateTable('idp_registrations').set({ state: 'unknown', last_error: lastError, updated_at: updatedAt }).where('id', '=', id).execute()
}

export async function deleteRegistrationIntent (db: Db, id: number): Promise<void> {
  await db.deleteFrom('idp_registrations').where('id', '=', id).execute()
}

/** A registration of this app and client type whose outcome is unknown, if any. */
export async function findUnknownRegistration (db: Db, appId: number, clientTypeId: number): Promise<IdpRegistrationRow | undefined> {
  return await db.selectFrom('idp_registrations').selectAll()
    .where('app_id', '=', appId).where('client_type_id', '=', clientTypeId).where('state', '=', 'unknown').executeTakeFirst()
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

export async function listDueDeletions (db: Db, now: string, limit: number): Promise<IdpDeletionRow[]> {
  return await db.selectFrom('idp_deletions').selectAll().where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit).execute()
}

export async function listDeletions (db: Db): Promise<IdpDeletionRow[]> {
  return await db.selectFrom('idp_deletions').selectAll().orderBy('id').execute()
}

export async function rescheduleDeletion (db: Db, id: number, changes: { attempts: number; next_attempt_at: string; last_error: string }): Promise<void> {
  await db.updateTable('idp_deletions').set(changes).where('id', '=', id).execute()
}

export async function deleteDeletion (db: Db, id: number): Promise<void> {
  await db.deleteFrom('idp_deletions').where('id', '=', id).execute()
}
