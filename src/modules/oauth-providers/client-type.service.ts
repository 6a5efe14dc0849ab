import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { deleteUnlessInUse } from '../usage/usage.ts'
import { recordAudit, type AuditSnapshot } from '../audit/audit.ts'
import { lockRow } from '../../db/lock-row.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import { getProviderRow, providerNotFound, type ServiceDeps } from '../oauth-providers/oauth-provider.service.ts'
import { findProvider } from '../oauth-providers/oauth-provider.repository.ts'
import { deleteClientTypes, findClientType, insertClientType, listClientTypes, updateClientType } from './client-type.repository.ts'
import { toClientTypeRecord, type ClientTypeRecord } from './client-type.record.ts'
import type { ClientTypeInput, ClientTypePatch } from './client-type.schemas.ts'
import { decodeOnto } from '../../shared/decode-onto.ts'
import type { ClientTypeRow } from '../../db/tables/client-type.table.ts'
import { GRANT_TYPES, RESPONSE_TYPE_ALIASES, RESPONSE_TYPES, TOKEN_ENDPOINT_AUTH_METHODS, parseValueList } from './client-type.values.ts'

export class ClientTypeService {
  constructor (private readonly deps: ServiceDeps & { readonly snapshot: AuditSnapshot<ClientTypeRecord> }) {}

  async list (providerId: number, page: Page): Promise<ClientTypeRecord[]> {
    const provider = await getProviderRow(this.deps.db, providerId)
    return (await listClientTypes(this.deps.db, provider.id, page)).map(toClientTypeRecord)
  }

  async create (providerId: number, input: ClientTypeInput, ctx: WriteContext<ClientTypeRecord>): Promise<ClientTypeRecord> {
    const fields = validateClientType(input)
    const now = this.deps.now().toISOString()
    return await this.deps.db.transaction().execute(async (trx) => {
      const provider = await getProviderRow(trx, providerId)
      const created = toClientTypeRecord(await insertClientType(trx, { ...fields, provider_id: provider.id, created_at: now, updated_at: now }))
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'create', resourceType: 'client_type', resourceId: created.id, after: this.deps.snapshot(created) })
      return created
    })
  }

  /** The 404 for a client type id that names no row of this provider (or the provider's own). */
  async notFound (providerId: number, id: string | number): Promise<AppError> {
    return await clientTypeNotFound(this.deps.db, providerId, id)
  }

  async get (providerId: number, id: number): Promise<ClientTypeRecord> {
    return toClientTypeRecord(await getClientTypeRow(this.deps.db, providerId, id))
  }

  /** Tyk PUT: the body decoded onto the stored client type (omitted fields keep their values). */
  async update (providerId: number, id: number, patch: ClientTypePatch, ctx: WriteContext<ClientTypeRecord>): Promise<ClientTypeRecord> {
    return await this.deps.db.transaction().execute(async (trx) => {
      const current = await currentClientType(trx, providerId, id, ctx)
      const fields = validateClientType(decodeOnto({
        Name: current.name,
        Description: current.description,
        ResponseTypes: current.responseTypes.join(','),
        GrantType: current.grantTypes.join(','),
        TokenEndpointAuthMethod: current.tokenEndpointAuthMethod,
        OktaAppType: current.oktaAppType
      }, patch))
      const row = await updateClientType(trx, current.providerId, current.id, { ...fields, updated_at: this.deps.now().toISOString() })
      const after = row === undefined ? current : toClientTypeRecord(row)
      await recordAudit(trx, {
        actor: ctx.actor, at: this.deps.now(), action: 'update', resourceType: 'client_type', resourceId: current.id, before: this.deps.snapshot(current), after: this.deps.snapshot(after)
      })
      return after
    })
  }

  async remove (providerId: number, id: number, force: boolean, ctx: WriteContext<ClientTypeRecord>): Promise<void> {
    const first = toClientTypeRecord(await getClientTypeRow(this.deps.db, providerId, id))
    // Checked before ?force=true revokes anything at the IdP, and again under the lock below.
    ctx.precondition?.(first, describe(first))
    const target = { providerId: first.providerId, clientTypeId: first.id }
    await deleteUnlessInUse(this.deps.db, this.deps.usageChecks, target, force, async (trx) => {
      const current = await currentClientType(trx, providerId, id, ctx)
      await deleteClientTypes(trx, current.providerId, current.id)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'delete', resourceType: 'client_type', resourceId: current.id, before: this.deps.snapshot(current) })
    })
  }
}

/** The client type to change; with a precondition (If-Match), locked first and then checked (412). */
async function currentClientType (trx: Db, providerId: number, id: number, ctx: WriteContext<ClientTypeRecord>): Promise<ClientTypeRecord> {
  if (ctx.precondition !== undefined) await lockRow(trx, 'oauth_client_types', id)
  const current = toClientTypeRecord(await getClientTypeRow(trx, providerId, id))
  ctx.precondition?.(current, describe(current))
  return current
}

const describe = (type: ClientTypeRecord) => `client type ${type.id} of provider ${type.providerId}`

/** The client type row, or 404: the provider's when the provider is unknown too (as Tyk words it). */
export async function getClientTypeRow (db: Db, providerId: number, id: number): Promise<ClientTypeRow> {
  // One query on the hot path; the provider is looked up only to word a 404.
  const row = await findClientType(db, providerId, id)
  if (row !== undefined) return row
  throw await clientTypeNotFound(db, providerId, id)
}

/** The 404 for a client type id (a number, or a path's text that names no row) of a provider. */
export async function clientTypeNotFound (db: Db, providerId: number, id: string | number): Promise<AppError> {
  if (await findProvider(db, providerId) === undefined) return providerNotFound(providerId)
  return new AppError('not_found', `Identity Provider or Client Type Not found: client_type_id ${show(String(id))} of provider_id ${show(String(providerId))}`)
}

function validateClientType (input: Pick<ClientTypeInput, 'Name' | 'Description' | 'ResponseTypes' | 'GrantType' | 'TokenEndpointAuthMethod' | 'OktaAppType'>) {
  const problems: string[] = []
  if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
  const responseTypes = parseValueList('ResponseTypes', input.ResponseTypes, RESPONSE_TYPES, problems, RESPONSE_TYPE_ALIASES)
  const grantTypes = parseValueList('GrantType', input.GrantType, GRANT_TYPES, problems)
  // Tyk's demo scripts send ["client_secret_basic"]: a one-element array is read as its element.
  const method = (typeof input.TokenEndpointAuthMethod === 'string' ? input.TokenEndpointAuthMethod : input.TokenEndpointAuthMethod?.[0]) ?? 'client_secret_basic'
  if (!(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method)) {
    problems.push(`TokenEndpointAuthMethod must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}, got ${show(input.TokenEndpointAuthMethod)}`)
  }
  if (problems.length > 0) throw new AppError('invalid_input', problems)
  return {
    name: input.Name,
    description: input.Description ?? '',
    response_types: responseTypes.join(','),
    grant_types: grantTypes.join(','),
    token_endpoint_auth_method: method,
    okta_app_type: input.OktaAppType ?? ''
  }
}
