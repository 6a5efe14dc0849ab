import type { UserRow } from '../../db/tables/user.table.ts'
import { toMemberRecord, type MemberRecord } from '../organisations/member.record.ts'
import type { TeamRecord } from '../organisations/organisation.record.ts'

/** A user in domain terms: what the service returns; the routes answer it in Tyk's shape (user.schemas.ts). */
export interface UserRecord extends MemberRecord {
  readonly resetPassword: boolean
  /** '' for admin users. */
  readonly organisationName: string
  /** In team ID order; none for admin users. */
  readonly teams: readonly TeamRecord[]
  readonly createdAt: string // ISO 8601, UTC
  readonly updatedAt: string
}

export function toUserRecord (row: UserRow, organisationName: string, teams: readonly TeamRecord[]): UserRecord {
  return {
    ...toMemberRecord(row),
    resetPassword: row.reset_password === 1,
    organisationName,
    teams,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}
