// The catalogue contract (Tyk Catalogue-create, -update, -index-elem, -show; OrganisationCatalogue-*).
import { Type, type Static } from 'typebox'
import { Id, IdOrName, IdRef, Ignored, List, StringEnum, Timestamp } from '../../http/schemas.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { VISIBILITIES, type AudienceRecord, type CatalogueRecord, type CatalogueWithContents } from './catalogue.record.ts'

export const CatalogueIdParam = Type.String({ description: 'UID of a catalogue (integer)', examples: ['1'] })
export const AudienceIdParam = Type.String({ description: 'UID of an audience (integer)', examples: ['1'] })

/** Tyk OrganisationCatalogue-create: a team, or an organisation (its default team). */
export const AudienceBody = Type.Object({
  OrganisationID: Type.Optional(IdRef('the organisation; alone, its default team')),
  TeamID: Type.Optional(IdRef('the team (of OrganisationID when both are given)'))
}, { additionalProperties: false })
export type AudienceInput = Static<typeof AudienceBody>

const Visibility = StringEnum(VISIBILITIES, { description: 'Public: every developer sees it; Private (default): only its audiences' })
const fields = {
  Name: Type.String({ minLength: 1, maxLength: 255, examples: ['Private catalogue'] }),
  NameWithSlug: Type.Optional(Type.String({ maxLength: 255, description: 'URL slug of the catalogue page (default: made from Name)', examples: ['private-catalogue'] })),
  VisibilityStatus: Type.Optional(Visibility),
  Products: Type.Optional(List(IdOrName, { maxItems: 1000, description: 'products offered: IDs, or the names a GET answered. Omitted on PUT keeps them; [] or null removes all' })),
  Plans: Type.Optional(List(IdOrName, { maxItems: 1000, description: 'plans offered: IDs, or the names a GET answered. Omitted on PUT keeps them; [] or null removes all' })),
  ID: Ignored(),
  CreatedAt: Ignored(),
  UpdatedAt: Ignored()
}

export const CatalogueBody = Type.Object({
  ...fields,
  OrgCatalogues: Type.Optional(List(AudienceBody, { maxItems: 1000, description: 'its audiences (teams that see it when Private)' }))
}, { additionalProperties: false })
export type CatalogueInput = Static<typeof CatalogueBody>

/** PUT (Tyk Catalogue-update): the same fields, none required; audiences change through /catalogues/{id}/audiences. */
export const CataloguePatch = Type.Object({
  ...Type.Partial(Type.Object(fields)).properties,
  OrgCatalogues: Ignored('Read-only here: audiences change through /catalogues/{catalogue_id}/audiences')
}, { additionalProperties: false })
export type CataloguePatch = Static<typeof CataloguePatch>

export const CatalogueElem = Type.Object({
  ID: Id,
  Name: Type.String({ examples: ['Private Catalogue'] }),
  NameWithSlug: Type.String({ examples: ['private-catalogue'] }),
  VisibilityStatus: Visibility
}, { additionalProperties: false, description: 'Tyk Catalogue-index-elem' })
export type CatalogueElem = Static<typeof CatalogueElem>

/** Tyk OrganisationCatalogue, with the IDs beside the names (our extension). */
const OrgCatalogue = Type.Object({
  ID: Id,
  Catalogue: Type.String({ description: 'name of the catalogue' }),
  Name: Type.String({ description: 'name of the audience: its team\'s' }),
  Organisation: Type.String({ description: 'name of the team\'s organisation' }),
  OrganisationID: Id,
  TeamID: Id
}, { additionalProperties: false })

export const CatalogueShow = Type.Object({
  ...CatalogueElem.properties,
  Products: Type.Array(Type.String(), { description: 'names of the products offered', examples: [['payment_api']] }),
  Plans: Type.Array(Type.String(), { description: 'names of the plans offered', examples: [['free_plan']] }),
  OrgCatalogues: Type.Array(OrgCatalogue, { description: 'its audiences' }),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp
}, { additionalProperties: false, description: 'Tyk Catalogue-show' })
export type CatalogueShow = Static<typeof CatalogueShow>

export const AudienceElem = Type.Object({ ID: Id, OrganisationID: Id, TeamID: Id }, { additionalProperties: false, description: 'Tyk OrganisationCatalogue-index-elem' })
export type AudienceElem = Static<typeof AudienceElem>
export const AudienceShow = Type.Object({ ...AudienceElem.properties, CreatedAt: Timestamp, UpdatedAt: Timestamp }, { additionalProperties: false, description: 'Tyk OrganisationCatalogue-show' })
export type AudienceShow = Static<typeof AudienceShow>

export function toCatalogueElem (catalogue: CatalogueRecord): CatalogueElem {
  return { ID: catalogue.id, Name: catalogue.name, NameWithSlug: catalogue.nameWithSlug, VisibilityStatus: catalogue.visibility }
}

export function toCatalogueShow (catalogue: CatalogueWithContents): CatalogueShow {
  return {
    ...toCatalogueElem(catalogue),
    Products: catalogue.products.map((product) => product.name),
    Plans: catalogue.plans.map((plan) => plan.name),
    OrgCatalogues: catalogue.audiences.map((audience) => ({
      ID: audience.id,
      Catalogue: audience.catalogueName,
      Name: audience.teamName,
      Organisation: audience.organisationName,
      OrganisationID: audience.organisationId,
      TeamID: audience.teamId
    })),
    CreatedAt: formatTimestamp(catalogue.createdAt),
    UpdatedAt: formatTimestamp(catalogue.updatedAt)
  }
}

export const toAudienceElem = (audience: AudienceRecord): AudienceElem => ({ ID: audience.id, OrganisationID: audience.organisationId, TeamID: audience.teamId })

export function toAudienceShow (audience: AudienceRecord): AudienceShow {
  return { ...toAudienceElem(audience), CreatedAt: formatTimestamp(audience.createdAt), UpdatedAt: formatTimestamp(audience.updatedAt) }
}
