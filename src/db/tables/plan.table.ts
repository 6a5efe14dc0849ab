import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface PlanTable {
  id: Generated<number>
  name: string
  jwt_scope: string // canonical CSV, '' when none
  auto_approve_access_requests: number // 0 | 1
  fields: string // JSON object: Tyk's rate-limit, quota and descriptive fields, returned as given (PLAN_FIELDS)
  created_at: string // ISO 8601, UTC
  updated_at: string
}

export type PlanRow = Selectable<PlanTable>
export type NewPlanRow = Insertable<PlanTable>
export type PlanChanges = Updateable<PlanTable>
