import { show } from '../../errors.ts'
import { uniqueOrConflict, type Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { NewTeamRow, TeamChanges, TeamRow } from '../../db/tables/organisation.table.ts'
import type { UserRow } from '../../db/tables/user.table.ts'

export async function listTeams (db: Db, organisationId: number, page: Page): Promise<TeamRow[]> {
  const at = await seek(db, 'teams', organisationId, page.offset)
  if (at === undefined) return []
  return await db.selectFrom('teams').selectAll().where('organisation_id', '=', organisationId).where('id', '>=', at.fromId)
    .orderBy('id').limit(page.limit).offset(at.skip).execute()
}

export async function listAllTeams (db: Db, organisationId: number): Promise<TeamRow[]> {
  return await db.selectFrom('teams').selectAll().where('organisation_id', '=', organisationId).orderBy('id').execute()
}

export async function findTeam (db: Db, id: number): Promise<TeamRow | undefined> {
  return await db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findTeams (db: Db, ids: readonly number[]): Promise<TeamRow[]> {
  if (ids.length === 0) return []
  return await db.selectFrom('teams').selectAll().where('id', 'in', [...ids]).orderBy('id').execute()
}

export async function findDefaultTeam (db: Db, organisationId: number): Promise<TeamRow> {
  return await db.selectFrom('teams').selectAll().where('organisation_id', '=', organisationId).where('is_default', '=', 1).executeTakeFirstOrThrow()
}

export async function insertTeam (db: Db, row: NewTeamRow): Promise<TeamRow> {
  return await uniqueOrConflict(db.insertInto('teams').values(row).returningAll().executeTakeFirstOrThrow(), nameTaken(row.name))
}

export async function updateTeam (db: Db, id: number, changes: TeamChanges): Promise<TeamRow | undefined> {
  return await uniqueOrConflict(db.updateTable('teams').set(changes).where('id', '=', id).returningAll().executeTakeFirst(), nameTaken(changes.name))
}

export async function deleteTeam (db: Db, id: number): Promise<void> {
  await db.deleteFrom('teams').where('id', '=', id).execute()
}

const nameTaken = (name: unknown) => `Name ${show(name)} is already used by another team of this organisation`

// Memberships: which users are in which teams (a user's teams are of the user's organisation).

export type TeamWithMembers = TeamRow & { readonly user_ids: readonly number[] }

/** The teams with their members' IDs (in user ID order). */
export async function withMemberIds (db: Db, teams: readonly TeamRow[]): Promise<TeamWithMembers[]> {
  if (teams.length === 0) return []
  const rows = await db.selectFrom('user_teams').select(['team_id', 'user_id']).where('team_id', 'in', teams.map((team) => team.id)).orderBy('user_id').execute()
  return teams.map((team) => ({ ...team, user_ids: rows.filter((row) => row.team_id === team.id).map((row) => row.user_id) }))
}

/** The teams of these users, in team ID order. */
export async function listTeamsOfUsers (db: Db, userIds: readonly number[]): Promise<Array<TeamRow & { user_id: number }>> {
  if (userIds.length === 0) return []
  return await db.selectFrom('user_teams').innerJoin('teams', 'teams.id', 'user_teams.team_id')
    .selectAll('teams').select('user_teams.user_id').where('user_teams.user_id', 'in', [...userIds]).orderBy('teams.id').execute()
}

/** Makes these users, and only them, the members of a team. */
export async function setTeamMembers (db: Db, teamId: number, userIds: readonly number[]): Promise<void> {
  await db.deleteFrom('user_teams').where('team_id', '=', teamId).execute()
  await addTeamMembers(db, teamId, userIds)
}

/** Adds users to a team; a member already there stays once. */
export async function addTeamMembers (db: Db, teamId: number, userIds: readonly number[]): Promise<void> {
  if (userIds.length === 0) return
  await db.insertInto('user_teams').values(userIds.map((userId) => ({ user_id: userId, team_id: teamId })))
    .onConflict((oc) => oc.columns(['user_id', 'team_id']).doNothing()).execute()
}

/** Makes these teams, and only them, a user's teams. */
export async function setUserTeams (db: Db, userId: number, teamIds: readonly number[]): Promise<void> {
  await db.deleteFrom('user_teams').where('user_id', '=', userId).execute()
  if (teamIds.length > 0) await db.insertInto('user_teams').values(teamIds.map((teamId) => ({ user_id: userId, team_id: teamId }))).execute()
}

/** Users by ID, to check the ones a team's Users names. */
export async function findUsers (db: Db, ids: readonly number[]): Promise<UserRow[]> {
  if (ids.length === 0) return []
  return await db.selectFrom('users').selectAll().where('id', 'in', [...ids]).orderBy('id').execute()
}
