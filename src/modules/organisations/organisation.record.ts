import type { OrganisationRow } from '../../db/tables/organisation.table.ts'
import type { TeamWithMembers } from './team.repository.ts'
import type { MemberRecord } from './member.record.ts'

/** An organisation in domain terms: what the service returns; the routes answer it in Tyk's shape (organisation.schemas.ts). */
export interface OrganisationRecord {
  readonly id: number
  readonly name: string
  /** The Default Organisation: where the users of a deleted organisation go; it cannot be deleted. */
  readonly isDefault: boolean
  readonly createdAt: string // ISO 8601, UTC
  readonly updatedAt: string
}

export interface TeamRecord {
  readonly id: number
  readonly organisationId: number
  readonly name: string
  /** The organisation's default team: where its new users go, and the members of a deleted team. */
  readonly isDefault: boolean
  /** Its members, in ID order. */
  readonly userIds: readonly number[]
  readonly createdAt: string
  readonly updatedAt: string
}

export interface OrganisationWithMembers extends OrganisationRecord {
  readonly teams: readonly TeamRecord[]
  readonly users: readonly MemberRecord[]
}

export function toOrganisationRecord (row: OrganisationRow): OrganisationRecord {
  return { id: row.id, name: row.name, isDefault: row.is_default === 1, createdAt: row.created_at, updatedAt: row.updated_at }
}

export function toTeamRecord (row: TeamWithMembers): TeamRecord {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    name: row.name,
    isDefault: row.is_default === 1,
    userIds: row.user_ids,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}
