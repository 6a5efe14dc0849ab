// Row types of every table, as Kysely sees them: the storage layer owns the schema (one file per resource
// in tables/, imported by the modules that query it); this joins them.
import type { OAuthProviderTable } from './tables/oauth-provider.table.ts'
import type { ClientTypeTable } from './tables/client-type.table.ts'
import type { IdpModelTable, IdpScopeTable } from './tables/idp.table.ts'
import type { IdpAccountTable } from './tables/idp-account.table.ts'
import type { ProductClientTypeTable, ProductTable } from './tables/product.table.ts'
import type { ScopeOwnerTable } from './tables/scope.table.ts'
import type { PlanTable } from './tables/plan.table.ts'
import type { AppTable } from './tables/app.table.ts'
import type { AccessRequestProductTable, AccessRequestTable } from './tables/access-request.table.ts'
import type { CredentialTable, OAuthClientTable } from './tables/credential.table.ts'
import type { IdpDeletionTable, IdpRegistrationTable } from './tables/idp-operation.table.ts'
import type { LeaseTable } from './tables/lease.table.ts'
import type { IdempotencyKeyTable } from './tables/idempotency-key.table.ts'
import type { AuditLogTable } from './tables/audit.table.ts'
import type { ListPositionTable } from './tables/list-position.table.ts'
import type { ConsoleSessionTable } from './tables/console-session.table.ts'
import type { InvitationTable } from './tables/invitation.table.ts'
import type { OrganisationTable, TeamTable } from './tables/organisation.table.ts'
import type { UserTable, UserTeamTable } from './tables/user.table.ts'
import type { AdminApiTokenTable } from './tables/admin-api-token.table.ts'
import type { CatalogueAudienceTable, CataloguePlanTable, CatalogueProductTable, CatalogueTable } from './tables/catalogue.table.ts'

export interface Tables {
  portal_meta: { key: string; value: string }
  oauth_providers: OAuthProviderTable
  oauth_client_types: ClientTypeTable
  idp_models: IdpModelTable
  idp_scopes: IdpScopeTable
  idp_accounts: IdpAccountTable
  products: ProductTable
  product_client_types: ProductClientTypeTable
  scope_owners: ScopeOwnerTable
  plans: PlanTable
  apps: AppTable
  access_requests: AccessRequestTable
  access_request_products: AccessRequestProductTable
  oauth_clients: OAuthClientTable
  credentials: CredentialTable
  idp_registrations: IdpRegistrationTable
  idp_deletions: IdpDeletionTable
  idempotency_keys: IdempotencyKeyTable
  audit_log: AuditLogTable
  leases: LeaseTable
  list_positions: ListPositionTable
  console_sessions: ConsoleSessionTable
  invitations: InvitationTable
  organisations: OrganisationTable
  teams: TeamTable
  users: UserTable
  user_teams: UserTeamTable
  catalogues: CatalogueTable
  catalogue_products: CatalogueProductTable
  catalogue_plans: CataloguePlanTable
  catalogue_audiences: CatalogueAudienceTable
  admin_api_tokens: AdminApiTokenTable
}
