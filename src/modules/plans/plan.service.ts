import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import { parseId } from '../../shared/ids.ts'
import type { Page } from '../../shared/pagination.ts'
import { storeFields } from '../products/pass-through.ts'
import type { ProductServiceDeps } from '../products/product.service.ts'
import { claimScopes, releaseScopes } from '../products/scope.repository.ts'
import { parseScopes } from '../products/scope.values.ts'
import { deletePlan, findPlan, insertPlan, listPlans, updatePlan } from './plan.repository.ts'
import { PLAN_FIELD_NAMES, toPlan, toPlanSummary, type Plan, type PlanInput, type PlanSummary } from './plan.schemas.ts'
import type { PlanRow } from './plan.table.ts'

/** The plan row for a path id, or 404 (also for ids that cannot exist: "0", "abc", "1e3"). */
export async function getPlanRow (db: Db, rawId: string): Promise<PlanRow> {
  const id = parseId(rawId)
  const row = id === undefined ? undefined : await findPlan(db, id)
  if (row === undefined) throw new AppError('not_found', `Plan Not found: plan_id ${show(rawId)}`)
  return row
}

export class PlanService {
  constructor (private readonly deps: ProductServiceDeps) {}

  async list (page: Page): Promise<{ data: PlanSummary[] }> {
    return { data: (await listPlans(this.deps.db, page)).map(toPlanSummary) }
  }

  async create (input: PlanInput): Promise<Plan> {
    const fields = validatePlan(input)
    const now = this.deps.now().toISOString()
    const plan = await this.deps.db.transaction().execute(async (trx) => {
      const row = await insertPlan(trx, { ...fields.row, created_at: now, updated_at: now })
      await claimScopes(trx, { kind: 'plan', id: row.id }, 'JWTScope', fields.scopes)
      return toPlan(row)
    })
    await this.scopesSaved(fields.scopes)
    return plan
  }

  async get (rawId: string): Promise<Plan> {
    return toPlan(await getPlanRow(this.deps.db, rawId))
  }

  /** Full replacement (Tyk PUT): omitted optional fields return to their defaults. */
  async update (rawId: string, input: PlanInput): Promise<Plan> {
    const fields = validatePlan(input)
    const plan = await this.deps.db.transaction().execute(async (trx) => {
      const current = await getPlanRow(trx, rawId)
      const row = await updatePlan(trx, current.id, { ...fields.row, updated_at: this.deps.now().toISOString() })
      await claimScopes(trx, { kind: 'plan', id: current.id }, 'JWTScope', fields.scopes)
      return toPlan(row ?? current)
    })
    await this.scopesSaved(fields.scopes)
    return plan
  }

  async remove (rawId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const { id } = await getPlanRow(trx, rawId)
      await releaseScopes(trx, { kind: 'plan', id })
      await deletePlan(trx, id)
    })
  }

  private async scopesSaved (scopes: readonly string[]): Promise<void> {
    if (scopes.length > 0 && this.deps.onScopesSaved !== undefined) await this.deps.onScopesSaved(scopes)
  }
}

function validatePlan (input: PlanInput) {
  const problems: string[] = []
  if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
  const scopes = parseScopes('JWTScope', input.JWTScope ?? '', problems)
  if (problems.length > 0) throw new AppError('unprocessable', problems)
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
