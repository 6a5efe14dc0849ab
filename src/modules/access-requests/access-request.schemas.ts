// Access requests (tyk-portal-api.md §5.3–§5.5), with Tyk's field names.
import { Type, type Static } from 'typebox'
import { Id, Ignored, StringEnum, Timestamp } from '../../http/schemas.ts'
import { Credential } from '../credentials/credential.schemas.ts'

export const AccessRequestIdParam = Type.String({ description: 'UID of this access request (integer)', examples: ['1'] })

// The body Tyk's own Postman collection sends to PUT /apps/{app_id}/provision (swagger documents none).
export const ProvisionBody = Type.Object({
  PlanID: Type.Integer({ minimum: 1, examples: [1] }),
  ProductIDs: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100, examples: [[2]] }),
  DCRTemplateID: Type.Optional(Type.Integer({ minimum: 0, description: 'the client type, required for DCR products (0 or absent: none)', examples: [1] })),
  ID: Ignored()
}, { additionalProperties: false })
export type ProvisionInput = Static<typeof ProvisionBody>

export const AccessRequestElem = Type.Object({
  ID: Id,
  Status: StringEnum(['pending', 'approved', 'rejected']),
  AppID: Id,
  Client: Type.String({ description: 'the app name' }),
  PlanID: Type.Integer({ description: '0 when the plan was deleted' }),
  Plan: Type.String(),
  ProductIDs: Type.Array(Id),
  Products: Type.String({ description: 'product names, comma-separated' }),
  User: Type.String({ examples: ['User#1'] }),
  Catalogue: Type.String(),
  AuthType: Type.String({ examples: ['oauth2'] }),
  DCREnabled: Type.Boolean(),
  DCRTemplateID: Type.Integer({ description: 'the client type; 0 for none' }),
  ProviderID: Type.Integer({ description: "the client type's OAuth2.0 provider; 0 for none" }),
  ProvisionImmediately: Type.Boolean(),
  LastError: Type.String({ description: 'why the last approval failed; "" when it did not' }),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp
}, { additionalProperties: false })
export type AccessRequestElem = Static<typeof AccessRequestElem>

export const AccessRequestShow = Type.Object({
  ...AccessRequestElem.properties,
  Credentials: Type.Array(Credential)
}, { additionalProperties: false })
export type AccessRequestShow = Static<typeof AccessRequestShow>
