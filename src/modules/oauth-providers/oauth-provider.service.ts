import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { PROVIDER_TOKEN, sealColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import { deleteUnlessInUse, type UsageCheck } from '../usage/usage.ts'
import { recordAudit } from '../audit/audit.ts'
import { lockRow } from '../../db/lock-row.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import { deleteClientTypes, listClientTypes } from '../oauth-providers/client-type.repository.ts'
import { toClientTypeRecord } from '../oauth-providers/client-type.record.ts'
import { deleteProvider, findProvider, insertProvider, listProviders, updateProvider } from './oauth-provider.repository.ts'
import { PROVIDER_TYPES, toProviderRecord, type ProviderRecord, type ProviderWithClientTypes, type TokenState } from './oauth-provider.record.ts'
import type { ProviderInput, ProviderPatch } from './oauth-provider.schemas.ts'
import { connectEmbeddedProvider, type EmbeddedIdpEndpoint } from './embedded-provider.ts'
import { decodeOnto } from '../../shared/decode-onto.ts'
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

export interface OAuthProviderServiceDeps extends ServiceDeps {
  /** Seals the initial access token before it reaches the table (issue 5). */
  readonly box: SecretBox
  /** How the audit trail keeps a provider (its API representation), given the state of its token. */
  readonly snapshot: (provider: ProviderRecord | ProviderWithClientTypes, token: TokenState) => unknown
  /** The embedded OpenID provider, when it runs: POST /oauth-providers/embedded connects it (design.md §6). */
  readonly embeddedIdp?: EmbeddedIdpEndpoint
}

export class OAuthProviderService {
  constructor (private readonly deps: OAuthProviderServiceDeps) {}

  async list (page: Page): Promise<ProviderRecord[]> {
    return (await listProviders(this.deps.db, page)).map(toProviderRecord)
  }

  async create (input: ProviderInput, ctx: WriteContext<ProviderWithClientTypes>): Promise<ProviderRecord> {
    const now = this.deps.now().toISOString()
    const fields = validateProvider(input)
    return await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await insertProvider(trx, { ...fields, registration_access_token: null, created_at: now, updated_at: now })
      const token = input.RegistrationAccessToken || null
      await this.storeToken(trx, inserted.id, token)
      const created = { ...toProviderRecord(inserted), hasRegistrationAccessToken: token !== null }
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'create', resourceType: 'oauth_provider', resourceId: created.id, after: this.deps.snapshot(created, tokenState(created)) })
      return created
    })
  }

  async get (id: number): Promise<ProviderWithClientTypes> {
    return await withClientTypes(this.deps.db, toProviderRecord(await getProviderRow(this.deps.db, id)))
  }

  /** Our extension: the embedded IdP as provider "Embedded IdP" with its two client types; a second call answers the same. */
  async connectEmbedded (ctx: WriteContext): Promise<ProviderWithClientTypes> {
    const idp = this.deps.embeddedIdp
    if (idp === undefined) throw new AppError('not_found', 'the embedded IdP is not running (PORTAL_EMBEDDED_IDP=false): there is nothing to connect')
    return await this.deps.db.transaction().execute(async (trx) => {
      const { created, provider } = await connectEmbeddedProvider(trx, this.deps.box, this.deps.now, idp)
      const record = await withClientTypes(trx, toProviderRecord(provider))
      if (created) await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'create', resourceType: 'oauth_provider', resourceId: record.id, after: this.deps.snapshot(record, tokenState(record)) })
      return record
    })
  }

  /** Tyk PUT: the body decoded onto the stored provider; the write-only token omitted keeps it, "" clears it. */
  async update (id: number, patch: ProviderPatch, ctx: WriteContext<ProviderWithClientTypes>): Promise<ProviderWithClientTypes> {
    return await this.deps.db.transaction().execute(async (trx) => {
      const current = await currentProvider(trx, id, ctx)
      const input = decodeOnto({ Name: current.name, Type: current.type, WellKnownURL: current.wellKnownUrl, SSLInsecureSkipVerify: current.sslInsecureSkipVerify, RequiresRedirectURIs: current.requiresRedirectUris }, patch)
      const fields = validateProvider(input)
      assertTokenFollowsOrigin(current, fields.well_known_url, input.RegistrationAccessToken)
      const row = await updateProvider(trx, current.id, { ...fields, updated_at: this.deps.now().toISOString() })
      if (input.RegistrationAccessToken !== undefined) await this.storeToken(trx, current.id, input.RegistrationAccessToken || null)
      const token = input.RegistrationAccessToken === undefined ? tokenState(current) : input.RegistrationAccessToken === '' ? 'unset' : 'replaced'
      const after = { ...(row === undefined ? current : toProviderRecord(row)), hasRegistrationAccessToken: token !== 'unset' }
      await recordAudit(trx, {
        actor: ctx.actor, at: this.deps.now(), action: 'update', resourceType: 'oauth_provider', resourceId: current.id,
        before: this.deps.snapshot(current, tokenState(current)), after: this.deps.snapshot(after, token)
      })
      return await withClientTypes(trx, after)
    })
  }

  /** Deleting a provider deletes its client types (tyk-portal-api.md §2.1, #5). */
  async remove (id: number, force: boolean, ctx: WriteContext<ProviderWithClientTypes>): Promise<void> {
    const first = toProviderRecord(await getProviderRow(this.deps.db, id))
    // Checked before ?force=true revokes anything at the IdP, and again under the lock below.
    if (ctx.precondition !== undefined) ctx.precondition(await withClientTypes(this.deps.db, first), `provider ${first.id}`)
    await deleteUnlessInUse(this.deps.db, this.deps.usageChecks, { providerId: id }, force, async (trx) => {
      const current = await withClientTypes(trx, await currentProvider(trx, id, ctx))
      await deleteClientTypes(trx, id)
      await deleteProvider(trx, id)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'delete', resourceType: 'oauth_provider', resourceId: id, before: this.deps.snapshot(current, tokenState(current)) })
    })
  }

  private async storeToken (db: Db, id: number, token: string | null): Promise<void> {
    await updateProvider(db, id, { registration_access_token: sealColumn(this.deps.box, PROVIDER_TOKEN, id, token) })
  }
}

