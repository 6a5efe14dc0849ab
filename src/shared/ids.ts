import type { AppError } from '../errors.ts'

/**
 * A path id as the database knows it: a positive safe integer written in plain decimal digits.
 * Anything else ("0", "-1", "1e3", "abc", 2^53+1) cannot name a row, so callers answer 404 for it.
 */
export function parseId (raw: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return undefined
  const id = Number(raw)
  return Number.isSafeInteger(id) ? id : undefined
}

/** The id a path names, or the resource's own 404 for one that cannot name a row (routes call this). */
export function idOr404 (raw: string, notFound: (raw: string) => AppError): number {
  const id = parseId(raw)
  if (id === undefined) throw notFound(raw)
  return id
}
