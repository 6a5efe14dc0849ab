import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import { parseId } from '../../shared/ids.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Clock } from '../../shared/time.ts'
import { deleteUnlessInUse, type UsageCheck } from '../../shared/usage.ts'
import { deleteClientTypes, listClientTypes } from '../client-types/client-type.repository.ts'
import { toClientTypeElem } from '../client-types/client-type.schemas.ts'
import { deleteProvider, findProvider, insertProvider, listProviders, updateProvider } from './oauth-provider.repository.ts'
import { PROVIDER_TYPES, toProviderElem, type ProviderElem, type ProviderInput, type ProviderShow, type ProviderType } from './oauth-provider.schemas.ts'
import type { OAuthProviderRow } from './oauth-provider.table.ts'

export interface ServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly usageChecks: readonly UsageCheck[]
}

/** The provider row for a path id, or 404 (also for ids that cannot exist: "0", "abc", "1e3"). */
export async function getProviderRow (db: Db, rawId: string): Promise<OAuthProviderRow> {
  const id = parseId(rawId)
  const row = id === undefined ? undefined : await findProvider(db, id)
  if (row === undefined) throw new AppError('not_found', `Identity Provider Not found: provider_id ${show(rawId)}`)
  return row
}

export class OAuthProviderService {
  constructor (private readonly deps: ServiceDeps) {}

  async list (page: Page): Promise<ProviderElem[]> {
    return (await listProviders(this.deps.db, page)).map(toProviderElem)
  }

  async create (input: ProviderInput): Promise<ProviderElem> {
    const now = this.deps.now().toISOString()
    const fields = validateProvider(input)
    const row = await insertProvider(this.deps.db, {
      ...fields,
      registration_access_token: input.RegistrationAccessToken || null,
      created_at: now,
      updated_at: now
    })
    return toProviderElem(row)
  }

  async get (rawId: string): Promise<ProviderShow> {
    return await this.show(this.deps.db, await getProviderRow(this.deps.db, rawId))
  }

  /** Full replacement (Tyk PUT), except the write-only token: omitted keeps it, "" clears it. */
  async update (rawId: string, input: ProviderInput): Promise<ProviderShow> {
    const fields = validateProvider(input)
    return await this.deps.db.transaction().execute(async (trx) => {
      const current = await getProviderRow(trx, rawId)
      const row = await updateProvider(trx, current.id, {
        ...fields,
        ...(input.RegistrationAccessToken === undefined ? {} : { registration_access_token: input.RegistrationAccessToken || null }),
        updated_at: this.deps.now().toISOString()
      })
      return await this.show(trx, row ?? current)
    })
  }

  /** Deleting a provider deletes its client types (tyk-portal-api.md §2.1, #5). */
  async remove (rawId: string, force: boolean): Promise<void> {
    const { id } = await getProviderRow(this.deps.db, rawId)
    await deleteUnlessInUse(this.deps.db, this.deps.usageChecks, { providerId: id }, force, async (trx) => {
      await deleteClientTypes(trx, id)
      await deleteProvider(trx, id)
    })
  }

  private async show (db: Db, row: OAuthProviderRow): Promise<ProviderShow> {
    return { ...toProviderElem(row), ClientTypes: (await listClientTypes(db, row.id)).map(toClientTypeElem) }
  }
}

function validateProvider (input: ProviderInput) {
  const problems: string[] = []
  const type = PROVIDER_TYPES.find((candidate) => candidate.toLowerCase() === input.Type.toLowerCase())
  if (type === undefined) problems.push(`Type must be one of ${PROVIDER_TYPES.join(', ')} (any case), got ${show(input.Type)}`)
  if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
  const urlProblem = checkWellKnownUrl(input.WellKnownURL)
  if (urlProblem !== undefined) problems.push(`WellKnownURL ${urlProblem}, got ${show(input.WellKnownURL)}`)
  if (problems.length > 0) throw new AppError('invalid', problems)
  return {
    name: input.Name,
    type: type as ProviderType,
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
