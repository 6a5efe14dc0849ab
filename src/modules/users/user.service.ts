// Users (Tyk tag "Users"): admin users and API consumers (developers), the latter in an organisation
// and its teams. No password is kept here: people sign in through OpenID Connect (README).
import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Clock } from '../../shared/time.ts'
import type { Actor } from '../../shared/actor.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import { decodeOnto } from '../../shared/decode-onto.ts'
import { parseId } from '../../shared/ids.ts'
import { createInvitation, findInvitation } from '../../db/sign-up.ts'
import { recordAudit, recordChange, type AuditSnapshot } from '../audit/audit.ts'
import type { UserRow } from '../../db/tables/user.table.ts'
import { isAdminRole, toMemberRecord, type MemberRecord } from '../organisations/member.record.ts'
import { toTeamRecord } from '../organisations/organisation.record.ts'
import { findDefaultOrganisation, findOrganisation } from '../organisations/organisation.repository.ts'
import { findDefaultTeam, findTeams, findUsers, listTeamsOfUsers, setUserTeams, withMemberIds } from '../organisations/team.repository.ts'
import { countAppsOf, deleteUser, findUser, insertUser, listUsers, updateUser } from './user.repository.ts'
import { toUserRecord, type UserRecord } from './user.record.ts'
import type { UserInput, UserPatch } from './user.schemas.ts'

/** 404 for a user id, as a path wrote it or as a number (the same text: ids are plain digits). */
export const userNotFound = (id: string | number) => new AppError('not_found', `User Not found: user_id ${show(String(id))}`)

/** How long an invitation to sign up stays valid (README: 7 days). */
export const INVITATION_DAYS = 7

/** The user row, or 404. */
export async function getUserRow (db: Db, id: number): Promise<UserRow> {
  const row = await findUser(db, id)
  if (row === undefined) throw userNotFound(id)
  return row
}

/** A user's apps (apps import users, so the app service is handed over as this). */
export interface UserApps {
  /** Deletes each, as DELETE /apps/{id} does; `force`: an IdP that fails to delete a client does not stop it. */
  removeAllOfUser(userId: number, actor: Actor, force: boolean): Promise<void>
}

export interface UserServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly apps: UserApps
  readonly snapshot: AuditSnapshot<UserRecord>
}

export class UserService {
  constructor (private readonly deps: UserServiceDeps) {}

  /** `active`: only the active users, or only the inactive ones (who wait for approval under that policy). */
  async list (page: Page, active?: boolean): Promise<MemberRecord[]> {
    return (await listUsers(this.deps.db, page, active)).map(toMemberRecord)
  }

  /** These users, those that exist, in ID order (who asked for access, on a page of requests). */
  async members (ids: readonly number[]): Promise<MemberRecord[]> {
    return (await findUsers(this.deps.db, [...new Set(ids)])).map(toMemberRecord)
  }

  /** How many apps a user owns: deleting the user deletes them. */
  async countApps (id: number): Promise<number> {
    await getUserRow(this.deps.db, id)
    return await countAppsOf(this.deps.db, id)
  }

  /**
   * Issue 13 item 2: a developer invited to sign up. The user is made active (the invitation is the admin's
   * approval) with an invitation for their email, in one transaction; answers the code, shown once.
   */
  async invite (input: UserInput, ctx: WriteContext, days = INVITATION_DAYS): Promise<{ readonly user: UserRecord; readonly code: string; readonly expiresAt: string }> {
    if (input.Role !== undefined && isAdminRole(input.Role)) {
      throw new AppError('invalid_input', `Role must be a developer role (consumer-admin, consumer-team-member) for an invitation, got ${show(input.Role)}: admin users sign in as admins`)
    }
    const at = this.deps.now()
    return await this.deps.db.transaction().execute(async (trx) => {
      const user = await this.create({ ...input, Active: true }, ctx, trx)
      const code = await createInvitation(trx, { email: user.email, createdBy: ctx.actor.fingerprint, now: at, days })
      const expiresAt = (await findInvitation(trx, code, at))!.expires_at
      await recordAudit(trx, { actor: ctx.actor, at, action: 'invite', resourceType: 'user', resourceId: user.id, after: { Email: user.email, ExpiresAt: expiresAt } })
      return { user, code, expiresAt }
    })
  }

