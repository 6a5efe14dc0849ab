// Access requests (tyk-portal-api.md §5.3–§5.5), with Tyk's field names.
import { Type, type Static } from 'typebox'
import { IdRef, Ignored } from '../../http/schemas.ts'
import { MAX_ID } from '../../shared/ids.ts'

export const AccessRequestIdParam = Type.String({ description: 'UID of this access request (integer)', examples: ['1'] })

// The body Tyk's own Postman collection sends to PUT /apps/{app_id}/provision (swagger documents none).
export const ProvisionBody = Type.Object({
  PlanID: IdRef(),
  ProductIDs: Type.Array(IdRef(), { minItems: 1, maxItems: 100, examples: [[2]] }),
  DCRTemplateID: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ID, description: 'the client type, required for DCR products (0 or absent: none)', examples: [1] })),
  ID: Ignored()
}, { additionalProperties: false })
export type ProvisionInput = Static<typeof ProvisionBody>
