import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import type { UsageCheck } from '../usage/usage.ts'
import { recordAudit, type AuditSnapshot } from '../audit/audit.ts'
import { lockRow } from '../../db/lock-row.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import { toClientTypeRecord, type ClientTypeRecord } from '../oauth-providers/client-type.record.ts'
import type { ClientTypeRow } from '../../db/tables/client-type.table.ts'
import type { ServiceDeps } from '../oauth-providers/oauth-provider.service.ts'
import { storeFields } from './pass-through.ts'
import {
  attachClientTypes, deleteProduct, detachAttachmentsOf, detachClientTypes, findAttachedClientType, findAttachmentsOf,
  findClientTypeById, findClientTypesByIdOrName, findProduct, insertProduct, listAttachedClientTypes, listAttachedClientTypesPage, listProducts, updateProduct
} from './product.repository.ts'
import { toProductRecord, type AttachedClientType, type ProductRecord } from './product.record.ts'
import { PRODUCT_FIELD_NAMES, type ProductInput, type ProductPatch } from './product.schemas.ts'
import { decodeOnto } from '../../shared/decode-onto.ts'
import type { ProductRow } from '../../db/tables/product.table.ts'
import { claimScopes, releaseScopes } from './scope.repository.ts'
import { parseScopes } from './scope.values.ts'
import { listCataloguesOf, setCataloguesOf } from '../catalogues/catalogue.repository.ts'
import { resolveCatalogues } from '../catalogues/catalogue.service.ts'

/** Called once a product or plan is saved, outside the transaction, so that the IdP learns its scopes. */
export type ScopesSavedHook = (scopes: readonly string[]) => Promise<void>

export interface ProductServiceDeps extends ServiceDeps {
  readonly onScopesSaved?: ScopesSavedHook
}

/** 404 for a product id, as a path wrote it or as a number (the same text: ids are plain digits). */
export const productNotFound = (id: string | number) => new AppError('not_found', `Product Not found: product_id ${show(String(id))}`)

/** The product row, or 404. */
export async function getProductRow (db: Db, id: number): Promise<ProductRow> {
  const row = await findProduct(db, id)
  if (row === undefined) throw productNotFound(id)
  return row
}

export class ProductService {
  constructor (private readonly deps: ProductServiceDeps & { readonly snapshot: AuditSnapshot<ProductRecord> }) {}

  async list (page: Page): Promise<ProductRecord[]> {
    return await records(this.deps.db, await listProducts(this.deps.db, page))
  }