  /** `within`: the transaction of a larger change (an invitation); default its own. */
  async create (input: UserInput, ctx: WriteContext, within?: Db): Promise<UserRecord> {
    const now = this.deps.now().toISOString()
    const run = async (trx: Db) => {
      const fields = await validateUser(trx, input, undefined)
      const row = await insertUser(trx, { ...fields.row, created_at: now, updated_at: now })
      await setUserTeams(trx, row.id, fields.teams)
      const created = await record(trx, row)
      await this.audit(trx, ctx, 'create', row.id, undefined, created)
      return created
    }
    return within === undefined ? await this.deps.db.transaction().execute(run) : await run(within)
  }

  async get (id: number): Promise<UserRecord> {
    return await record(this.deps.db, await getUserRow(this.deps.db, id))
  }

  /** Tyk PUT: the body decoded onto the stored user (omitted fields keep their values). */
  async update (id: number, patch: UserPatch, ctx: WriteContext): Promise<UserRecord> {
    return await this.deps.db.transaction().execute(async (trx) => {
      const current = await record(trx, await getUserRow(trx, id))
      const fields = await validateUser(trx, decodeOnto({
        Email: current.email,
        First: current.first,
        Last: current.last,
        Active: current.active,
        OrganisationID: current.organisationId,
        Role: current.role,
        Provider: current.provider,
        ResetPassword: current.resetPassword
      }, patch), current)
      const row = await updateUser(trx, id, { ...fields.row, updated_at: this.deps.now().toISOString() })
      await setUserTeams(trx, id, fields.teams)
      const after = row === undefined ? current : await record(trx, row)
      await this.audit(trx, ctx, 'update', id, current, after)
      return after
    })
  }

  /**
   * Tyk: the user goes with all their apps, whose credentials are revoked at the IdP first. Without `force`
   * an IdP that fails stops it (502/504, the user stays); with it, what the IdP failed is left to the reconciler.
   */
  async remove (id: number, force: boolean, ctx: WriteContext): Promise<void> {
    await getUserRow(this.deps.db, id)
    try {
      await this.deps.apps.removeAllOfUser(id, ctx.actor, force)
    } catch (error) {
      if (!(error instanceof AppError) || error.code === 'not_found') throw error
      throw new AppError(error.code, [`user ${id} is not deleted: deleting one of their apps failed (delete with ?force=true to leave such IdP clients to the reconciler)`, ...error.messages],
        error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds })
    }
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await record(trx, await getUserRow(trx, id))
      const apps = await countAppsOf(trx, id)
      if (apps > 0) throw new AppError('conflict_busy', `user ${id} is not deleted: ${apps} app(s) of theirs were created meanwhile; delete the user again`)
      await deleteUser(trx, id)
      await this.audit(trx, ctx, 'delete', id, current, undefined)
    })
  }

  private async audit (trx: Db, ctx: WriteContext, action: string, id: number, before?: UserRecord, after?: UserRecord): Promise<void> {
    await recordChange(trx, this.deps.snapshot, { actor: ctx.actor, at: this.deps.now(), action, resourceType: 'user', resourceId: id }, before, after)
  }
}

async function record (db: Db, row: UserRow): Promise<UserRecord> {
  const organisation = row.organisation_id === null ? undefined : await findOrganisation(db, row.organisation_id)
  const teams = await withMemberIds(db, await listTeamsOfUsers(db, [row.id]))
  return toUserRecord(row, organisation?.name ?? '', teams.map(toTeamRecord))
}

