import { lockRow } from '../../db/lock-row.ts'
import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { assertIfMatch, type IfMatch, type WriteContext } from '../../shared/precondition.ts'
import { recordAudit } from '../audit/audit.ts'
import { storeFields } from '../products/pass-through.ts'
import type { ProductServiceDeps } from '../products/product.service.ts'
import { claimScopes, releaseScopes } from '../products/scope.repository.ts'
import { parseScopes } from '../products/scope.values.ts'
import { deletePlan, findPlan, insertPlan, listPlans, updatePlan } from './plan.repository.ts'
import { PLAN_FIELD_NAMES, toPlan, toPlanSummary, type Plan, type PlanInput, type PlanSummary } from './plan.schemas.ts'
import type { PlanRow } from '../../db/tables/plan.table.ts'

/** 404 for a plan id, as a path wrote it or as a number (the same text: ids are plain digits). */
export const planNotFound = (id: string | number) => new AppError('not_found', `Plan Not found: plan_id ${show(String(id))}`)

/** The plan row, or 404. */
export async function getPlanRow (db: Db, id: number): Promise<PlanRow> {
  const row = await findPlan(db, id)
  if (row === undefined) throw planNotFound(id)
  return row
}

export class PlanService {
  constructor (private readonly deps: ProductServiceDeps) {}

  async list (page: Page): Promise<{ data: PlanSummary[] }> {
    return { data: (await listPlans(this.deps.db, page)).map(toPlanSummary) }
  }

  async create (input: PlanInput, ctx: WriteContext): Promise<Plan> {
    const fields = validatePlan(input)
    const now = this.deps.now().toISOString()
    const plan = await this.deps.db.transaction().execute(async (trx) => {
      const row = await insertPlan(trx, { ...fields.row, created_at: now, updated_at: now })
      await claimScopes(trx, { kind: 'plan', id: row.id }, 'JWTScope', fields.scopes)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'create', resourceType: 'plan', resourceId: row.id, after: toPlan(row) })
      return toPlan(row)
    })
    await this.scopesSaved(fields.scopes)
    return plan
  }

  async get (id: number): Promise<Plan> {
    return toPlan(await getPlanRow(this.deps.db, id))
  }

  /** Full replacement (Tyk PUT): omitted optional fields return to their defaults. */
  async update (id: number, input: PlanInput, ctx: WriteContext): Promise<Plan> {
    const fields = validatePlan(input)
    const plan = await this.deps.db.transaction().execute(async (trx) => {
      const current = await currentPlan(trx, id, ctx.ifMatch)
      const row = await updatePlan(trx, current.id, { ...fields.row, updated_at: this.deps.now().toISOString() })
      await claimScopes(trx, { kind: 'plan', id: current.id }, 'JWTScope', fields.scopes)
      const after = toPlan(row ?? current)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'update', resourceType: 'plan', resourceId: current.id, before: toPlan(current), after })
      return after
    })
    await this.scopesSaved(fields.scopes)
    return plan
  }

  async remove (id: number, ctx: WriteContext): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await currentPlan(trx, id, ctx.ifMatch)
      await releaseScopes(trx, { kind: 'plan', id: current.id })
      await deletePlan(trx, current.id)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'delete', resourceType: 'plan', resourceId: current.id, before: toPlan(current) })
    })
  }

  private async scopesSaved (scopes: readonly string[]): Promise<void> {
    if (scopes.length > 0 && this.deps.onScopesSaved !== undefined) await this.deps.onScopesSaved(scopes)
  }
}

/** The row to change; with If-Match, locked first and compared with its GET representation (412). */
async function currentPlan (trx: Db, id: number, ifMatch: IfMatch | undefined): Promise<PlanRow> {
  if (ifMatch !== undefined) await lockRow(trx, 'plans', id)
  const row = await getPlanRow(trx, id)
  assertIfMatch(ifMatch, `plan ${row.id}`, toPlan(row))
  return row
}

function validatePlan (input: PlanInput) {
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
