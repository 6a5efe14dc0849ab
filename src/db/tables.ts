// Row types of every table, as Kysely sees them. Each module keeps its own table file; this joins them.
import type { OAuthProviderTable } from '../modules/oauth-providers/oauth-provider.table.ts'
import type { ClientTypeTable } from '../modules/client-types/client-type.table.ts'
import type { IdpModelTable, IdpScopeTable } from '../idp/idp.table.ts'

export interface Tables {
  portal_meta: { key: string; value: string }
  oauth_providers: OAuthProviderTable
  oauth_client_types: ClientTypeTable
  idp_models: IdpModelTable
  idp_scopes: IdpScopeTable
}
