import { timingSafeEqual } from 'node:crypto'

/** Whether a presented token equals the expected one, compared in constant time (its length aside). */
export function sameSecret (given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
