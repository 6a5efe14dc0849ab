import { csvItems } from '../../shared/csv.ts'
import type { Named } from '../../shared/ids-or-names.ts'
import type { PlanRow } from '../../db/tables/plan.table.ts'

/** A plan in domain terms: what the service returns; the routes answer it in Tyk's shape (plan.schemas.ts). */
export interface PlanRecord {
  readonly id: number
  readonly name: string
  /** Each unique across products and plans. */
  readonly jwtScopes: readonly string[]
  readonly autoApproveAccessRequests: boolean
  /** The catalogues offering it, in catalogue ID order. */
  readonly catalogues: readonly Named[]
  /** ProviderID (the API gateway's) and Tyk's rate-limit, quota and descriptive fields, as given: no behaviour here. */
  readonly passThrough: Readonly<Record<string, unknown>>
  readonly createdAt: string // ISO 8601, UTC
  readonly updatedAt: string
}

export function toPlanRecord (row: PlanRow, catalogues: readonly Named[]): PlanRecord {
  return {
    id: row.id,
    name: row.name,
    jwtScopes: csvItems(row.jwt_scope),
    autoApproveAccessRequests: row.auto_approve_access_requests === 1,
    catalogues: catalogues.map(({ id, name }) => ({ id, name })),
    passThrough: JSON.parse(row.fields) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}
