/** Whether two lists hold the same values, order and repeats aside (scopes, grant types). */
export function sameSet (a: readonly unknown[], b: readonly unknown[]): boolean {
  const left = new Set(a)
  const right = new Set(b)
  return left.size === right.size && [...left].every((item) => right.has(item))
}
