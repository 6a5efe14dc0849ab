// Row types of every table, as Kysely sees them. Each module keeps its own table file; this joins them.
import type { OAuthProviderTable } from '../modules/oauth-providers/oauth-provider.table.ts'
import type { ClientTypeTable } from '../modules/client-types/client-type.table.ts'

export interface Tables {
  oauth_providers: OAuthProviderTable
  oauth_client_types: ClientTypeTable
}
