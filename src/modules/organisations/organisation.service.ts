// Organisations (Tyk tag "Organisations"): each has a default team, made with it; deleting one moves its
// users to the Default Organisation, which a fresh service holds (migration 2026-12-04T0000) and which stays.
import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Clock } from '../../shared/time.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import { decodeOnto } from '../../shared/decode-onto.ts'
import { recordChange, type AuditSnapshot } from '../audit/audit.ts'
import type { OrganisationRow } from '../../db/tables/organisation.table.ts'
import { toMemberRecord } from './member.record.ts'
import {
  deleteOrganisation, findDefaultOrganisation, findOrganisation, insertOrganisation, listOrganisations, listUsersOf, moveUsers, updateOrganisation
} from './organisation.repository.ts'
import { toOrganisationRecord, toTeamRecord, type OrganisationRecord, type OrganisationWithMembers } from './organisation.record.ts'
import type { OrganisationInput, OrganisationPatch } from './organisation.schemas.ts'
import { findDefaultTeam, insertTeam, listAllTeams, withMemberIds } from './team.repository.ts'

/** 404 for an organisation id, as a path wrote it or as a number (the same text: ids are plain digits). */
export const organisationNotFound = (id: string | number) => new AppError('not_found', `Organisation Not found: organisation_id ${show(String(id))}`)

/** The organisation row, or 404. */
export async function getOrganisationRow (db: Db, id: number): Promise<OrganisationRow> {
  const row = await findOrganisation(db, id)
  if (row === undefined) throw organisationNotFound(id)
  return row
}

/** Tyk names an organisation's default team after it ("Default Organisation All users"). */
export const defaultTeamName = (organisationName: string) => `${organisationName} All users`

export interface OrganisationServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly snapshot: AuditSnapshot<OrganisationWithMembers>
}

export class OrganisationService {
  constructor (private readonly deps: OrganisationServiceDeps) {}

  async list (page: Page): Promise<OrganisationRecord[]> {
    return (await listOrganisations(this.deps.db, page)).map(toOrganisationRecord)
  }

  async create (input: OrganisationInput, ctx: WriteContext): Promise<OrganisationWithMembers> {
    const name = validName(input.Name)
    const now = this.deps.now().toISOString()
    return await this.deps.db.transaction().execute(async (trx) => {
      const row = await insertOrganisation(trx, { name, is_default: 0, created_at: now, updated_at: now })
      await insertTeam(trx, { organisation_id: row.id, name: defaultTeamName(name), is_default: 1, created_at: now, updated_at: now })
      const created = await withMembers(trx, row)
      await this.audit(trx, ctx, 'create', row.id, undefined, created)
      return created
    })
  }

  async get (id: number): Promise<OrganisationWithMembers> {
    return await withMembers(this.deps.db, await getOrganisationRow(this.deps.db, id))
  }

  /** Tyk PUT: only the name changes; an omitted Name keeps it. */
  async update (id: number, patch: OrganisationPatch, ctx: WriteContext): Promise<OrganisationWithMembers> {
    return await this.deps.db.transaction().execute(async (trx) => {
      const current = await withMembers(trx, await getOrganisationRow(trx, id))
      const name = validName(decodeOnto({ Name: current.name }, patch).Name)
      const row = await updateOrganisation(trx, id, { name, updated_at: this.deps.now().toISOString() })
      const after = row === undefined ? current : await withMembers(trx, row)
      await this.audit(trx, ctx, 'update', id, current, after)
      return after
    })
  }

  /** Tyk: the organisation goes, its users stay and move to the Default Organisation (into its default team). */
  async remove (id: number, ctx: WriteContext): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await withMembers(trx, await getOrganisationRow(trx, id))
      if (current.isDefault) {
        throw new AppError('invalid_state', `organisation ${id} ${show(current.name)} is the Default Organisation, where the users of a deleted organisation go: it cannot be deleted`)
      }
      const fallback = await findDefaultOrganisation(trx)
      await moveUsers(trx, id, fallback.id, (await findDefaultTeam(trx, fallback.id)).id, this.deps.now().toISOString())
      await deleteOrganisation(trx, id)
      await this.audit(trx, ctx, 'delete', id, current, undefined)
    })
  }

  private async audit (trx: Db, ctx: WriteContext, action: string, id: number, before?: OrganisationWithMembers, after?: OrganisationWithMembers): Promise<void> {
    await recordChange(trx, this.deps.snapshot, { actor: ctx.actor, at: this.deps.now(), action, resourceType: 'organisation', resourceId: id }, before, after)
  }
}

async function withMembers (db: Db, row: OrganisationRow): Promise<OrganisationWithMembers> {
  return {
    ...toOrganisationRecord(row),
    teams: (await withMemberIds(db, await listAllTeams(db, row.id))).map(toTeamRecord),
    users: (await listUsersOf(db, row.id)).map(toMemberRecord)
  }
}

/** A name as written, refused when blank (400, or 422 where Tyk answers 422). */
export function validName (name: string): string {
  if (name.trim() === '') throw new AppError('invalid_input', `Name must not be blank, got ${show(name)}`)
  return name
}
