import { csvItems } from '../../shared/csv.ts'
import type { ClientTypeRow } from '../../db/tables/client-type.table.ts'
import type { Named } from '../../shared/ids-or-names.ts'
import type { ProductRow } from '../../db/tables/product.table.ts'

/** A client type offered by a product (Tyk "Templates"). */
export interface AttachedClientType {
  readonly id: number
  readonly name: string
  readonly providerId: number
}

/** A product in domain terms: what the service returns; the routes answer it in Tyk's shape (product.schemas.ts). */
export interface ProductRecord {
  readonly id: number
  readonly name: string
  readonly dcrEnabled: boolean
  /** Each unique across products and plans. */
  readonly scopes: readonly string[]
  /** In client type ID order. */
  readonly clientTypes: readonly AttachedClientType[]
  /** The catalogues offering it, in catalogue ID order. */
  readonly catalogues: readonly Named[]
  /** Tyk's descriptive fields, as given: no behaviour here. */
  readonly passThrough: Readonly<Record<string, unknown>>
  readonly createdAt: string // ISO 8601, UTC
  readonly updatedAt: string
}

export function toProductRecord (row: ProductRow, clientTypes: ReadonlyArray<Pick<ClientTypeRow, 'id' | 'name' | 'provider_id'>>, catalogues: readonly Named[]): ProductRecord {
  return {
    id: row.id,
    name: row.name,
    dcrEnabled: row.dcr_enabled === 1,
    scopes: csvItems(row.scopes),
    clientTypes: clientTypes.map((type) => ({ id: type.id, name: type.name, providerId: type.provider_id })),
    catalogues: catalogues.map(({ id, name }) => ({ id, name })),
    passThrough: JSON.parse(row.fields) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}
