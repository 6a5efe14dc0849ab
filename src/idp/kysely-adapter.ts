// oidc-provider's storage Adapter over the portal's own database (table idp_models), so that clients,
// registration access tokens and issued tokens survive a restart (design.md §6). The contract is
// oidc-provider's: lib/adapters/memory_adapter.js and docs/README.md "adapter".
// At rest (issue 11 item 7): an opaque token's id IS the token, so ids and user codes are stored as
// SHA-256 digests and every payload (client secrets, token values) is sealed with the SecretBox, bound
// to its model and row. Deleting a client deletes every record of it, its tokens included (item 13).
import { createHash } from 'node:crypto'
import type { Db } from '../db/database.ts'
import type { SecretBox } from '../shared/secret-box.ts'

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
  constructor (private readonly db: Db, private readonly model: string, private readonly box: SecretBox, private readonly now: () => Date = () => new Date()) {}

  async upsert (id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = digest(id)
    const row = {
      payload: sealPayload(this.box, this.model, key, payload),
      grant_id: payload.grantId ?? null,
      user_code: payload.userCode === undefined ? null : digest(payload.userCode),
      uid: payload.uid ?? null,
      client_id: clientIdOf(this.model, id, payload),
      expires_at: typeof expiresIn === 'number' ? new Date(this.now().getTime() + expiresIn * 1000).toISOString() : null,
      consumed_at: null // an upsert replaces the whole record, as the memory adapter does
    }
    await this.db.insertInto('idp_models')
      .values({ model: this.model, id: key, ...row })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
      .execute()
  }

  async find (id: string): Promise<AdapterPayload | undefined> {
    return await this.findWhere('id', digest(id))
  }

  async findByUserCode (userCode: string): Promise<AdapterPayload | undefined> {
    return await this.findWhere('user_code', digest(userCode))
  }

  async findByUid (uid: string): Promise<AdapterPayload | undefined> {
    return await this.findWhere('uid', uid)
  }

  async consume (id: string): Promise<void> {
    await this.db.updateTable('idp_models')
      .set({ consumed_at: this.now().toISOString() })
      .where('model', '=', this.model).where('id', '=', digest(id))
      .execute()
  }

  async destroy (id: string): Promise<void> {
    if (this.model === 'Client') {
      // RFC 7009 §2.1 spirit: a deleted (or rotated-away) client's tokens must not outlive it.
      await this.db.deleteFrom('idp_models').where('client_id', '=', id).execute()
    }
    await this.db.deleteFrom('idp_models').where('model', '=', this.model).where('id', '=', digest(id)).execute()
  }

  /** Every token of a grant goes when the grant is revoked, whatever its model. */
  async revokeByGrantId (grantId: string): Promise<void> {
    await this.db.deleteFrom('idp_models').where('grant_id', '=', grantId).execute()
  }

  private async findWhere (column: 'id' | 'user_code' | 'uid', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.db.selectFrom('idp_models')
      .select(['id', 'payload', 'expires_at', 'consumed_at'])
      .where('model', '=', this.model).where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', this.now().toISOString())]))
      .executeTakeFirst()
    if (row === undefined) return undefined
    const payload = JSON.parse(this.box.open(row.payload, payloadContext(this.model, row.id))) as AdapterPayload
    if (row.consumed_at !== null) payload.consumed = Math.floor(Date.parse(row.consumed_at) / 1000)
    return payload
  }
}

/** The `adapter` option of oidc-provider: a (non-async) factory called once per model name. */
export function kyselyAdapterFactory (db: Db, box: SecretBox, now?: () => Date): (model: string) => KyselyAdapter {
  return (model) => new KyselyAdapter(db, model, box, now)
}

/** Expired rows are never returned by `find`; this reclaims their space. */
export async function deleteExpiredIdpModels (db: Db, now: Date = new Date()): Promise<number> {
  const result = await db.deleteFrom('idp_models').where('expires_at', '<=', now.toISOString()).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Rows written before sealing (plain JSON payload, the token itself as id) are rewritten as the adapter
 * writes them now: digested id and user code, sealed payload, client id filled in. Run at start; each row
 * is a compare-and-set, so a second run, or a concurrent replica, changes nothing twice.
 */
export async function sealLegacyIdpModels (db: Db, box: SecretBox): Promise<number> {
  const rows = await db.selectFrom('idp_models').select(['model', 'id', 'payload', 'user_code']).where('payload', 'like', '{%').execute()
  let sealed = 0
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as AdapterPayload
    const key = digest(row.id)
    const result = await db.updateTable('idp_models')
      .set({
        id: key,
        payload: sealPayload(box, row.model, key, payload),
        user_code: row.user_code === null ? null : digest(row.user_code),
        client_id: clientIdOf(row.model, row.id, payload)
      })
      .where('model', '=', row.model).where('id', '=', row.id).where('payload', '=', row.payload)
      .executeTakeFirst()
    sealed += Number(result.numUpdatedRows)
  }
  return sealed
}

/**
 * Key rotation (`npm run secrets:reseal`): every sealed payload not under the newest key is sealed again
 * under it, each row a compare-and-set. Rows still in plain JSON are left to sealLegacyIdpModels.
 */
export async function resealIdpModels (db: Db, box: SecretBox): Promise<number> {
  const rows = await db.selectFrom('idp_models').select(['model', 'id', 'payload'])
    .where('payload', 'like', 'v1.%').where('payload', 'not like', `v1.${box.currentKeyId}.%`).execute()
  let resealed = 0
  for (const row of rows) {
    const context = payloadContext(row.model, row.id)
    const result = await db.updateTable('idp_models').set({ payload: box.seal(box.open(row.payload, context), context) })
      .where('model', '=', row.model).where('id', '=', row.id).where('payload', '=', row.payload)
      .executeTakeFirst()
    resealed += Number(result.numUpdatedRows)
  }
  return resealed
}

/** The context a payload is sealed for: a sealed payload copied to another model or row does not open. */
export function payloadContext (model: string, storedId: string): string {
  return `idp_models.payload#${model}:${storedId}`
}

function sealPayload (box: SecretBox, model: string, storedId: string, payload: AdapterPayload): string {
  return box.seal(JSON.stringify(payload), payloadContext(model, storedId))
}

function digest (value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url')
}

function clientIdOf (model: string, id: string, payload: AdapterPayload): string | null {
  if (model === 'Client') return id
  return typeof payload.clientId === 'string' ? payload.clientId : null
}
