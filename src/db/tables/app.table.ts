import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface AppTable {
  id: Generated<number>
  name: string
  description: string
  redirect_urls: string // canonical CSV, each URL as given (trimmed); '' when none
  user_id: number // 0 when the app belongs to no user
  visibility: string // personal | team | organisation
  created_at: string // ISO 8601, UTC
  updated_at: string
}

export type AppRow = Selectable<AppTable>
export type NewAppRow = Insertable<AppTable>
export type AppChanges = Updateable<AppTable>
