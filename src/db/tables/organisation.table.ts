import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface OrganisationTable {
  id: Generated<number>
  name: string
  is_default: number // 1 for the Default Organisation (one row): the users of a deleted organisation go there
  created_at: string // ISO 8601, UTC
  updated_at: string
}

export interface TeamTable {
  id: Generated<number>
  organisation_id: number
  name: string
  is_default: number // 1 for the organisation's default team (one per organisation): where its new users go
  created_at: string
  updated_at: string
}

export type OrganisationRow = Selectable<OrganisationTable>
export type NewOrganisationRow = Insertable<OrganisationTable>
export type OrganisationChanges = Updateable<OrganisationTable>
export type TeamRow = Selectable<TeamTable>
export type NewTeamRow = Insertable<TeamTable>
export type TeamChanges = Updateable<TeamTable>
