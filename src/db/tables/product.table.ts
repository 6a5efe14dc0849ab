import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface ProductTable {
  id: Generated<number>
  name: string
  dcr_enabled: number // 0 | 1 on both dialects
  scopes: string // canonical CSV ("payments,clients"), '' when none
  fields: string // JSON object: Tyk's descriptive fields, returned as given (PRODUCT_FIELDS)
  created_at: string // ISO 8601, UTC
  updated_at: string
}

/** A client type offered by a product (Tyk "Templates"). */
export interface ProductClientTypeTable {
  product_id: number
  client_type_id: number
  created_at: string
}

export type ProductRow = Selectable<ProductTable>
export type NewProductRow = Insertable<ProductTable>
export type ProductChanges = Updateable<ProductTable>
export type ProductClientTypeRow = Selectable<ProductClientTypeTable>