// One "@" between a local part and a domain, no spaces: enough to catch a field written in the wrong place.
const EMAIL = /^[^\s@]+@[^\s@]+$/

const PASSWORD_REFUSED = 'Password is not accepted: this service keeps no password for portal users; they sign in through ' +
  'OpenID Connect (the embedded IdP, whose accounts have their own passwords, or a configured provider)'

/**
 * The row and the teams a body writes, every problem named. Admin users belong to no organisation
 * (Tyk answers OrganisationID 0) and no team; an API consumer's organisation defaults to the Default
 * Organisation, its teams to that organisation's default team (or, on PUT, to the teams it had there).
 */
type UserFields = Pick<UserInput, 'Email' | 'First' | 'Last' | 'Active' | 'OrganisationID' | 'Role' | 'Provider' | 'ResetPassword' | 'Teams' | 'Password'>

async function validateUser (db: Db, input: UserFields, current: UserRecord | undefined) {
  const problems: string[] = []
  if (input.Password !== undefined) problems.push(PASSWORD_REFUSED)
  if (!EMAIL.test(input.Email)) problems.push(`Email must be an email address (name@domain), got ${show(input.Email)}`)
  const role = input.Role ?? 'consumer-team-member'
  let organisationId: number | null = null
  let teams: number[] = []
  if (isAdminRole(role)) {
    if ((input.OrganisationID ?? 0) !== 0) problems.push(`OrganisationID must be 0 for an admin user (Role ${show(role)}), got ${show(input.OrganisationID)}`)
    if ((input.Teams ?? []).length > 0) problems.push(`Teams must be empty for an admin user (Role ${show(role)}): teams belong to the organisations of API consumers`)
  } else {
    const organisation = (input.OrganisationID ?? 0) === 0 ? await findDefaultOrganisation(db) : await findOrganisation(db, input.OrganisationID!)
    if (organisation === undefined) problems.push(`OrganisationID is not the ID of an organisation, got ${show(input.OrganisationID)}`)
    else {
      organisationId = organisation.id
      if (input.Teams !== undefined) teams = await teamsOf(db, organisation.id, input.Teams ?? [], problems)
      else if (current?.organisationId === organisation.id) teams = current.teams.map((team) => team.id)
      else teams = [(await findDefaultTeam(db, organisation.id)).id]
    }
  }
  if (problems.length > 0) throw new AppError('invalid_input', problems)
  return {
    teams,
    row: {
      email: input.Email,
      first_name: input.First ?? '',
      last_name: input.Last ?? '',
      role,
      provider: input.Provider ?? 'password',
      active: input.Active === true ? 1 : 0,
      reset_password: input.ResetPassword === true ? 1 : 0,
      organisation_id: organisationId
    }
  }
}

/** The team IDs a user's Teams names: teams of the user's organisation, each once. */
async function teamsOf (db: Db, organisationId: number, items: NonNullable<UserInput['Teams']>, problems: string[]): Promise<number[]> {
  const ids = items.map((item) => typeof item === 'number' ? item : typeof item === 'string' ? parseId(item) : item.ID)
  const known = await findTeams(db, ids.filter((id): id is number => id !== undefined))
  const teams: number[] = []
  ids.forEach((id, index) => {
    const team = known.find((candidate) => candidate.id === id)
    if (id === undefined) problems.push(`Teams[${index}] must be a team ID, got ${show(items[index])}`)
    else if (team === undefined) problems.push(`Teams[${index}] is not the ID of a team, got ${show(items[index])}`)
    else if (team.organisation_id !== organisationId) problems.push(`Teams[${index}]: team ${id} is a team of organisation ${team.organisation_id}, not of the user's organisation ${organisationId}`)
    else if (teams.includes(id)) problems.push(`Teams lists team ${id} more than once, got ${show(items[index])} at position ${index + 1}`)
    else teams.push(id)
  })
  return teams
}
