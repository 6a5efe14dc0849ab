import { csvItems } from '../../shared/csv.ts'
import type { AccessRequestWithCredentials } from './app-access-request.record.ts'
import type { AppRow } from '../../db/tables/app.table.ts'
import type { VISIBILITIES } from './app.values.ts'

/** An app in domain terms: what the service returns; the routes answer it in Tyk's shape (app.schemas.ts). */
export interface AppRecord {
  readonly id: number
  readonly name: string
  readonly description: string
  readonly redirectUrls: readonly string[]
  /** 0 when the app belongs to no user. */
  readonly userId: number
  readonly visibility: (typeof VISIBILITIES)[number]
  readonly createdAt: string // ISO 8601, UTC
  readonly updatedAt: string
}

export interface AppWithAccessRequests extends AppRecord {
  readonly accessRequests: readonly AccessRequestWithCredentials[]
}

export function toAppRecord (row: AppRow): AppRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    redirectUrls: csvItems(row.redirect_urls),
    userId: row.user_id,
    visibility: row.visibility as AppRecord['visibility'],
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}
