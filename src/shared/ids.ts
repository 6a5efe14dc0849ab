import type { AppError } from '../errors.ts'

/** The largest id a row can have: ids are `integer` columns, 32 bits on PostgreSQL (a larger one is refused there, not found). */
export const MAX_ID = 2_147_483_647

/**
 * A path id as the database knows it: a positive integer up to MAX_ID written in plain decimal digits.
 * Anything else ("0", "-1", "1e3", "abc", 2^31) cannot name a row, so callers answer 404 for it.
 */
export function parseId (raw: string): number | undefined {
  if (!/^[1-9]\d{0,9}$/.test(raw)) return undefined
  const id = Number(raw)
  return id <= MAX_ID ? id : undefined
}

/** The id a path names, or the resource's own 404 for one that cannot name a row (routes call this). */
export function idOr404 (raw: string, notFound: (raw: string) => AppError): number {
  const id = parseId(raw)
  if (id === undefined) throw notFound(raw)
  return id
}
