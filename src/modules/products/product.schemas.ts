// The product contract (tyk-portal-api.md §5.1; Product-show, the create/update examples, ProductClientType*).
import { Type, type Static, type TSchema } from 'typebox'
import { Id, IdOrName, IdRef, Ignored, List, StringEnum, Timestamp } from '../../http/schemas.ts'
import { OKTA_APP_TYPES } from '../oauth-providers/client-type.values.ts'
import type { ClientTypeRecord } from '../oauth-providers/client-type.record.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { LooseObject, SafeInteger, Text, optional } from './pass-through.ts'
import type { ProductRecord } from './product.record.ts'

export const ProductIdParam = Type.String({ description: 'UID of this API Product (integer)', examples: ['1'] })
export const ProductClientTypeIdParam = Type.String({ description: 'UID of a client type attached to this API Product (integer)', examples: ['1'] })

/**
 * Tyk's descriptive product fields: accepted with their Tyk types, stored as given and answered
 * unchanged; no behaviour here. (Tyk writes Tags as IDs and reads them as names: this service has no
 * tags, so both are accepted and returned as sent.)
 */
const PRODUCT_FIELDS = {
  APIDetails: List(Type.Object({
    APIID: Type.Optional(Type.String()),
    APIType: Type.Optional(Type.String()),
    Description: Type.Optional(Type.String()),
    ListenPath: Type.Optional(Type.String()),
    Name: Type.Optional(Type.String()),
    OASUrl: Type.Optional(Type.String()),
    Status: Type.Optional(Type.Boolean()),
    TargetURL: Type.Optional(Type.String())
  }, { additionalProperties: true }), { maxItems: 1000, description: 'APIs included in this API Product' }),
  AuthType: Text(255, 'authentication type of the APIs (ex. authToken, jwt)'),
  AuthTypes: List(Type.String({ maxLength: 255 }), { maxItems: 100, description: 'authentication types of the APIs (ex. ["key","oauth2"])' }),
  CID: Text(255, 'portable ID of this API Product (Tyk 1.13 custom IDs)'),
  Content: Text(262144, 'marketing description, HTML fragment'),
  Description: Text(65536, 'short description shown in the catalogue'),
  DisplayName: Text(1024, 'name shown in the catalogue'),
  DocsOnly: Type.Boolean({ description: 'documentation-only product (older spelling)' }),
  Documentation: List(LooseObject('one API documentation entry'), { maxItems: 1000, description: 'API documentation entries' }),
  Feature: Type.Boolean({ description: 'featured on the portal home page' }),
  IsDocumentationOnly: Type.Boolean({ description: 'documentation-only product' }),
  Logo: Text(2048, 'path to the logo image'),
  Path: Text(2048, 'URI fragment of this product in the catalogue'),
  Preview: Text(2048, 'path to the preview image'),
  ProviderID: SafeInteger('the API gateway provider (Tyk Dashboard), not the OAuth2.0 provider', 0),
  ReferenceID: Text(255, 'UID of this API Product in the API provider (policy ID)'),
  SpecDetails: List(LooseObject('one specification'), { maxItems: 1000, description: 'specifications of a documentation-only product' }),
  Tags: List(IdOrName, { maxItems: 1000, description: 'tag IDs (write) or names (read)' })
} satisfies Record<string, TSchema>
export const PRODUCT_FIELD_NAMES = Object.keys(PRODUCT_FIELDS) as ReadonlyArray<keyof typeof PRODUCT_FIELDS>

const OptionalProductFields = optional(PRODUCT_FIELDS)

