import type { AccessRequestRecord } from '../apps/app-access-request.record.ts'
import type { AccessRequestView } from './access-request.repository.ts'

/** A request as read (with the names Tyk shows next to its ids) and its products, as the domain record. */
export function toAccessRequestRecord (view: AccessRequestView, products: ReadonlyArray<{ id: number; name: string }>): AccessRequestRecord {
  return {
    id: view.id,
    status: view.status,
    appId: view.app_id,
    appName: view.app_name,
    userId: view.user_id,
    planId: view.plan_id,
    planName: view.plan_name,
    products: products.map((product) => ({ id: product.id, name: product.name })),
    dcrEnabled: view.dcr_enabled === 1,
    clientTypeId: view.client_type_id,
    clientTypeName: view.client_type_name,
    providerId: view.provider_id,
    provisionImmediately: view.provision_immediately === 1,
    lastError: view.last_error,
    createdAt: view.created_at,
    updatedAt: view.updated_at
  }
}
