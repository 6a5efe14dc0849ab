// Access requests (tyk-portal-api.md §5.3–§5.5), with Tyk's field names.
import { Type, type Static } from 'typebox'
import { IdRef, Ignored, PageQuery, StringEnum } from '../../http/schemas.ts'
import { MAX_ID } from '../../shared/ids.ts'
import { ACCESS_REQUEST_STATUSES } from '../apps/app-access-request.record.ts'

export const AccessRequestIdParam = Type.String({ description: 'UID of this access request (integer)', examples: ['1'] })

// The body Tyk's own Postman collection sends to PUT /apps/{app_id}/provision (swagger documents none).
export const ProvisionBody = Type.Object({
  PlanID: IdRef(),
  ProductIDs: Type.Array(IdRef(), { minItems: 1, maxItems: 100, examples: [[2]] }),
  DCRTemplateID: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ID, description: 'the client type, required for DCR products (0 or absent: none)', examples: [1] })),
  ID: Ignored()
}, { additionalProperties: false })
export type ProvisionInput = Static<typeof ProvisionBody>

/** Tyk's paging, and our extension: one status only (the console's queue of pending requests). */
export const AccessRequestListQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(StringEnum(ACCESS_REQUEST_STATUSES, { description: 'our extension: only the requests in this status, e.g. the queue of pending ones' }))
}, { additionalProperties: true })
