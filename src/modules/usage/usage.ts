import { AppError } from '../../errors.ts'
import type { Db } from '../../db/database.ts'

/** A provider, or one client type of it, about to be deleted. */
export interface DeletionTarget {
  readonly providerId: number
  readonly clientTypeId?: number
}

/**
 * What keeps a provider or client type from being deleted (Tyk: 400 unless ?force=true, tyk-portal-api.md §7).
 * Modules that use client types (products, credentials) contribute one.
 */
export interface UsageCheck {
  /** Why the target is in use; empty when it is free. Runs inside the delete transaction. */
  findUses(db: Db, target: DeletionTarget): Promise<string[]>
  /** With ?force=true, before the transaction: work that calls an IdP (revoking clients), never inside one. */
  prepareRelease?(target: DeletionTarget): Promise<void>
  /** With ?force=true, inside the delete transaction: let go of the target (detach, reject). */
  release(db: Db, target: DeletionTarget): Promise<void>
}

/**
 * Deletes the target in one transaction: refuses with every reason when it is in use and `force`
 * is false; with `force`, each check first releases what it holds (IdP calls before the transaction).
 */
export async function deleteUnlessInUse (
  db: Db,
  checks: readonly UsageCheck[],
  target: DeletionTarget,
  force: boolean,
  remove: (trx: Db) => Promise<void>
): Promise<void> {
  if (force) for (const check of checks) await check.prepareRelease?.(target)
  await db.transaction().execute(async (trx) => {
    const uses = (await Promise.all(checks.map((check) => check.findUses(trx, target)))).flat()
    if (uses.length > 0 && !force) throw new AppError('conflict_in_use', [...uses, 'delete with ?force=true to remove it anyway'])
    for (const check of checks) await check.release(trx, target)
    await remove(trx)
  })
}
