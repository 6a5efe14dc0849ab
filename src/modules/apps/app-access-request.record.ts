// An app's access requests in domain terms, as the app and access-request services return them; they
// live with the app, as their Tyk shapes do (app-access-request.schemas.ts), so that access-requests
// depends on apps and never the reverse. access-requests maps its rows to them.
import type { AccessRequestStatus } from '../../db/tables/access-request.table.ts'
import type { CredentialRecord } from '../credentials/credential.record.ts'

/** Tyk's statuses of an access request, in the order a request passes them. */
export const ACCESS_REQUEST_STATUSES = ['pending', 'approved', 'rejected'] as const satisfies readonly AccessRequestStatus[]

export interface AccessRequestRecord {
  readonly id: number
  readonly status: AccessRequestStatus
  readonly appId: number
  readonly appName: string
  /** The app's owner; 0 for none. */
  readonly userId: number
  /** null when the plan was deleted. */
  readonly planId: number | null
  readonly planName: string | null
  readonly products: ReadonlyArray<{ readonly id: number; readonly name: string }>
  readonly dcrEnabled: boolean
  /** The client type to register (Tyk's DCRTemplateID); null without DCR. */
  readonly clientTypeId: number | null
  /** Its name; null without a client type. */
  readonly clientTypeName: string | null
  /** The client type's OAuth2.0 provider; null without a client type. */
  readonly providerId: number | null
  /** Approved on creation (the plan's AutoApproveAccessRequests). */
  readonly provisionImmediately: boolean
  /** Why the last approval failed; null when it did not. */
  readonly lastError: string | null
  readonly createdAt: string // ISO 8601, UTC
  readonly updatedAt: string
}

export interface AccessRequestWithCredentials extends AccessRequestRecord {
  readonly credentials: readonly CredentialRecord[]
}
