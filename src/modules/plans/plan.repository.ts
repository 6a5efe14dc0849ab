import { show } from '../../errors.ts'
import { uniqueOrConflict, type Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { seek } from '../../db/list-positions.ts'
import type { NewPlanRow, PlanChanges, PlanRow } from '../../db/tables/plan.table.ts'

export async function listPlans (db: Db, page: Page): Promise<PlanRow[]> {
  const at = await seek(db, 'plans', 0, page.offset)
  if (at === undefined) return []
  return await db.selectFrom('plans').selectAll().where('id', '>=', at.fromId).orderBy('id').limit(page.limit).offset(at.skip).execute()
}

export async function findPlan (db: Db, id: number): Promise<PlanRow | undefined> {
  return await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function insertPlan (db: Db, row: NewPlanRow): Promise<PlanRow> {
  return await uniqueOrConflict(db.insertInto('plans').values(row).returningAll().executeTakeFirstOrThrow(), nameTaken(row.name))
}

export async function updatePlan (db: Db, id: number, changes: PlanChanges): Promise<PlanRow | undefined> {
  return await uniqueOrConflict(db.updateTable('plans').set(changes).where('id', '=', id).returningAll().executeTakeFirst(), nameTaken(changes.name))
}

export async function deletePlan (db: Db, id: number): Promise<void> {
  await db.deleteFrom('plans').where('id', '=', id).execute()
}

const nameTaken = (name: unknown) => `Name ${show(name)} is already used by another plan`
