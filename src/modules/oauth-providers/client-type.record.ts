import { csvItems } from '../../shared/csv.ts'
import type { ClientTypeRow } from '../../db/tables/client-type.table.ts'
import type { OKTA_APP_TYPES, TOKEN_ENDPOINT_AUTH_METHODS } from './client-type.values.ts'

/** A client type in domain terms: what the service returns; the routes answer it in Tyk's shape (client-type.schemas.ts). */
export interface ClientTypeRecord {
  readonly id: number
  readonly providerId: number
  readonly name: string
  readonly description: string
  /** Canonical values (aliases resolved), in the order given. */
  readonly responseTypes: readonly string[]
  readonly grantTypes: readonly string[]
  readonly tokenEndpointAuthMethod: (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number]
  /** '' when unset. */
  readonly oktaAppType: (typeof OKTA_APP_TYPES)[number] | ''
  readonly createdAt: string // ISO 8601, UTC
  readonly updatedAt: string
}

export function toClientTypeRecord (row: ClientTypeRow): ClientTypeRecord {
  return {
    id: row.id,
    providerId: row.provider_id,
    name: row.name,
    description: row.description,
    responseTypes: csvItems(row.response_types),
    grantTypes: csvItems(row.grant_types),
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as ClientTypeRecord['tokenEndpointAuthMethod'],
    oktaAppType: row.okta_app_type as ClientTypeRecord['oktaAppType'],
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}
