/** The items of a canonical CSV column (scopes, grant types, redirect URLs); '' holds none. */
export function csvItems (csv: string): string[] {
  return csv === '' ? [] : csv.split(',')
}
