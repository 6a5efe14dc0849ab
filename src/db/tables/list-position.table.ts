/** How many rows of one list hold ids in one block of 1024 ids; kept by triggers (migration 2026-12-02T0000). */
export interface ListPositionTable {
  list: string // the list's name (its table, or table and scope column)
  scope: number // the scoping column's value (provider, product, app, access request); 0 for a whole table
  block: number // id / 1024
  row_count: number
}
