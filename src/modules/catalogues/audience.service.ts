// A catalogue's audiences (Tyk tag "Catalogue audiences"): the teams that see it while it is Private.
import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Clock } from '../../shared/time.ts'
import type { Actor } from '../../shared/actor.ts'
import { recordAudit } from '../audit/audit.ts'
import { deleteAudience, findAudience, findAudienceOfTeam, insertAudience, listAudiences } from './audience.repository.ts'
import { toAudienceRecord, type AudienceRecord } from './catalogue.record.ts'
import type { AudienceInput } from './catalogue.schemas.ts'
import { audienceTeam, getCatalogueRow } from './catalogue.service.ts'

/** 404 for an audience id of a catalogue, as a path wrote it or as a number. */
export const audienceNotFound = (id: string | number, catalogueId: number) =>
  new AppError('not_found', `Audience Not found: audience_id ${show(String(id))} of catalogue_id ${show(String(catalogueId))}`)

export interface AudienceServiceDeps {
  readonly db: Db
  readonly now: Clock
}

export class AudienceService {
  constructor (private readonly deps: AudienceServiceDeps) {}

  async list (catalogueId: number, page: Page): Promise<AudienceRecord[]> {
    await getCatalogueRow(this.deps.db, catalogueId)
    return (await listAudiences(this.deps.db, catalogueId, page)).map(toAudienceRecord)
  }

  /** Adding a team already in the audience answers that audience (idempotent, so that scripts can re-run). */
  async create (catalogueId: number, input: AudienceInput, actor: Actor): Promise<AudienceRecord> {
    return await this.deps.db.transaction().execute(async (trx) => {
      const catalogue = await getCatalogueRow(trx, catalogueId)
      const problems: string[] = []
      const team = await audienceTeam(trx, '', input, problems)
      if (team === undefined) throw new AppError('invalid_input', problems)
      const existing = await findAudienceOfTeam(trx, catalogue.id, team)
      if (existing !== undefined) return toAudienceRecord(existing)
      const created = toAudienceRecord((await findAudience(trx, await insertAudience(trx, catalogue.id, team, this.deps.now().toISOString())))!)
      await recordAudit(trx, { actor, at: this.deps.now(), action: 'add_audience', resourceType: 'catalogue', resourceId: catalogue.id, after: audienceSnapshot(created) })
      return created
    })
  }

  async get (catalogueId: number, id: number): Promise<AudienceRecord> {
    return toAudienceRecord(await getAudience(this.deps.db, catalogueId, id))
  }

  async remove (catalogueId: number, id: number, actor: Actor): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const audience = toAudienceRecord(await getAudience(trx, catalogueId, id))
      await deleteAudience(trx, audience.id)
      await recordAudit(trx, { actor, at: this.deps.now(), action: 'remove_audience', resourceType: 'catalogue', resourceId: catalogueId, before: audienceSnapshot(audience) })
    })
  }

  /** The 404 of an audience id that cannot name a row (as the path wrote it): the catalogue's own 404 first. */
  async notFound (catalogueId: number, rawId: string): Promise<AppError> {
    await getCatalogueRow(this.deps.db, catalogueId)
    return audienceNotFound(rawId, catalogueId)
  }
}

async function getAudience (db: Db, catalogueId: number, id: number) {
  await getCatalogueRow(db, catalogueId)
  const audience = await findAudience(db, id)
  if (audience?.catalogue_id !== catalogueId) throw audienceNotFound(id, catalogueId)
  return audience
}

/** An audience as the audit trail keeps it, under its catalogue (as a product's client type attachments). */
const audienceSnapshot = (audience: AudienceRecord) => ({ AudienceID: audience.id, OrganisationID: audience.organisationId, TeamID: audience.teamId, Name: audience.teamName })
