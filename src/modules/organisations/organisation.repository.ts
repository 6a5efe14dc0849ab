import { show } from '../../errors.ts'
import { uniqueOrConflict, type Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { NewOrganisationRow, OrganisationChanges, OrganisationRow } from '../../db/tables/organisation.table.ts'
import type { UserRow } from '../../db/tables/user.table.ts'

export async function listOrganisations (db: Db, page: Page): Promise<OrganisationRow[]> {
  const at = await seek(db, 'organisations', 0, page.offset)
  if (at === undefined) return []
  return await db.selectFrom('organisations').selectAll().where('id', '>=', at.fromId).orderBy('id').limit(page.limit).offset(at.skip).execute()
}

export async function findOrganisation (db: Db, id: number): Promise<OrganisationRow | undefined> {
  return await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The Default Organisation (migration 2026-12-04T0000 makes it; it cannot be deleted). */
export async function findDefaultOrganisation (db: Db): Promise<OrganisationRow> {
  return await db.selectFrom('organisations').selectAll().where('is_default', '=', 1).executeTakeFirstOrThrow()
}

export async function insertOrganisation (db: Db, row: NewOrganisationRow): Promise<OrganisationRow> {
  return await uniqueOrConflict(db.insertInto('organisations').values(row).returningAll().executeTakeFirstOrThrow(), nameTaken(row.name))
}

export async function updateOrganisation (db: Db, id: number, changes: OrganisationChanges): Promise<OrganisationRow | undefined> {
  return await uniqueOrConflict(db.updateTable('organisations').set(changes).where('id', '=', id).returningAll().executeTakeFirst(), nameTaken(changes.name))
}

export async function deleteOrganisation (db: Db, id: number): Promise<void> {
  await db.deleteFrom('organisations').where('id', '=', id).execute()
}

const nameTaken = (name: unknown) => `Name ${show(name)} is already used by another organisation`

/** The users of an organisation, in ID order. */
export async function listUsersOf (db: Db, organisationId: number): Promise<UserRow[]> {
  return await db.selectFrom('users').selectAll().where('organisation_id', '=', organisationId).orderBy('id').execute()
}

/** Moves every user of an organisation to another one, into its team `teamId` (their old teams go with their organisation). */
export async function moveUsers (db: Db, from: number, to: number, teamId: number, updatedAt: string): Promise<void> {
  const moved = db.selectFrom('users').select('id').where('organisation_id', '=', from)
  await db.insertInto('user_teams').columns(['user_id', 'team_id']).expression(moved.select((eb) => eb.val(teamId).as('team_id')))
    .onConflict((oc) => oc.columns(['user_id', 'team_id']).doNothing()).execute()
  await db.updateTable('users').set({ organisation_id: to, updated_at: updatedAt }).where('organisation_id', '=', from).execute()
}
