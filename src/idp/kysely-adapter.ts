// oidc-provider's storage Adapter over the portal's own database (table idp_models), so that clients,
// registration access tokens and issued tokens survive a restart (design.md §6). The contract is
// oidc-provider's: lib/adapters/memory_adapter.js and docs/README.md "adapter".
import type { Db } from '../db/database.ts'

/** What oidc-provider hands to and expects back from an adapter. */
export interface AdapterPayload {
  readonly [key: string]: unknown
  grantId?: string
  userCode?: string
  uid?: string
  /** Epoch seconds at which the model was consumed (one-time artifacts such as authorization codes). */
  consumed?: number
}

export class KyselyAdapter {
  constructor (private readonly db: Db, private readonly model: string, private readonly now: () => Date = () => new Date()) {}

  async upsert (id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const row = {
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      expires_at: typeof expiresIn === 'number' ? new Date(this.now().getTime() + expiresIn * 1000).toISOString() : null,
      consumed_at: null // an upsert replaces the whole record, as the memory adapter does
    }
    await this.db.insertInto('idp_models')
      .values({ model: this.model, id, ...row })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
      .execute()
  }

  async find (id: string): Promise<AdapterPayload | undefined> {
    return await this.findWhere('id', id)
  }

  async findByUserCode (userCode: string): Promise<AdapterPayload | undefined> {
    return await this.findWhere('user_code', userCode)
  }

  async findByUid (uid: string): Promise<AdapterPayload | undefined> {
    return await this.findWhere('uid', uid)
  }

  async consume (id: string): Promise<void> {
    await this.db.updateTable('idp_models')
      .set({ consumed_at: this.now().toISOString() })
      .where('model', '=', this.model).where('id', '=', id)
      .execute()
  }

  async destroy (id: string): Promise<void> {
    await this.db.deleteFrom('idp_models').where('model', '=', this.model).where('id', '=', id).execute()
  }

  /** Every token of a grant goes when the grant is revoked, whatever its model. */
  async revokeByGrantId (grantId: string): Promise<void> {
    await this.db.deleteFrom('idp_models').where('grant_id', '=', grantId).execute()
  }

  private async findWhere (column: 'id' | 'user_code' | 'uid', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.db.selectFrom('idp_models')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', this.model).where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', this.now().toISOString())]))
      .executeTakeFirst()
    if (row === undefined) return undefined
    const payload = JSON.parse(row.payload) as AdapterPayload
    if (row.consumed_at !== null) payload.consumed = Math.floor(Date.parse(row.consumed_at) / 1000)
    return payload
  }
}

/** The `adapter` option of oidc-provider: a (non-async) factory called once per model name. */
export function kyselyAdapterFactory (db: Db, now?: () => Date): (model: string) => KyselyAdapter {
  return (model) => new KyselyAdapter(db, model, now)
}

/** Expired rows are never returned by `find`; this reclaims their space. */
export async function deleteExpiredIdpModels (db: Db, now: Date = new Date()): Promise<number> {
  const result = await db.deleteFrom('idp_models').where('expires_at', '<=', now.toISOString()).executeTakeFirst()
  return Number(result.numDeletedRows)
}