  async create (input: ProductInput, ctx: WriteContext<ProductRecord>): Promise<ProductRecord> {
    const fields = validateProduct(input)
    const now = this.deps.now().toISOString()
    const product = await this.deps.db.transaction().execute(async (trx) => {
      const templates = await resolveTemplates(trx, input.Templates ?? [], [])
      const catalogues = await resolveCatalogues(trx, input.Catalogues)
      const row = await insertProduct(trx, { ...fields.row, created_at: now, updated_at: now })
      await claimScopes(trx, { kind: 'product', id: row.id }, 'Scopes', fields.scopes)
      await attachClientTypes(trx, row.id, templates, now)
      await setCataloguesOf(trx, 'product', row.id, catalogues ?? [])
      const after = await record(trx, row)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'create', resourceType: 'product', resourceId: row.id, after: this.deps.snapshot(after) })
      return after
    })
    await this.scopesSaved(fields.scopes)
    return product
  }

  async get (id: number): Promise<ProductRecord> {
    return await record(this.deps.db, await getProductRow(this.deps.db, id))
  }

  /** Tyk PUT: the body decoded onto the stored product; `Templates` or `Catalogues` omitted keep them, [] or null removes them all. */
  async update (id: number, patch: ProductPatch, ctx: WriteContext<ProductRecord>): Promise<ProductRecord> {
    const now = this.deps.now().toISOString()
    const product = await this.deps.db.transaction().execute(async (trx) => {
      const current = await currentProduct(trx, id, ctx)
      const input = decodeOnto({ Name: current.name, DCREnabled: current.dcrEnabled, Scopes: current.scopes.join(','), ...current.passThrough }, patch)
      const fields = validateProduct(input)
      if (input.Templates !== undefined) {
        const attached = current.clientTypes.map((type) => type.id)
        const templates = await resolveTemplates(trx, input.Templates ?? [], attached)
        await detachClientTypes(trx, current.id, attached.filter((id) => !templates.includes(id)))
        await attachClientTypes(trx, current.id, templates, now)
      }
      const catalogues = await resolveCatalogues(trx, input.Catalogues)
      if (catalogues !== undefined) await setCataloguesOf(trx, 'product', current.id, catalogues)
      const row = await updateProduct(trx, current.id, { ...fields.row, updated_at: now })
      await claimScopes(trx, { kind: 'product', id: current.id }, 'Scopes', fields.scopes)
      const after = row === undefined ? current : await record(trx, row)
      await recordAudit(trx, {
        actor: ctx.actor, at: this.deps.now(), action: 'update', resourceType: 'product', resourceId: current.id, before: this.deps.snapshot(current), after: this.deps.snapshot(after)
      })
      return { after, scopes: fields.scopes }
    })
    await this.scopesSaved(product.scopes)
    return product.after
  }

  /** Deleting a product detaches its client types (they survive) and frees its scopes. */
  async remove (id: number, ctx: WriteContext<ProductRecord>): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await currentProduct(trx, id, ctx)
      await detachClientTypes(trx, id)
      await releaseScopes(trx, { kind: 'product', id })
      await deleteProduct(trx, id)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'delete', resourceType: 'product', resourceId: id, before: this.deps.snapshot(current) })
    })
  }

  async listClientTypes (productId: number, page: Page): Promise<AttachedClientType[]> {
    const product = await getProductRow(this.deps.db, productId)
    return (await listAttachedClientTypesPage(this.deps.db, product.id, page)).map((type) => ({ id: type.id, name: type.name, providerId: type.provider_id }))
  }

  /** Attaching a client type already attached answers the same (idempotent, so scripts can re-run). */
  async attachClientType (productId: number, clientTypeId: number, ctx: WriteContext): Promise<ClientTypeRecord> {
    return await this.deps.db.transaction().execute(async (trx) => {
      const product = await getProductRow(trx, productId)
      const type = await findClientTypeById(trx, clientTypeId)
      if (type === undefined) throw new AppError('invalid_input', `ID ${show(clientTypeId)} is not the ID of a client type`)
      if (await findAttachedClientType(trx, product.id, type.id) === undefined) {
        await attachClientTypes(trx, product.id, [type.id], this.deps.now().toISOString())
        await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'attach_client_type', resourceType: 'product', resourceId: product.id, after: attachmentSnapshot(type) })
      }
      return toClientTypeRecord(type)
    })
  }

  async getClientType (productId: number, clientTypeId: number): Promise<ClientTypeRecord> {
    return toClientTypeRecord(await getAttachedClientType(this.deps.db, productId, clientTypeId))
  }

  /** The 404 for a client type id (a number, or a path's text that names no row) not attached to a product. */
  async attachmentNotFound (productId: number, clientTypeId: string | number): Promise<AppError> {
    await getProductRow(this.deps.db, productId)
    return attachmentNotFound(productId, clientTypeId)
  }

  /** Detaches only: the client type itself survives. */
  async detachClientType (productId: number, clientTypeId: number, ctx: WriteContext): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const type = await getAttachedClientType(trx, productId, clientTypeId)
      await detachClientTypes(trx, type.product_id, [type.id])
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'detach_client_type', resourceType: 'product', resourceId: type.product_id, before: attachmentSnapshot(type) })
    })
  }

  private async scopesSaved (scopes: readonly string[]): Promise<void> {
    if (scopes.length > 0 && this.deps.onScopesSaved !== undefined) await this.deps.onScopesSaved(scopes)
  }
}

/** The product to change; with a precondition (If-Match), locked first and then checked (412). */
async function currentProduct (trx: Db, id: number, ctx: WriteContext<ProductRecord>): Promise<ProductRecord> {
  if (ctx.precondition !== undefined) await lockRow(trx, 'products', id)
  const current = await record(trx, await getProductRow(trx, id))
  ctx.precondition?.(current, `product ${current.id}`)
  return current
}

