import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { recordAudit, type AuditSnapshot } from '../audit/audit.ts'
import { lockRow } from '../../db/lock-row.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import { storeFields } from '../products/pass-through.ts'
import type { ProductServiceDeps } from '../products/product.service.ts'
import { claimScopes, releaseScopes } from '../products/scope.repository.ts'
import { parseScopes } from '../products/scope.values.ts'
import { deletePlan, findPlan, insertPlan, listPlans, updatePlan } from './plan.repository.ts'
import { toPlanRecord, type PlanRecord } from './plan.record.ts'
import { PLAN_FIELD_NAMES, type PlanInput, type PlanPatch } from './plan.schemas.ts'
import { decodeOnto } from '../../shared/decode-onto.ts'
import type { PlanRow } from '../../db/tables/plan.table.ts'
import { listCataloguesOf, setCataloguesOf } from '../catalogues/catalogue.repository.ts'
import { resolveCatalogues } from '../catalogues/catalogue.service.ts'

/** 404 for a plan id, as a path wrote it or as a number (the same text: ids are plain digits). */
export const planNotFound = (id: string | number) => new AppError('not_found', `Plan Not found: plan_id ${show(String(id))}`)

/** The plan row, or 404. */
export async function getPlanRow (db: Db, id: number): Promise<PlanRow> {
  const row = await findPlan(db, id)
  if (row === undefined) throw planNotFound(id)
  return row
}

export interface PlanServiceDeps extends ProductServiceDeps {
  readonly snapshot: AuditSnapshot<PlanRecord>
}

export class PlanService {
  constructor (private readonly deps: PlanServiceDeps) {}

  async list (page: Page): Promise<PlanRecord[]> {
    return await records(this.deps.db, await listPlans(this.deps.db, page))
  }

  async create (input: PlanInput, ctx: WriteContext<PlanRecord>): Promise<PlanRecord> {
    const fields = validatePlan(input)
    const now = this.deps.now().toISOString()
    const plan = await this.deps.db.transaction().execute(async (trx) => {
      const catalogues = await resolveCatalogues(trx, input.Catalogues)
      const row = await insertPlan(trx, { ...fields.row, created_at: now, updated_at: now })
      await claimScopes(trx, { kind: 'plan', id: row.id }, 'JWTScope', fields.scopes)
      await setCataloguesOf(trx, 'plan', row.id, catalogues ?? [])
      const created = await record(trx, row)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'create', resourceType: 'plan', resourceId: created.id, after: this.deps.snapshot(created) })
      return created
    })
    await this.scopesSaved(fields.scopes)
    return plan
  }

  async get (id: number): Promise<PlanRecord> {
    return await record(this.deps.db, await getPlanRow(this.deps.db, id))
  }

  /** Tyk PUT: the body decoded onto the stored plan (omitted fields keep their values). */
  async update (id: number, patch: PlanPatch, ctx: WriteContext<PlanRecord>): Promise<PlanRecord> {
    const plan = await this.deps.db.transaction().execute(async (trx) => {
      const current = await currentPlan(trx, id, ctx)
      const input = decodeOnto({ Name: current.name, JWTScope: current.jwtScopes.join(','), AutoApproveAccessRequests: current.autoApproveAccessRequests, ...current.passThrough }, patch)
      const fields = validatePlan(input)
      const catalogues = await resolveCatalogues(trx, input.Catalogues)
      if (catalogues !== undefined) await setCataloguesOf(trx, 'plan', current.id, catalogues)
      const row = await updatePlan(trx, current.id, { ...fields.row, updated_at: this.deps.now().toISOString() })
      await claimScopes(trx, { kind: 'plan', id: current.id }, 'JWTScope', fields.scopes)
      const after = row === undefined ? current : await record(trx, row)
      await recordAudit(trx, {
        actor: ctx.actor, at: this.deps.now(), action: 'update', resourceType: 'plan', resourceId: current.id, before: this.deps.snapshot(current), after: this.deps.snapshot(after)
      })
      return { after, scopes: fields.scopes }
    })
    await this.scopesSaved(plan.scopes)
    return plan.after
  }

  async remove (id: number, ctx: WriteContext<PlanRecord>): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await currentPlan(trx, id, ctx)
      await releaseScopes(trx, { kind: 'plan', id: current.id })
      await deletePlan(trx, current.id)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'delete', resourceType: 'plan', resourceId: current.id, before: this.deps.snapshot(current) })
    })
  }

  private async scopesSaved (scopes: readonly string[]): Promise<void> {
    if (scopes.length > 0 && this.deps.onScopesSaved !== undefined) await this.deps.onScopesSaved(scopes)
  }
}

/** The plan to change; with a precondition (If-Match), locked first and then checked (412). */
async function currentPlan (trx: Db, id: number, ctx: WriteContext<PlanRecord>): Promise<PlanRecord> {
  if (ctx.precondition !== undefined) await lockRow(trx, 'plans', id)
  const current = await record(trx, await getPlanRow(trx, id))
  ctx.precondition?.(current, `plan ${current.id}`)
  return current
}

async function record (db: Db, row: PlanRow): Promise<PlanRecord> {
  const [plan] = await records(db, [row])
  return plan!
}

/** The plans with their catalogues (one more query for a page). */
async function records (db: Db, rows: readonly PlanRow[]): Promise<PlanRecord[]> {
  const catalogues = await listCataloguesOf(db, 'plan', rows.map((row) => row.id))
  return rows.map((row) => toPlanRecord(row, catalogues.filter((catalogue) => catalogue.offer_id === row.id)))
}

function validatePlan (input: Pick<PlanInput, 'Name' | 'JWTScope' | 'AutoApproveAccessRequests'> & Readonly<Record<string, unknown>>) {
  const problems: string[] = []
  if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
  const scopes = parseScopes('JWTScope', input.JWTScope ?? '', problems)
  if (problems.length > 0) throw new AppError('invalid_input', problems)
  return {
    scopes,
    row: {
      name: input.Name,
      jwt_scope: scopes.join(','),
      auto_approve_access_requests: input.AutoApproveAccessRequests === true ? 1 : 0,
      fields: storeFields(input, PLAN_FIELD_NAMES)
    }
  }
}
