import type { Db } from './database.ts'

/** Ids per block; the migration that creates the triggers uses the same number. */
export const LIST_BLOCK = 1024

/** Every paged list, as the migrations 2026-12-02T0100-list-positions and 2026-12-04T0100-consumer-list-positions name them. */
export type ListName = 'oauth_providers' | 'oauth_client_types' | 'products' | 'product_client_types' | 'plans' | 'apps'
  | 'access_requests' | 'app_access_requests' | 'credentials' | 'audit_log'
  | 'organisations' | 'teams' | 'users' | 'catalogues' | 'catalogue_audiences'

/** Where a page starts: the ids of its block (`id >= fromId` ascending, `id < fromId` descending), then `skip` rows. */
export interface Seek {
  readonly fromId: number
  readonly skip: number
}

/**
 * Tyk pages by number (offset = (page - 1) × per_page); an OFFSET walks every row before the page. The
 * per-block row counts jump to the block holding row `offset`, so that the page walks less than one
 * block: N / 1024 counts plus at most 1024 index entries instead of `offset` rows (issue 14 item 3).
 * Undefined: the page lies past the end of the list.
 */
export async function seek (db: Db, list: ListName, scope: number, offset: number, order: 'asc' | 'desc' = 'asc'): Promise<Seek | undefined> {
  const blocks = await db.selectFrom('list_positions').select(['block', 'row_count'])
    .where('list', '=', list).where('scope', '=', scope).orderBy('block', order).execute()
  let before = 0
  for (const { block, row_count: rows } of blocks) {
    if (before + rows > offset) return { fromId: (order === 'asc' ? block : block + 1) * LIST_BLOCK, skip: offset - before }
    before += rows
  }
  return undefined
}