export const ProductBody = Type.Object({
  Name: Type.String({ minLength: 1, maxLength: 255, examples: ['payment_api'] }),
  DCREnabled: Type.Optional(Type.Boolean({ description: 'Dynamic Client Registration is on for this product (default false)' })),
  Scopes: Type.Optional(Type.String({ maxLength: 4096, description: 'OAuth2.0 scopes, comma or space separated; each unique across products and plans', examples: ['payments,clients'] })),
  Templates: Type.Optional(List(IdOrName, {
    maxItems: 100,
    description: 'client types offered: IDs, or the names a GET returned. Omitted on PUT keeps the attachments; [] detaches all'
  })),
  Catalogues: Type.Optional(List(IdOrName, {
    maxItems: 1000,
    description: 'catalogues offering it: IDs (as Tyk writes them), or the names a GET answered. Omitted on PUT keeps them; [] removes it from all'
  })),
  ...OptionalProductFields,
  ID: Ignored(),
  CreatedAt: Ignored(),
  UpdatedAt: Ignored()
}, { additionalProperties: false })
export type ProductInput = Static<typeof ProductBody>
export type ProductFields = Partial<Pick<ProductInput, (typeof PRODUCT_FIELD_NAMES)[number]>>
/** PUT: the same fields, none required (decoded onto the stored product, as Tyk's handler does). */
export const ProductPatch = Type.Partial(ProductBody, { additionalProperties: false })
export type ProductPatch = Static<typeof ProductPatch>

/**
 * What a product answers for a field of Tyk's Product-show never written: Go's zero value, as Tyk answers
 * (lists as [], not Go's null: a list is never null in our answers). DocsOnly and Documentation are not in
 * Product-show: answered only when written.
 */
const PRODUCT_DEFAULTS = {
  APIDetails: [], AuthType: '', AuthTypes: [], CID: '', Content: '', Description: '', DisplayName: '', Feature: false,
  IsDocumentationOnly: false, Logo: '', Path: '', Preview: '', ProviderID: 0, ReferenceID: '', SpecDetails: [], Tags: []
} as const satisfies ProductFields
const { DocsOnly, Documentation, ...ShownProductFields } = PRODUCT_FIELDS

export const ProductShow = Type.Object({
  ID: Id,
  Name: Type.String(),
  DCREnabled: Type.Boolean(),
  Scopes: Type.String({ description: 'canonical: comma-separated', examples: ['payments,clients'] }),
  Templates: Type.Array(Type.String(), { description: 'names of the client types offered', examples: [['Web application']] }),
  Catalogues: Type.Array(Type.String(), { description: 'names of the catalogues offering it (Tyk answers names)', examples: [['Public Catalogue']] }),
  ...ShownProductFields,
  ...optional({ DocsOnly, Documentation }),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp
}, { additionalProperties: false })
export type ProductShow = Static<typeof ProductShow>

export function toProductShow (product: ProductRecord): ProductShow {
  return {
    ID: product.id,
    Name: product.name,
    DCREnabled: product.dcrEnabled,
    Scopes: product.scopes.join(','),
    Templates: product.clientTypes.map((type) => type.name),
    Catalogues: product.catalogues.map((catalogue) => catalogue.name),
    ...PRODUCT_DEFAULTS,
    ...(product.passThrough as ProductFields),
    CreatedAt: formatTimestamp(product.createdAt),
    UpdatedAt: formatTimestamp(product.updatedAt)
  }
}

// Attachments: /products/{product_id}/client_types (Tyk ProductClientTypeAttach / ListItem / Response).
export const ProductClientTypeAttach = Type.Object({
  ID: { ...IdRef('ID of the client type to attach'), examples: [11] }
}, { additionalProperties: false })
export type ProductClientTypeAttach = Static<typeof ProductClientTypeAttach>

export const ProductClientTypeListItem = Type.Object({ ID: Id, Name: Type.String() }, { additionalProperties: false })

export const ProductClientTypeResponse = Type.Object({
  Name: Type.String(),
  ID: Id,
  Description: Type.String(),
  GrantType: Type.String({ examples: ['authorization_code'] }),
  OktaAppType: StringEnum(['', ...OKTA_APP_TYPES]),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp
}, { additionalProperties: false })
export type ProductClientTypeResponse = Static<typeof ProductClientTypeResponse>

export function toProductClientTypeResponse (type: ClientTypeRecord): ProductClientTypeResponse {
  return {
    Name: type.name,
    ID: type.id,
    Description: type.description,
    GrantType: type.grantTypes.join(','),
    OktaAppType: type.oktaAppType,
    CreatedAt: formatTimestamp(type.createdAt),
    UpdatedAt: formatTimestamp(type.updatedAt)
  }
}
