import { lockRow } from '../../db/lock-row.ts'
import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import { parseId } from '../../shared/ids.ts'
import type { Page } from '../../shared/pagination.ts'
import { assertIfMatch, type IfMatch, type WriteContext } from '../../shared/precondition.ts'
import { recordAudit } from '../audit/audit.ts'
import { getProviderRow, type ServiceDeps } from './oauth-provider.service.ts'
import { deleteUnlessInUse } from '../usage/usage.ts'
import { deleteClientTypes, findClientType, insertClientType, listClientTypes, updateClientType } from './client-type.repository.ts'
import { toClientTypeElem, type ClientTypeElem, type ClientTypeInput } from './client-type.schemas.ts'
import type { ClientTypeRow } from '../../db/tables/client-type.table.ts'
import { GRANT_TYPES, RESPONSE_TYPE_ALIASES, RESPONSE_TYPES, TOKEN_ENDPOINT_AUTH_METHODS, parseValueList } from './client-type.values.ts'

export class ClientTypeService {
  constructor (private readonly deps: ServiceDeps) {}

  async list (rawProviderId: string, page: Page): Promise<ClientTypeElem[]> {
    const provider = await getProviderRow(this.deps.db, rawProviderId)
    return (await listClientTypes(this.deps.db, provider.id, page)).map(toClientTypeElem)
  }

  async create (rawProviderId: string, input: ClientTypeInput, ctx: WriteContext): Promise<ClientTypeElem> {
    const fields = validateClientType(input)
    const now = this.deps.now().toISOString()
    return await this.deps.db.transaction().execute(async (trx) => {
      const provider = await getProviderRow(trx, rawProviderId)
      const row = await insertClientType(trx, { ...fields, provider_id: provider.id, created_at: now, updated_at: now })
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'create', resourceType: 'client_type', resourceId: row.id, after: auditSnapshot(row) })
      return toClientTypeElem(row)
    })
  }

  async get (rawProviderId: string, rawId: string): Promise<ClientTypeElem> {
    return toClientTypeElem(await getClientTypeRow(this.deps.db, rawProviderId, rawId))
  }

  /** Full replacement (Tyk PUT): omitted optional fields return to their defaults. */
  async update (rawProviderId: string, rawId: string, input: ClientTypeInput, ctx: WriteContext): Promise<ClientTypeElem> {
    const fields = validateClientType(input)
    return await this.deps.db.transaction().execute(async (trx) => {
      const current = await currentClientType(trx, rawProviderId, rawId, ctx.ifMatch)
      const row = await updateClientType(trx, current.provider_id, current.id, { ...fields, updated_at: this.deps.now().toISOString() }) ?? current
      await recordAudit(trx, {
        actor: ctx.actor, at: this.deps.now(), action: 'update', resourceType: 'client_type', resourceId: current.id, before: auditSnapshot(current), after: auditSnapshot(row)
      })
      return toClientTypeElem(row)
    })
  }

  async remove (rawProviderId: string, rawId: string, force: boolean, ctx: WriteContext): Promise<void> {
    const first = await getClientTypeRow(this.deps.db, rawProviderId, rawId)
    // Compared before ?force=true revokes anything at the IdP, and again under the lock below.
    assertIfMatch(ctx.ifMatch, describe(first), toClientTypeElem(first))
    const target = { providerId: first.provider_id, clientTypeId: first.id }
    await deleteUnlessInUse(this.deps.db, this.deps.usageChecks, target, force, async (trx) => {
      const current = await currentClientType(trx, rawProviderId, rawId, ctx.ifMatch)
      await deleteClientTypes(trx, current.provider_id, current.id)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'delete', resourceType: 'client_type', resourceId: current.id, before: auditSnapshot(current) })
    })
  }
}

/** The row to change; with If-Match, locked first and compared with its GET representation (412). */
async function currentClientType (trx: Db, rawProviderId: string, rawId: string, ifMatch: IfMatch | undefined): Promise<ClientTypeRow> {
  if (ifMatch !== undefined) await lockRow(trx, 'oauth_client_types', parseId(rawId))
  const row = await getClientTypeRow(trx, rawProviderId, rawId)
  assertIfMatch(ifMatch, describe(row), toClientTypeElem(row))
  return row
}

const describe = (row: ClientTypeRow) => `client type ${row.id} of provider ${row.provider_id}`
const auditSnapshot = (row: ClientTypeRow) => ({ ...toClientTypeElem(row), ProviderID: row.provider_id })

export async function getClientTypeRow (db: Db, rawProviderId: string, rawId: string): Promise<ClientTypeRow> {
  const providerId = parseId(rawProviderId)
  const id = parseId(rawId)
  // One query on the hot path; the provider is looked up only to word a 404.
  const row = providerId === undefined || id === undefined ? undefined : await findClientType(db, providerId, id)
  if (row !== undefined) return row
  await getProviderRow(db, rawProviderId)
  throw new AppError('not_found', `Identity Provider or Client Type Not found: client_type_id ${show(rawId)} of provider_id ${show(rawProviderId)}`)
}

function validateClientType (input: ClientTypeInput) {
  const problems: string[] = []
  if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
  const responseTypes = parseValueList('ResponseTypes', input.ResponseTypes, RESPONSE_TYPES, problems, RESPONSE_TYPE_ALIASES)
  const grantTypes = parseValueList('GrantType', input.GrantType, GRANT_TYPES, problems)
  // Tyk's demo scripts send ["client_secret_basic"]: a one-element array is read as its element.
  const method = (typeof input.TokenEndpointAuthMethod === 'string' ? input.TokenEndpointAuthMethod : input.TokenEndpointAuthMethod?.[0]) ?? 'client_secret_basic'
  if (!(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method)) {
    problems.push(`TokenEndpointAuthMethod must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}, got ${show(input.TokenEndpointAuthMethod)}`)
  }
  if (problems.length > 0) throw new AppError('invalid', problems)
  return {
    name: input.Name,
    description: input.Description ?? '',
    response_types: responseTypes.join(','),
    grant_types: grantTypes.join(','),
    token_endpoint_auth_method: method,
    okta_app_type: input.OktaAppType ?? ''
  }
}
