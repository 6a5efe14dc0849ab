import { AppError, show } from '../../errors.ts'
import { uniqueOrConflict, type Db } from '../../db/database.ts'

export interface ScopeOwner { readonly kind: 'product' | 'plan'; readonly id: number }

/**
 * Makes `owner` the holder of exactly these scopes. A scope held by another product or plan is a
 * 409 naming the scope and its holder (Tyk maps each scope to one policy); the unique constraint
 * catches the race between two saves.
 */
export async function claimScopes (db: Db, owner: ScopeOwner, field: string, scopes: readonly string[]): Promise<void> {
  await releaseScopes(db, owner)
  if (scopes.length === 0) return
  const held = await db.selectFrom('scope_owners')
    .leftJoin('products', 'products.id', 'scope_owners.product_id')
    .leftJoin('plans', 'plans.id', 'scope_owners.plan_id')
    .select(['scope_owners.scope', 'scope_owners.product_id', 'scope_owners.plan_id', 'products.name as product_name', 'plans.name as plan_name'])
    .where('scope_owners.scope', 'in', [...scopes])
    .orderBy('scope_owners.scope')
    .execute()
  if (held.length > 0) {
    throw new AppError('conflict_taken', held.map((row) => {
      const holder = row.product_id !== null ? `product ${row.product_id} ${show(row.product_name)}` : `plan ${String(row.plan_id)} ${show(row.plan_name)}`
      return `${field} ${show(row.scope)} is already used by ${holder}: a scope belongs to one product or plan`
    }))
  }
  const rows = scopes.map((scope) => ({ scope, product_id: owner.kind === 'product' ? owner.id : null, plan_id: owner.kind === 'plan' ? owner.id : null }))
  await uniqueOrConflict(db.insertInto('scope_owners').values(rows).execute(), `${field} ${show(scopes.join(','))}: a scope is already used by another product or plan`)
}

export async function releaseScopes (db: Db, owner: ScopeOwner): Promise<void> {
  await db.deleteFrom('scope_owners').where(owner.kind === 'product' ? 'product_id' : 'plan_id', '=', owner.id).execute()
}
