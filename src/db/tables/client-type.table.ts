import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface ClientTypeTable {
  id: Generated<number>
  provider_id: number
  name: string
  description: string
  response_types: string // canonical CSV, order preserved ("code,id_token")
  grant_types: string // canonical CSV
  token_endpoint_auth_method: string
  okta_app_type: string // '' when unset
  created_at: string // ISO 8601, UTC
  updated_at: string
}

export type ClientTypeRow = Selectable<ClientTypeTable>
export type NewClientTypeRow = Insertable<ClientTypeTable>
export type ClientTypeChanges = Updateable<ClientTypeTable>
