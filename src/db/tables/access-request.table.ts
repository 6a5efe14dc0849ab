import type { Generated, Insertable, Selectable } from 'kysely'

export type AccessRequestStatus = 'pending' | 'approved' | 'rejected'

export interface AccessRequestTable {
  id: Generated<number>
  app_id: number
  plan_id: number | null
  /** Tyk's DCRTemplateID: the client type the consumer chose; null for non-DCR requests. */
  client_type_id: number | null
  status: AccessRequestStatus
  dcr_enabled: number // 0 | 1
  provision_immediately: number // 0 | 1: approved on creation (plan AutoApproveAccessRequests)
  granted_scopes: string // space-separated, fixed on approval; '' before
  last_error: string | null
  created_at: string
  updated_at: string
}

export interface AccessRequestProductTable {
  access_request_id: number
  product_id: number
}

export type AccessRequestRow = Selectable<AccessRequestTable>
export type NewAccessRequestRow = Insertable<AccessRequestTable>
