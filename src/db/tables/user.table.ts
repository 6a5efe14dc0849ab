import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface UserTable {
  id: Generated<number>
  email: string // unique ignoring case; '' only for the users migration 2026-12-04T0000 made for apps' UserIDs
  first_name: string
  last_name: string
  role: string // super-admin | provider-admin | consumer-admin | consumer-team-member
  provider: string // how the user signs in (Tyk's Provider: password, github, …)
  active: number // 0 | 1
  reset_password: number // 0 | 1
  organisation_id: number | null // null for admin users (Tyk answers OrganisationID 0)
  subject: string | null // who signs in as this user: "<OIDC issuer> <sub>", unique; null until someone does
  created_at: string // ISO 8601, UTC
  updated_at: string
}

/** A user's membership of a team (of the user's organisation). */
export interface UserTeamTable {
  user_id: number
  team_id: number
}

export type UserRow = Selectable<UserTable>
export type NewUserRow = Insertable<UserTable>
export type UserChanges = Updateable<UserTable>
