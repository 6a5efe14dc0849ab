// An app's access requests as Tyk answers them, inside GET /apps/{id} and on the access-request routes
// (tyk-portal-api.md §5.3–§5.5). They live with the app so that access-requests depends on apps, never
// the reverse (the no-circular-modules rule).
import { Type, type Static } from 'typebox'
import { Id, StringEnum, Timestamp } from '../../http/schemas.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { Credential, toCredential } from '../credentials/credential.schemas.ts'
import { ACCESS_REQUEST_STATUSES, type AccessRequestRecord, type AccessRequestWithCredentials } from './app-access-request.record.ts'

export const AccessRequestElem = Type.Object({
  ID: Id,
  Status: StringEnum(ACCESS_REQUEST_STATUSES),
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
  UpdatedAt: Timestamp,
  // Tyk's AccessRequest-internal; its Go model (gorm) answers null for a row not soft-deleted, and rows here are never soft-deleted.
  DeletedAt: Type.Null({ description: 'always null: a deleted access request is gone, not marked' })
}, { additionalProperties: false })
export type AccessRequestElem = Static<typeof AccessRequestElem>

export const AccessRequestShow = Type.Object({
  ...AccessRequestElem.properties,
  Credentials: Type.Array(Credential)
}, { additionalProperties: false })
export type AccessRequestShow = Static<typeof AccessRequestShow>

/** An access request inside GET /apps/{id} (Tyk Client-AccessRequest-elem): its Products are an array of names there. */
export const AppAccessRequest = Type.Object({
  ...AccessRequestShow.properties,
  Products: Type.Array(Type.String(), { description: 'names of the products of this access request' })
}, { additionalProperties: false })
export type AppAccessRequest = Static<typeof AppAccessRequest>

export function toAccessRequestElem (request: AccessRequestRecord): AccessRequestElem {
  return {
    ID: request.id,
    Status: request.status,
    AppID: request.appId,
    Client: request.appName,
    PlanID: request.planId ?? 0,
    Plan: request.planName ?? '',
    ProductIDs: request.products.map((product) => product.id),
    Products: request.products.map((product) => product.name).join(','),
    User: `User#${request.userId}`,
    Catalogue: '',
    AuthType: request.dcrEnabled ? 'oauth2' : 'authToken',
    DCREnabled: request.dcrEnabled,
    DCRTemplateID: request.clientTypeId ?? 0,
    ProviderID: request.providerId ?? 0,
    ProvisionImmediately: request.provisionImmediately,
    LastError: request.lastError ?? '',
    CreatedAt: formatTimestamp(request.createdAt),
    UpdatedAt: formatTimestamp(request.updatedAt),
    DeletedAt: null
  }
}

export function toAccessRequestShow (request: AccessRequestWithCredentials): AccessRequestShow {
  return { ...toAccessRequestElem(request), Credentials: request.credentials.map(toCredential) }
}

export function toAppAccessRequest (request: AccessRequestWithCredentials): AppAccessRequest {
  return { ...toAccessRequestShow(request), Products: request.products.map((product) => product.name) }
}