/** The provider to change; with a precondition (If-Match), locked first and then checked (412). */
async function currentProvider (trx: Db, id: number, ctx: WriteContext<ProviderWithClientTypes>): Promise<ProviderRecord> {
  if (ctx.precondition !== undefined) await lockRow(trx, 'oauth_providers', id)
  const current = toProviderRecord(await getProviderRow(trx, id))
  if (ctx.precondition !== undefined) ctx.precondition(await withClientTypes(trx, current), `provider ${current.id}`)
  return current
}

async function withClientTypes (db: Db, provider: ProviderRecord): Promise<ProviderWithClientTypes> {
  return { ...provider, clientTypes: (await listClientTypes(db, provider.id)).map(toClientTypeRecord) }
}

/**
 * Issue 11 item 1: a stored initial access token was given for one origin (scheme, host, port). Moving the
 * WellKnownURL to another origin without sending the token again would hand it to the new host at the
 * next verify or registration: refused, naming both origins.
 */
function assertTokenFollowsOrigin (current: ProviderRecord, wellKnownUrl: string, token: string | undefined): void {
  if (token !== undefined || !current.hasRegistrationAccessToken) return
  const [from, to] = [new URL(current.wellKnownUrl).origin, new URL(wellKnownUrl).origin]
  if (from === to) return
  throw new AppError('invalid_input', `WellKnownURL moves the provider from ${from} to ${to}: send RegistrationAccessToken again for the new origin (or "" to clear it); the stored one is never sent to another origin`)
}

const tokenState = (provider: ProviderRecord): TokenState => provider.hasRegistrationAccessToken ? 'set' : 'unset'

function validateProvider (input: Pick<ProviderInput, 'Name' | 'Type' | 'WellKnownURL' | 'SSLInsecureSkipVerify' | 'RequiresRedirectURIs'>) {
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
    ssl_insecure_skip_verify: input.SSLInsecureSkipVerify === true ? 1 : 0,
    requires_redirect_uris: input.RequiresRedirectURIs === true ? 1 : 0
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