async function record (db: Db, row: ProductRow): Promise<ProductRecord> {
  const [product] = await records(db, [row])
  return product!
}

/** The products with their client types and catalogues (two queries for a page). */
async function records (db: Db, rows: readonly ProductRow[]): Promise<ProductRecord[]> {
  const ids = rows.map((row) => row.id)
  const attached = await listAttachedClientTypes(db, ids)
  const catalogues = await listCataloguesOf(db, 'product', ids)
  return rows.map((row) => toProductRecord(row, attached.filter((type) => type.product_id === row.id), catalogues.filter((catalogue) => catalogue.offer_id === row.id)))
}

/** An attachment as the audit trail keeps it (our format: there is no GET of an attachment by itself). */
const attachmentSnapshot = (type: { id: number; name: string }) => ({ ClientTypeID: type.id, Name: type.name })

async function getAttachedClientType (db: Db, productId: number, clientTypeId: number): Promise<ClientTypeRow & { product_id: number }> {
  const product = await getProductRow(db, productId)
  const row = await findAttachedClientType(db, product.id, clientTypeId)
  if (row === undefined) throw attachmentNotFound(productId, clientTypeId)
  return { ...row, product_id: product.id }
}

const attachmentNotFound = (productId: number, clientTypeId: string | number) =>
  new AppError('not_found', `Client type is not found: client_type_id ${show(String(clientTypeId))} is not attached to product_id ${show(String(productId))}`)

function validateProduct (input: Pick<ProductInput, 'Name' | 'DCREnabled' | 'Scopes'> & Readonly<Record<string, unknown>>) {
  const problems: string[] = []
  if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
  const scopes = parseScopes('Scopes', input.Scopes ?? '', problems)
  if (problems.length > 0) throw new AppError('invalid_input', problems)
  return {
    scopes,
    row: {
      name: input.Name,
      dcr_enabled: input.DCREnabled === true ? 1 : 0,
      scopes: scopes.join(','),
      fields: storeFields(input, PRODUCT_FIELD_NAMES)
    }
  }
}

/**
 * `Templates` as written: client type IDs, or the names a GET returned (GET-modify-PUT). Client type
 * names are unique per provider only: a name shared by several types resolves to the ones already
 * attached to this product, and is refused as ambiguous otherwise. Unknown and repeated items are named.
 */
async function resolveTemplates (db: Db, templates: ReadonlyArray<number | string>, attached: readonly number[]): Promise<number[]> {
  const ids = templates.filter((item): item is number => typeof item === 'number')
  const names = templates.filter((item): item is string => typeof item === 'string')
  const known = await findClientTypesByIdOrName(db, ids, names)
  const problems: string[] = []
  const resolved: number[] = []
  templates.forEach((item, index) => {
    const field = `Templates[${index}]`
    let id: number | undefined
    if (typeof item === 'number') {
      id = known.find((type) => type.id === item)?.id
      if (id === undefined) problems.push(`${field} is not the ID of a client type, got ${show(item)}`)
    } else {
      const named = known.filter((type) => type.name === item)
      id = named.length === 1 ? named[0]?.id : named.find((type) => attached.includes(type.id) && !resolved.includes(type.id))?.id
      if (named.length === 0) problems.push(`${field} is not the name of a client type, got ${show(item)}`)
      else if (id === undefined) problems.push(`${field} ${show(item)} names client types ${named.map((type) => type.id).join(', ')} of different providers: send the ID instead`)
    }
    if (id === undefined) return
    if (resolved.includes(id)) problems.push(`Templates lists client type ${id} more than once, got ${show(item)} at position ${index + 1}`)
    else resolved.push(id)
  })
  if (problems.length > 0) throw new AppError('invalid_input', problems)
  return resolved
}

/**
 * Client types attached to products are in use (tyk-portal-api.md §7): deleting one, or its provider,
 * answers 400 naming the products unless ?force=true, which detaches it first.
 */
export const productAttachments: UsageCheck = {
  async findUses (db, target) {
    return (await findAttachmentsOf(db, target)).map((use) =>
      `client type ${use.client_type_id} ${show(use.client_type_name)} is attached to product ${use.product_id} ${show(use.product_name)}`)
  },
  async release (db, target) {
    await detachAttachmentsOf(db, target)
  }
}
