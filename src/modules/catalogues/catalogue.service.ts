// Catalogues (Tyk tag "Catalogues"): the products and plans offered together, to everyone (Public) or to
// their audiences (Private), and the names products and plans answer in their Catalogues.
import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Clock } from '../../shared/time.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import { decodeOnto } from '../../shared/decode-onto.ts'
import { resolveIdsOrNames, splitIdsAndNames } from '../../shared/ids-or-names.ts'
import { recordChange, type AuditSnapshot } from '../audit/audit.ts'
import type { CatalogueRow } from '../../db/tables/catalogue.table.ts'
import { findDefaultTeam, findTeam } from '../organisations/team.repository.ts'
import { findOrganisation } from '../organisations/organisation.repository.ts'
import { insertAudience, listAllAudiences } from './audience.repository.ts'
import {
  deleteCatalogue, findCatalogue, findNamed, insertCatalogue, listCatalogues, listOffered, listVisibleCatalogues, offerTable, setOffered, updateCatalogue, type Offer
} from './catalogue.repository.ts'
import { toAudienceRecord, toCatalogueRecord, type CatalogueRecord, type CatalogueWithContents } from './catalogue.record.ts'
import type { AudienceInput, CatalogueInput, CataloguePatch } from './catalogue.schemas.ts'

/** 404 for a catalogue id, as a path wrote it or as a number (the same text: ids are plain digits). */
export const catalogueNotFound = (id: string | number) => new AppError('not_found', `Catalogue Not found: catalogue_id ${show(String(id))}`)

/** The catalogue row, or 404. */
export async function getCatalogueRow (db: Db, id: number): Promise<CatalogueRow> {
  const row = await findCatalogue(db, id)
  if (row === undefined) throw catalogueNotFound(id)
  return row
}

/**
 * A product's or plan's `Catalogues` as written: catalogue IDs (Tyk) or the names a GET answered (null: none;
 * undefined: not written). An unknown or repeated one is refused, named (Tyk answers 422 on both routes).
 */
export async function resolveCatalogues (db: Db, items: ReadonlyArray<number | string> | null | undefined): Promise<number[] | undefined> {
  if (items === undefined) return undefined
  const { ids, names } = splitIdsAndNames(items ?? [])
  const problems: string[] = []
  const resolved = resolveIdsOrNames('Catalogues', items ?? [], await findNamed(db, 'catalogues', ids, names), 'catalogue', problems)
  if (problems.length > 0) throw new AppError('invalid_input', problems)
  return resolved
}

// A URL slug: lower-case letters and digits in words joined by single hyphens.
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** The slug Tyk's UI proposes for a name: "Partner APIs" → "partner-apis". */
export function slugOf (name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'catalogue'
}

/**
 * The team an audience names (Tyk's OrganisationCatalogue-create): TeamID, or the organisation's default
 * team when only OrganisationID is given; both given must agree. Problems are named under `field`.
 */
export async function audienceTeam (db: Db, field: string, input: AudienceInput, problems: string[]): Promise<number | undefined> {
  const at = (name: string) => field === '' ? name : `${field}.${name}`
  if (input.TeamID !== undefined) {
    const team = await findTeam(db, input.TeamID)
    if (team === undefined) problems.push(`${at('TeamID')} is not the ID of a team, got ${input.TeamID}`)
    else if (input.OrganisationID !== undefined && input.OrganisationID !== team.organisation_id) {
      problems.push(`${at('TeamID')} ${input.TeamID} is a team of organisation ${team.organisation_id}, not of ${at('OrganisationID')} ${input.OrganisationID}`)
    } else return team.id
    return undefined
  }
  if (input.OrganisationID === undefined) {
    problems.push(`${at('TeamID')} (a team) or ${at('OrganisationID')} (its default team) is required`)
    return undefined
  }
  if (await findOrganisation(db, input.OrganisationID) === undefined) {
    problems.push(`${at('OrganisationID')} is not the ID of an organisation, got ${input.OrganisationID}`)
    return undefined
  }
  return (await findDefaultTeam(db, input.OrganisationID)).id
}

export interface CatalogueServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly snapshot: AuditSnapshot<CatalogueWithContents>
}

export class CatalogueService {
  constructor (private readonly deps: CatalogueServiceDeps) {}

  async list (page: Page): Promise<CatalogueRecord[]> {
    return (await listCatalogues(this.deps.db, page)).map(toCatalogueRecord)
  }

  /** What the members of these teams see (Tyk): Public catalogues, and Private ones whose audiences include one of the teams; all without `page`. */
  async listVisibleTo (teamIds: readonly number[], page?: Page): Promise<CatalogueWithContents[]> {
    const catalogues: CatalogueWithContents[] = []
    for (const row of await listVisibleCatalogues(this.deps.db, teamIds, page)) catalogues.push(await withContents(this.deps.db, row))
    return catalogues
  }

