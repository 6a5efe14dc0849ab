import { AppError, show } from '../errors.ts'

export interface Page {
  readonly limit: number
  readonly offset: number
}

export interface PageQuery {
  readonly page?: string
  readonly per_page?: string
  readonly limit?: string
}

export const MAX_PER_PAGE = 1000
const DEFAULT_PER_PAGE = 20

/**
 * Tyk's list paging (tyk-portal-api.md §1): `page` is 1-based; the offset is always
 * (page - 1) × per_page; `limit` (default per_page) sets how many rows that page returns.
 * A page size above the maximum is read as the maximum (clamped, design.md §2); every bad value is
 * named in one error.
 */
export function parsePage (query: PageQuery): Page {
  const problems: string[] = []
  const read = (name: keyof PageQuery, fallback: number, max: number, clamp: boolean): number => {
    const raw = query[name]
    if (raw === undefined) return fallback
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
    if (value >= 1 && value <= max) return value
    if (clamp && value > max) return max
    problems.push(`query parameter ${name} must be an integer from 1 to ${max}, got ${show(raw)}`)
    return fallback
  }
  const page = read('page', 1, 1_000_000_000, false)
  const perPage = read('per_page', DEFAULT_PER_PAGE, MAX_PER_PAGE, true)
  const limit = read('limit', perPage, MAX_PER_PAGE, true)
  if (problems.length > 0) throw new AppError('malformed_request', problems)
  return { limit, offset: (page - 1) * perPage }
}
