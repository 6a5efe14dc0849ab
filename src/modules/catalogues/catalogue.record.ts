import type { Named } from '../../shared/ids-or-names.ts'
import type { CatalogueRow } from '../../db/tables/catalogue.table.ts'
import type { AudienceView } from './audience.repository.ts'

export const VISIBILITIES = ['Private', 'Public'] as const

/** A catalogue in domain terms: what the service returns; the routes answer it in Tyk's shape (catalogue.schemas.ts). */
export interface CatalogueRecord {
  readonly id: number
  readonly name: string
  readonly nameWithSlug: string
  /** Public: every developer sees it; Private: only its audiences. */
  readonly visibility: (typeof VISIBILITIES)[number]
  readonly createdAt: string // ISO 8601, UTC
  readonly updatedAt: string
}

/** Tyk's audience (OrganisationCatalogue): a team of an organisation that sees a private catalogue. */
export interface AudienceRecord {
  readonly id: number
  readonly catalogueId: number
  readonly catalogueName: string
  readonly teamId: number
  readonly teamName: string
  readonly organisationId: number
  readonly organisationName: string
  readonly createdAt: string
  readonly updatedAt: string
}

export interface CatalogueWithContents extends CatalogueRecord {
  /** The products and plans it offers, in ID order. */
  readonly products: readonly Named[]
  readonly plans: readonly Named[]
  readonly audiences: readonly AudienceRecord[]
}

export function toCatalogueRecord (row: CatalogueRow): CatalogueRecord {
  return {
    id: row.id,
    name: row.name,
    nameWithSlug: row.name_with_slug,
    visibility: row.visibility as CatalogueRecord['visibility'],
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

export function toAudienceRecord (view: AudienceView): AudienceRecord {
  return {
    id: view.id,
    catalogueId: view.catalogue_id,
    catalogueName: view.catalogue_name,
    teamId: view.team_id,
    teamName: view.team_name,
    organisationId: view.organisation_id,
    organisationName: view.organisation_name,
    createdAt: view.created_at,
    updatedAt: view.updated_at
  }
}
