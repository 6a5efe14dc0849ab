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
import { readSignUpPolicy } from '../../db/sign-up.ts'
import { countAppsOf, deleteUser, findUser, findUserByEmail, findUserBySubject, insertUser, linkUser, listUsers, updateUser } from './user.repository.ts'
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

/** Who an OpenID Connect sign-in to the developer portal says signed in (issue 13 item 2). */
export interface SignedInPerson {
  /** "<iss> <sub>": unique across providers. */
  readonly subject: string
  readonly email: string | undefined
  /** The provider vouches for the address (OpenID Connect Core §5.1 email_verified): only then may it claim a user an admin made. */
  readonly emailVerified: boolean
  readonly first: string
  readonly last: string
}

/** How a developer who signs in is made a portal user (Tyk's Provider field names how a user signs in). */
export const SIGNED_IN_PROVIDER = 'openid-connect'

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
      const user = await this.insert(trx, { ...input, Active: true }, null, ctx)
      const code = await createInvitation(trx, { email: user.email, createdBy: ctx.actor.fingerprint, now: at, days })
      const expiresAt = (await findInvitation(trx, code, at))!.expires_at
      await recordAudit(trx, { actor: ctx.actor, at, action: 'invite', resourceType: 'user', resourceId: user.id, after: { Email: user.email, ExpiresAt: expiresAt } })
      return { user, code, expiresAt }
    })
  }

  async create (input: UserInput, ctx: WriteContext): Promise<UserRecord> {
    return await this.deps.db.transaction().execute(async (trx) => await this.insert(trx, input, null, ctx))
  }

  async get (id: number): Promise<UserRecord> {
    return await record(this.deps.db, await getUserRow(this.deps.db, id))
  }

  /** The user someone signs in as, if they ever signed in to the developer portal (or were linked then). */
  async findBySubject (subject: string): Promise<UserRecord | undefined> {
    const row = await findUserBySubject(this.deps.db, subject)
    return row === undefined ? undefined : await record(this.deps.db, row)
  }

  /**
   * The portal user a person signs in to the developer portal as (issue 13 item 2): the one linked to their
   * subject; else the one an admin created or invited with their address, when their provider vouches for
   * it, now linked; else a new consumer-team-member of the Default Organisation (its default team), active
   * unless the sign-up policy asks for an admin's approval. A refusal says, in words, what to do.
   */
  async signIn (person: SignedInPerson, ctx: WriteContext): Promise<UserRecord> {
    const linked = await this.findBySubject(person.subject)
    if (linked !== undefined) return linked
    const now = this.deps.now().toISOString()
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        if (person.email === undefined) throw new AppError('invalid_input', NO_EMAIL)
        const known = await findUserByEmail(trx, person.email)
        if (known === undefined) {
          const policy = await readSignUpPolicy(trx)
          return await this.insert(trx, {
            Email: person.email, First: person.first, Last: person.last, Active: policy !== 'approval', Role: 'consumer-team-member', Provider: SIGNED_IN_PROVIDER
          }, person.subject, ctx)
        }
        if (known.subject !== null) throw new AppError('conflict_taken', `The address ${show(person.email)} belongs to a portal user who signs in with another account: sign in with that account, or ask an admin of the portal.`)
        if (!person.emailVerified) {
          throw new AppError('conflict_taken', `The address ${show(person.email)} belongs to a portal user an admin created, and your identity provider does not confirm that it is yours: ask an admin of the portal for an invitation to that address.`)
        }
        const row = await linkUser(trx, known.id, person.subject, now)
        if (row === undefined) throw new AppError('conflict_taken', `user ${known.id} was linked to another sign-in meanwhile`)
        await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'link', resourceType: 'user', resourceId: row.id, before: { Subject: null }, after: { Subject: person.subject } })
        return await record(trx, row)
      })
    } catch (error) {
      // The same new person signing in twice at once: the other sign-in linked or created the user.
      const raced = error instanceof AppError && error.code === 'conflict_taken' ? await this.findBySubject(person.subject) : undefined
      if (raced === undefined) throw error
      return raced
    }
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

  /** A new user and its teams, the rules of POST /users checked; `subject`: who signs in as it (null: nobody yet). */
  private async insert (trx: Db, input: UserFields, subject: string | null, ctx: WriteContext): Promise<UserRecord> {
    const now = this.deps.now().toISOString()
    const fields = await validateUser(trx, input, undefined)
    const row = await insertUser(trx, { ...fields.row, subject, created_at: now, updated_at: now })
    await setUserTeams(trx, row.id, fields.teams)
    const created = await record(trx, row)
    await this.audit(trx, ctx, 'create', row.id, undefined, created)
    return created
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

const NO_EMAIL = 'Your account at the identity provider has no email address, which the developer portal needs (it is how admins know you): ' +
  'add one there, or ask an admin of the portal to invite you.'

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
