// The SQL of every prepared query (prepared.ts), each with a statement name of its own, for PostgreSQL to
// prepare once per connection (database.ts). A bounded set, fixed by the code.
const names = new Map<string, string>()

/** Gives `sql` a name, once. */
export function nameStatement (sql: string): void {
  if (!names.has(sql)) names.set(sql, `portal_prepared_${names.size + 1}`)
}

/** The statement name of a prepared query's SQL; undefined for any other SQL. */
export function preparedStatementName (sql: string): string | undefined {
  return names.get(sql)
}
