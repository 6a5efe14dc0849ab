/** Which product or plan holds a scope; exactly one of the two ids is set, and a scope has one owner. */
export interface ScopeOwnerTable {
  scope: string
  product_id: number | null
  plan_id: number | null
}