  async create (input: CatalogueInput, ctx: WriteContext): Promise<CatalogueWithContents> {
    const now = this.deps.now().toISOString()
    return await this.deps.db.transaction().execute(async (trx) => {
      const fields = await validateCatalogue(trx, input)
      const teams: number[] = []
      for (const [index, audience] of (input.OrgCatalogues ?? []).entries()) {
        const team = await audienceTeam(trx, `OrgCatalogues[${index}]`, audience, fields.problems)
        if (team !== undefined && !teams.includes(team)) teams.push(team)
      }
      if (fields.problems.length > 0) throw new AppError('invalid_input', fields.problems)
      const row = await insertCatalogue(trx, { ...fields.row, created_at: now, updated_at: now })
      await setOffered(trx, 'product', row.id, fields.products ?? [])
      await setOffered(trx, 'plan', row.id, fields.plans ?? [])
      for (const team of teams) await insertAudience(trx, row.id, team, now)
      const created = await withContents(trx, row)
      await this.audit(trx, ctx, 'create', row.id, undefined, created)
      return created
    })
  }

  async get (id: number): Promise<CatalogueWithContents> {
    return await withContents(this.deps.db, await getCatalogueRow(this.deps.db, id))
  }

  /** Tyk PUT: the body decoded onto the stored catalogue; Products or Plans omitted keep them, [] or null removes all. */
  async update (id: number, patch: CataloguePatch, ctx: WriteContext): Promise<CatalogueWithContents> {
    return await this.deps.db.transaction().execute(async (trx) => {
      const current = await withContents(trx, await getCatalogueRow(trx, id))
      const fields = await validateCatalogue(trx, decodeOnto({ Name: current.name, NameWithSlug: current.nameWithSlug, VisibilityStatus: current.visibility }, patch))
      if (fields.problems.length > 0) throw new AppError('invalid_input', fields.problems)
      await updateCatalogue(trx, id, { ...fields.row, updated_at: this.deps.now().toISOString() })
      if (fields.products !== undefined) await setOffered(trx, 'product', id, fields.products)
      if (fields.plans !== undefined) await setOffered(trx, 'plan', id, fields.plans)
      const after = await withContents(trx, await getCatalogueRow(trx, id))
      await this.audit(trx, ctx, 'update', id, current, after)
      return after
    })
  }

  /** Tyk: its audiences go with it; the products and plans it offered stay, in their other catalogues. */
  async remove (id: number, ctx: WriteContext): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await withContents(trx, await getCatalogueRow(trx, id))
      await deleteCatalogue(trx, id)
      await this.audit(trx, ctx, 'delete', id, current, undefined)
    })
  }

  private async audit (trx: Db, ctx: WriteContext, action: string, id: number, before?: CatalogueWithContents, after?: CatalogueWithContents): Promise<void> {
    await recordChange(trx, this.deps.snapshot, { actor: ctx.actor, at: this.deps.now(), action, resourceType: 'catalogue', resourceId: id }, before, after)
  }
}

async function withContents (db: Db, row: CatalogueRow): Promise<CatalogueWithContents> {
  return {
    ...toCatalogueRecord(row),
    products: await listOffered(db, 'product', row.id),
    plans: await listOffered(db, 'plan', row.id),
    audiences: (await listAllAudiences(db, row.id)).map(toAudienceRecord)
  }
}

/** The row and the offered IDs a body writes (undefined: not written), with every problem named. */
async function validateCatalogue (db: Db, input: Pick<CatalogueInput, 'Name' | 'NameWithSlug' | 'VisibilityStatus' | 'Products' | 'Plans'>) {
  const problems: string[] = []
  if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
  const slug = input.NameWithSlug ?? slugOf(input.Name)
  if (!SLUG.test(slug)) problems.push(`NameWithSlug must be a URL slug (lower-case letters and digits, words joined by single hyphens, e.g. "private-catalogue"), got ${show(slug)}`)
  const offered = async (field: 'Products' | 'Plans', offer: Offer) => {
    const items = input[field]
    if (items === undefined) return undefined
    const { ids, names } = splitIdsAndNames(items ?? [])
    return resolveIdsOrNames(field, items ?? [], await findNamed(db, offerTable(offer), ids, names), offer, problems)
  }
  const products = await offered('Products', 'product')
  const plans = await offered('Plans', 'plan')
  return { problems, products, plans, row: { name: input.Name, name_with_slug: slug, visibility: input.VisibilityStatus ?? 'Private' } }
}
