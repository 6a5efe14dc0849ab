// Row types of every table, as Kysely sees them. Each module keeps its own table file; this joins them.
import type { OAuthProviderTable } from '../modules/oauth-providers/oauth-provider.table.ts'
import type { ClientTypeTable } from '../modules/client-types/client-type.table.ts'
import type { IdpModelTable, IdpScopeTable } from '../idp/idp.table.ts'
import type { ProductClientTypeTable, ProductTable } from '../modules/products/product.table.ts'
import type { ScopeOwnerTable } from '../modules/products/scope.table.ts'
import type { PlanTable } from '../modules/plans/plan.table.ts'
import type { AppTable } from '../modules/apps/app.table.ts'
import type { AccessRequestProductTable, AccessRequestTable } from '../modules/access-requests/access-request.table.ts'
import type { CredentialTable, OAuthClientTable } from '../modules/credentials/credential.table.ts'
import type { IdpDeletionTable, IdpRegistrationTable } from '../modules/idp-operations/idp-operation.table.ts'
import type { LeaseTable } from './lease.table.ts'
import type { IdempotencyKeyTable } from '../http/idempotency.store.ts'
import type { AuditLogTable } from '../modules/audit/audit.table.ts'

export interface Tables {
  portal_meta: { key: string; value: string }
  oauth_providers: OAuthProviderTable
  oauth_client_types: ClientTypeTable
  idp_models: IdpModelTable
  idp_scopes: IdpScopeTable
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
}
