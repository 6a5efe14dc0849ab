// Teams of an organisation (Tyk tag "Teams"). The default team of each organisation is where its new users
// go, and where the members of a deleted team move; it cannot be deleted itself.
import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Clock } from '../../shared/time.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import { decodeOnto } from '../../shared/decode-onto.ts'
import { parseId } from '../../shared/ids.ts'
import { recordChange, type AuditSnapshot } from '../audit/audit.ts'
import type { TeamRow } from '../../db/tables/organisation.table.ts'
import { toTeamRecord, type TeamRecord } from './organisation.record.ts'
import { getOrganisationRow, validName } from './organisation.service.ts'
import {
  addTeamMembers, deleteTeam, findDefaultTeam, findTeam, findUsers, insertTeam, listTeams, setTeamMembers, updateTeam, withMemberIds
} from './team.repository.ts'
import type { TeamInput, TeamPatch } from './team.schemas.ts'

/** 404 for a team id of an organisation, as a path wrote it or as a number. */
export const teamNotFound = (id: string | number, organisationId: number) =>
  new AppError('not_found', `Team Not found: team_id ${show(String(id))} of organisation_id ${show(String(organisationId))}`)

export interface TeamServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly snapshot: AuditSnapshot<TeamRecord>
}

export class TeamService {
  constructor (private readonly deps: TeamServiceDeps) {}

  async list (organisationId: number, page: Page): Promise<TeamRecord[]> {
    await getOrganisationRow(this.deps.db, organisationId)
    return (await withMemberIds(this.deps.db, await listTeams(this.deps.db, organisationId, page))).map(toTeamRecord)
  }

  async create (organisationId: number, input: TeamInput, ctx: WriteContext): Promise<TeamRecord> {
    const name = validName(input.Name)
    const now = this.deps.now().toISOString()
    return await this.deps.db.transaction().execute(async (trx) => {
      const organisation = await getOrganisationRow(trx, organisationId)
      const created = await record(trx, await insertTeam(trx, { organisation_id: organisation.id, name, is_default: 0, created_at: now, updated_at: now }))
      await this.audit(trx, ctx, 'create', created.id, undefined, created)
      return created
    })
  }

  async get (organisationId: number, id: number): Promise<TeamRecord> {
    return await record(this.deps.db, await getTeamRow(this.deps.db, organisationId, id))
  }

  /** Tyk PUT: a new name, and the members (users of this organisation); omitted fields keep their values. */
  async update (organisationId: number, id: number, patch: TeamPatch, ctx: WriteContext): Promise<TeamRecord> {
    return await this.deps.db.transaction().execute(async (trx) => {
      const current = await record(trx, await getTeamRow(trx, organisationId, id))
      const input = decodeOnto({ Name: current.name }, patch)
      const problems: string[] = []
      if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
      const members = input.Users === undefined ? undefined : await checkMembers(trx, current.organisationId, input.Users ?? [], problems)
      if (problems.length > 0) throw new AppError('invalid_input', problems)
      await updateTeam(trx, id, { name: input.Name, updated_at: this.deps.now().toISOString() })
      if (members !== undefined) await setTeamMembers(trx, id, members)
      const after = await record(trx, await getTeamRow(trx, organisationId, id))
      await this.audit(trx, ctx, 'update', id, current, after)
      return after
    })
  }

  /** Tyk: the team goes, its members stay in the organisation and move to its default team. */
  async remove (organisationId: number, id: number, ctx: WriteContext): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await record(trx, await getTeamRow(trx, organisationId, id))
      if (current.isDefault) {
        throw new AppError('invalid_state', `team ${id} ${show(current.name)} is the default team of organisation ${organisationId}, where the members of a deleted team go: it cannot be deleted`)
      }
      await addTeamMembers(trx, (await findDefaultTeam(trx, organisationId)).id, current.userIds)
      await deleteTeam(trx, id)
      await this.audit(trx, ctx, 'delete', id, current, undefined)
    })
  }

  /** The 404 of a team id that cannot name a row (as the path wrote it): the organisation's own 404 first. */
  async notFound (organisationId: number, rawId: string): Promise<AppError> {
    await getOrganisationRow(this.deps.db, organisationId)
    return teamNotFound(rawId, organisationId)
  }

  private async audit (trx: Db, ctx: WriteContext, action: string, id: number, before?: TeamRecord, after?: TeamRecord): Promise<void> {
    await recordChange(trx, this.deps.snapshot, { actor: ctx.actor, at: this.deps.now(), action, resourceType: 'team', resourceId: id }, before, after)
  }
}

/** The team row of an organisation: the organisation's 404 first, then the team's unless it is one of its. */
export async function getTeamRow (db: Db, organisationId: number, id: number): Promise<TeamRow> {
  await getOrganisationRow(db, organisationId)
  const row = await findTeam(db, id)
  if (row?.organisation_id !== organisationId) throw teamNotFound(id, organisationId)
  return row
}

async function record (db: Db, row: TeamRow): Promise<TeamRecord> {
  const [team] = await withMemberIds(db, [row])
  return toTeamRecord(team!)
}

/** The user IDs a team's Users names: each a user of the team's organisation, once. */
async function checkMembers (db: Db, organisationId: number, items: ReadonlyArray<number | string>, problems: string[]): Promise<number[]> {
  const ids = items.map((item) => typeof item === 'number' ? item : parseId(item.slice('User#'.length)))
  const users = await findUsers(db, ids.filter((id): id is number => id !== undefined))
  const members: number[] = []
  ids.forEach((id, index) => {
    const user = users.find((candidate) => candidate.id === id)
    if (id === undefined || user === undefined) problems.push(`Users[${index}] is not the ID of a user, got ${show(items[index])}`)
    else if (user.organisation_id !== organisationId) problems.push(`Users[${index}]: user ${id} belongs to ${user.organisation_id === null ? 'no organisation (an admin user)' : `organisation ${user.organisation_id}`}, not to organisation ${organisationId}`)
    else if (members.includes(id)) problems.push(`Users lists user ${id} more than once, got ${show(items[index])} at position ${index + 1}`)
    else members.push(id)
  })
  return members
}
