import { lockRow } from '../../db/lock-row.ts'
import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { assertIfMatch, type IfMatch, type WriteContext } from '../../shared/precondition.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { PROVIDER_TOKEN, sealColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import { MASK, recordAudit } from '../audit/audit.ts'
import { deleteClientTypes, listClientTypes } from './client-type.repository.ts'
import { toClientTypeElem } from './client-type.schemas.ts'
import { deleteUnlessInUse, type UsageCheck } from '../usage/usage.ts'
import { deleteProvider, findProvider, insertProvider, listProviders, updateProvider } from './oauth-provider.repository.ts'
import { PROVIDER_TYPES, toProviderElem, type ProviderElem, type ProviderInput, type ProviderShow } from './oauth-provider.schemas.ts'
import type { OAuthProviderRow } from '../../db/tables/oauth-provider.table.ts'

export interface ServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly usageChecks: readonly UsageCheck[]
}

/** 404 for a provider id, as a path wrote it or as a number (the same text: ids are plain digits). */
export const providerNotFound = (id: string | number) => new AppError('not_found', `Identity Provider Not found: provider_id ${show(String(id))}`)

/** The provider row, or 404. */
export async function getProviderRow (db: Db, id: number): Promise<OAuthProviderRow> {
  const row = await findProvider(db, id)
  if (row === undefined) throw providerNotFound(id)
  return row
}

export class OAuthProviderService {
  /** `box` seals the initial access token before it reaches the table (issue 5). */
  constructor (private readonly deps: ServiceDeps & { readonly box: SecretBox }) {}

  async list (page: Page): Promise<ProviderElem[]> {
    return (await listProviders(this.deps.db, page)).map(toProviderElem)
  }

  async create (input: ProviderInput, ctx: WriteContext): Promise<ProviderElem> {
    const now = this.deps.now().toISOString()
    const fields = validateProvider(input)
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await insertProvider(trx, { ...fields, registration_access_token: null, created_at: now, updated_at: now })
      await this.storeToken(trx, inserted.id, input.RegistrationAccessToken || null)
      const after = auditSnapshot(inserted, input.RegistrationAccessToken ? 'set' : 'unset')
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'create', resourceType: 'oauth_provider', resourceId: inserted.id, after })
      return inserted
    })
    return toProviderElem(row)
  }

  async get (id: number): Promise<ProviderShow> {
    return await this.show(this.deps.db, await getProviderRow(this.deps.db, id))
  }

  /** Full replacement (Tyk PUT), except the write-only token: omitted keeps it, "" clears it. */
  async update (id: number, input: ProviderInput, ctx: WriteContext): Promise<ProviderShow> {
    const fields = validateProvider(input)
    return await this.deps.db.transaction().execute(async (trx) => {
      const current = await this.current(trx, id, ctx.ifMatch)
      const row = await updateProvider(trx, current.id, { ...fields, updated_at: this.deps.now().toISOString() })
      if (input.RegistrationAccessToken !== undefined) await this.storeToken(trx, current.id, input.RegistrationAccessToken || null)
      const token = input.RegistrationAccessToken === undefined ? tokenState(current) : input.RegistrationAccessToken === '' ? 'unset' : 'replaced'
      await recordAudit(trx, {
        actor: ctx.actor, at: this.deps.now(), action: 'update', resourceType: 'oauth_provider', resourceId: current.id,
        before: auditSnapshot(current, tokenState(current)), after: auditSnapshot(row ?? current, token)
      })
      return await this.show(trx, row ?? current)
    })
  }

  /** Deleting a provider deletes its client types (tyk-portal-api.md §2.1, #5). */
  async remove (id: number, force: boolean, ctx: WriteContext): Promise<void> {
    const first = await getProviderRow(this.deps.db, id)
    // Compared before ?force=true revokes anything at the IdP, and again under the lock below.
    if (ctx.ifMatch !== undefined) assertIfMatch(ctx.ifMatch, `provider ${first.id}`, await this.show(this.deps.db, first))
    await deleteUnlessInUse(this.deps.db, this.deps.usageChecks, { providerId: id }, force, async (trx) => {
      const current = await this.current(trx, id, ctx.ifMatch)
      const before = { ...auditSnapshot(current, tokenState(current)), ClientTypes: (await listClientTypes(trx, id)).map(toClientTypeElem) }
      await deleteClientTypes(trx, id)
      await deleteProvider(trx, id)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'delete', resourceType: 'oauth_provider', resourceId: id, before })
    })
  }

  /** The row to change; with If-Match, locked first and compared with its GET representation (412). */
  private async current (trx: Db, id: number, ifMatch: IfMatch | undefined): Promise<OAuthProviderRow> {
    if (ifMatch !== undefined) await lockRow(trx, 'oauth_providers', id)
    const row = await getProviderRow(trx, id)
    if (ifMatch !== undefined) assertIfMatch(ifMatch, `provider ${row.id}`, await this.show(trx, row))
    return row
  }

  private async storeToken (db: Db, id: number, token: string | null): Promise<void> {
    await updateProvider(db, id, { registration_access_token: sealColumn(this.deps.box, PROVIDER_TOKEN, id, token) })
  }

  private async show (db: Db, row: OAuthProviderRow): Promise<ProviderShow> {
    return { ...toProviderElem(row), ClientTypes: (await listClientTypes(db, row.id)).map(toClientTypeElem) }
  }
}

type TokenState = 'unset' | 'set' | 'replaced'
const tokenState = (row: OAuthProviderRow): TokenState => row.registration_access_token === null ? 'unset' : 'set'

/** A provider as the audit trail keeps it: whether it has a token, never the token. */
function auditSnapshot (row: OAuthProviderRow, token: TokenState) {
  return { ...toProviderElem(row), RegistrationAccessToken: token === 'unset' ? '' : token === 'set' ? MASK : `${MASK} (replaced)` }
}

function validateProvider (input: ProviderInput) {
  const problems: string[] = []
  const type = PROVIDER_TYPES.find((candidate) => candidate.toLowerCase() === input.Type.toLowerCase())
  if (type === undefined) problems.push(`Type must be one of ${PROVIDER_TYPES.join(', ')} (any case), got ${show(input.Type)}`)
  if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
  const urlProblem = checkWellKnownUrl(input.WellKnownURL)
  if (urlProblem !== undefined) problems.push(`WellKnownURL ${urlProblem}, got ${show(input.WellKnownURL)}`)
  if (problems.length > 0) throw new AppError('invalid_input', problems)
  return {
    name: input.Name,
    type: type!,
    well_known_url: input.WellKnownURL,
    ssl_insecure_skip_verify: input.SSLInsecureSkipVerify === true ? 1 : 0
  }
}

function checkWellKnownUrl (raw: string): string | undefined {
  if (!URL.canParse(raw)) return 'must be an absolute http or https URL'
  const url = new URL(raw)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https'
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password'
  if (url.hash !== '') return 'must not contain a fragment'
  return undefined
}
