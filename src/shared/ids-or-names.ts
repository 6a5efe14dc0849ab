// List fields that name other resources (a product's or plan's Catalogues, a catalogue's Products and Plans)
// take IDs, as Tyk writes them, or the names a GET answered, so that GET-modify-PUT works (design.md §2).
import { show } from '../errors.ts'

export interface Named {
  readonly id: number
  readonly name: string
}

/** The IDs the items name, in order; each unknown or repeated item named in `problems` (`what`: "catalogue"). */
export function resolveIdsOrNames (field: string, items: ReadonlyArray<number | string>, known: readonly Named[], what: string, problems: string[]): number[] {
  const resolved: number[] = []
  items.forEach((item, index) => {
    const id = known.find((named) => typeof item === 'number' ? named.id === item : named.name === item)?.id
    if (id === undefined) problems.push(`${field}[${index}] is not the ${typeof item === 'number' ? 'ID' : 'name'} of a ${what}, got ${show(item)}`)
    else if (resolved.includes(id)) problems.push(`${field} lists ${what} ${id} more than once, got ${show(item)} at position ${index + 1}`)
    else resolved.push(id)
  })
  return resolved
}

/** The IDs and the names among the items, for the one query that finds them all. */
export function splitIdsAndNames (items: ReadonlyArray<number | string>): { ids: number[]; names: string[] } {
  return { ids: items.filter((item) => typeof item === 'number'), names: items.filter((item) => typeof item === 'string') }
}
