// The columns that hold secrets, sealed before they reach a table and opened only where used. The row id
// is part of the associated data, so a sealed value needs its row: insert first, then seal (same transaction).
import type { SecretBox } from './secret-box.ts'

export const SEALED_COLUMNS = [
  { table: 'oauth_providers', column: 'registration_access_token' },
  { table: 'oauth_clients', column: 'client_secret' },
  { table: 'oauth_clients', column: 'registration_access_token' },
  { table: 'idp_deletions', column: 'registration_access_token' }
] as const
export type SealedColumn = (typeof SEALED_COLUMNS)[number]

const context = ({ table, column }: SealedColumn, rowId: number) => `${table}.${column}#${rowId}`

export function sealColumn (box: SecretBox, column: SealedColumn, rowId: number, value: string | null): string | null {
  return value === null ? null : box.seal(value, context(column, rowId))
}

export function openColumn (box: SecretBox, column: SealedColumn, rowId: number, value: string | null): string | null {
  return value === null ? null : box.open(value, context(column, rowId))
}

export const PROVIDER_TOKEN = SEALED_COLUMNS[0]
export const CLIENT_SECRET = SEALED_COLUMNS[1]
export const CLIENT_REGISTRATION_TOKEN = SEALED_COLUMNS[2]
export const DELETION_REGISTRATION_TOKEN = SEALED_COLUMNS[3]
