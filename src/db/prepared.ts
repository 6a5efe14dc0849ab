// Queries on hot paths, built and compiled once per dialect instead of on every call: building and
// compiling a Kysely query cost more than the SQLite read itself on a client type GET (bench profile).
// On PostgreSQL their SQL also runs as a named prepared statement (database.ts): parsed and planned
// once per connection instead of on every call.
import type { Compilable, CompiledQuery } from 'kysely'
import type { Db } from './database.ts'
import { nameStatement } from './statement-names.ts'

/** Stands for the argument at `index` while the query is built, so that its parameter slot can be found. */
class Placeholder {
  constructor (readonly index: number) {}
}

/** Where each compiled parameter comes from: an argument of the call, or a constant of the query. */
type Slot = { readonly argument: number } | { readonly constant: unknown }

interface Prepared<O> { readonly query: CompiledQuery<O>; readonly slots: readonly Slot[] }

/**
 * A query made once from `build` and run with each call's arguments. `build` may use its arguments only as
 * values in the query (where, set, limit…), never to decide its shape: it runs once, with placeholders.
 */
export function preparedQuery<A extends readonly unknown[], O> (build: (db: Db, ...args: A) => Compilable<O>): (db: Db, ...args: A) => Promise<O[]> {
  // Per dialect adapter (a transaction shares its database's), as each dialect compiles its own SQL.
  const compiled = new WeakMap<object, Prepared<O>>()
  return async (db, ...args) => {
    const adapter = db.getExecutor().adapter
    let prepared = compiled.get(adapter)
    if (prepared === undefined) {
      const placeholders = args.map((_, index) => new Placeholder(index)) as unknown as A
      const query = build(db, ...placeholders).compile()
      const slots = query.parameters.map((value): Slot => value instanceof Placeholder ? { argument: value.index } : { constant: value })
      const unused = args.findIndex((_, index) => !slots.some((slot) => 'argument' in slot && slot.argument === index))
      if (unused !== -1) throw new Error(`preparedQuery: argument ${unused} is not a value of the query ${query.sql}`)
      prepared = { query, slots }
      compiled.set(adapter, prepared)
      nameStatement(query.sql)
    }
    const parameters = prepared.slots.map((slot) => 'argument' in slot ? args[slot.argument] : slot.constant)
    return (await db.executeQuery<O>({ ...prepared.query, parameters })).rows
  }
}
