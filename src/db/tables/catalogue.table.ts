import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface CatalogueTable {
  id: Generated<number>
  name: string
  name_with_slug: string
  visibility: string // Private | Public
  created_at: string // ISO 8601, UTC
  updated_at: string
}

/** A product offered in a catalogue. */
export interface CatalogueProductTable {
  catalogue_id: number
  product_id: number
}

/** A plan offered in a catalogue. */
export interface CataloguePlanTable {
  catalogue_id: number
  plan_id: number
}

/** Tyk's audience (OrganisationCatalogue): a team a private catalogue is shown to. */
export interface CatalogueAudienceTable {
  id: Generated<number>
  catalogue_id: number
  team_id: number
  created_at: string
  updated_at: string
}

export type CatalogueRow = Selectable<CatalogueTable>
export type NewCatalogueRow = Insertable<CatalogueTable>
export type CatalogueChanges = Updateable<CatalogueTable>
export type CatalogueAudienceRow = Selectable<CatalogueAudienceTable>
