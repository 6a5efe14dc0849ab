// The life of the IdP clients behind credentials (design.md §5). One client per app and client type
// (Tyk ≥ 1.16): the first approval registers it, later ones add their scopes (RFC 7592 update), a
// release takes its scopes back and the last one deletes the client. Every IdP call runs outside any
// transaction; what the IdP answers is saved in a short transaction the moment it arrives; calls for
// one client never interleave (KeyedLock), so the newest registration access token is always presented.
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { ClientRequest, ClientTemplate, DcrEngine, ManagedClient, ProviderConnection } from '../../dcr/index.ts'
import type { Db } from '../../db/database.ts'
import { AppError } from '../../errors.ts'
import type { KeyedLock } from '../../shared/keyed-lock.ts'
import type { Clock } from '../../shared/time.ts'
import { findApp } from '../apps/app.repository.ts'
import { toClientTemplate, toProviderConnection } from '../oauth-providers/idp-connection.ts'
import { findProvider } from '../oauth-providers/oauth-provider.repository.ts'
import { findClientTypeById } from '../products/product.repository.ts'
import {
  countCredentialsOn, deleteCredential, deleteOAuthClient, findCredential, findOAuthClient, findOAuthClientFor,
  insertCredential, insertOAuthClient, listOAuthClientsOf, scopesHeldByOthers, updateOAuthClient, type OAuthClientFilter
} from './credential.repository.ts'
import type { NewOAuthClientRow, OAuthClientRow } from './credential.table.ts'

export interface OAuthClientServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly engine: DcrEngine
  readonly lock: KeyedLock
  readonly log: FastifyBaseLogger
}

export interface Grant {
  readonly accessRequestId: number
  readonly appId: number
  readonly clientTypeId: number
  readonly scopes: readonly string[]
}

/** Work to do in the transaction that records the outcome (e.g. mark the access request approved). */
export type InSameTransaction = (trx: Db) => Promise<void>

export type RotationMode = 'in_place' | 'replaced'

/** The columns that come from the IdP's answer. */
type IdpAnswer = Omit<NewOAuthClientRow, 'app_id' | 'client_type_id' | 'provider_id' | 'correlation_tag' | 'created_at'>

interface Context {
  readonly connection: ProviderConnection
  readonly template: ClientTemplate
  readonly request: ClientRequest
}

export class OAuthClientService {
  constructor (private readonly deps: OAuthClientServiceDeps) {}

  /** Gives an access request its scopes on its app's client for the client type; records its credential. */
  async grant (grant: Grant, andThen: InSameTransaction): Promise<void> {
    await this.deps.lock.run(lockKey(grant.appId, grant.clientTypeId), async () => {
      const existing = await findOAuthClientFor(this.deps.db, grant.appId, grant.clientTypeId)
      const client = existing === undefined
        ? await this.register(grant)
        : await this.ensureScopes(existing, union(await scopesHeldByOthers(this.deps.db, existing.id, 0), grant.scopes))
      await this.deps.db.transaction().execute(async (trx) => {
        await insertCredential(trx, grant.accessRequestId, client.id, this.timestamp())
        await andThen(trx)
      })
    })
  }

  /**
   * Takes a credential's scopes back from its client: an update to the scopes the other credentials
   * still hold, or the client's deletion when none is left. An unreachable IdP fails the call and
   * nothing is deleted locally; an IdP that no longer knows the client counts as deleted.
   */
  async release (credentialId: number, andThen: InSameTransaction = async () => {}): Promise<void> {
    const credential = await findCredential(this.deps.db, credentialId)
    if (credential === undefined) return
    const client = await findOAuthClient(this.deps.db, credential.oauth_client_id)
    if (client === undefined) return
    await this.deps.lock.run(lockKey(client.app_id, client.client_type_id), async () => {
      const current = await findOAuthClient(this.deps.db, client.id) ?? client
      if (await countCredentialsOn(this.deps.db, current.id, credentialId) === 0) {
        await this.deleteAtIdp(current)
        await this.deps.db.transaction().execute(async (trx) => {
          await deleteOAuthClient(trx, current.id)
          await andThen(trx)
        })
        return
      }
      await this.ensureScopes(current, await scopesHeldByOthers(this.deps.db, current.id, credentialId))
      await this.deps.db.transaction().execute(async (trx) => {
        await deleteCredential(trx, credentialId)
        await andThen(trx)
      })
    })
  }

  /**
   * A new secret for the credential's client: in place where the IdP can (Okta newSecret); otherwise a
   * replacement client is registered, the credential switched to it, and the old client deleted.
   */
  async rotate (credentialId: number): Promise<{ mode: RotationMode; clientId: string }> {
    const credential = await findCredential(this.deps.db, credentialId)
    const client = credential === undefined ? undefined : await findOAuthClient(this.deps.db, credential.oauth_client_id)
    if (client === undefined) throw new AppError('not_found', `Credential Not found: credential_id ${credentialId}`)
    return await this.deps.lock.run(lockKey(client.app_id, client.client_type_id), async () => {
      const current = await findOAuthClient(this.deps.db, client.id) ?? client
      const context = await this.context(current.app_id, current.client_type_id, splitScopes(current.scope), current.correlation_tag)
      if (this.deps.engine.capabilities(context.connection.type).rotatesSecret) {
        const rotated = await this.deps.engine.rotateSecret(context.connection, credentialsOf(current))
        await this.save(current.id, rotated, context)
        return { mode: 'in_place', clientId: rotated.clientId }
      }
      const replacementTag = newCorrelationTag(current.app_id, current.client_type_id)
      const replacement = await this.deps.engine.register(context.connection, context.template, { ...context.request, correlationTag: replacementTag })
      await this.save(current.id, replacement, context, replacementTag)
      await this.deleteAtIdp(current).catch((error: unknown) => {
        // The consumer already holds the new client; the old one is logged for an operator to remove.
        this.deps.log.error({ err: error, clientId: current.client_id, providerId: current.provider_id }, 'rotation: the replaced client could not be deleted at the IdP')
      })
      return { mode: 'replaced', clientId: replacement.clientId }
    })
  }

  /**
   * Deletes every client the filter names, at the IdP first: ?force=true on a provider or client type,
   * and an app's clients that no credential holds any more when the app is deleted.
   */
  async revokeAll (filter: OAuthClientFilter): Promise<void> {
    for (const client of await listOAuthClientsOf(this.deps.db, filter)) {
      await this.deps.lock.run(lockKey(client.app_id, client.client_type_id), async () => {
        const current = await findOAuthClient(this.deps.db, client.id)
        if (current === undefined) return
        await this.deleteAtIdp(current)
        await this.deps.db.transaction().execute(async (trx) => { await deleteOAuthClient(trx, current.id) })
      })
    }
  }

  private async register (grant: Grant): Promise<OAuthClientRow> {
    const tag = newCorrelationTag(grant.appId, grant.clientTypeId)
    const context = await this.context(grant.appId, grant.clientTypeId, grant.scopes, tag)
    const managed = await this.deps.engine.register(context.connection, context.template, context.request)
    try {
      return await insertOAuthClient(this.deps.db, {
        ...this.fields(managed, context),
        app_id: grant.appId,
        client_type_id: grant.clientTypeId,
        provider_id: context.connection.id,
        correlation_tag: tag,
        created_at: this.timestamp()
      })
    } catch (error) {
      // Not recorded, so not manageable: take it back rather than leave an orphan at the IdP.
      await this.deps.engine.remove(context.connection, managed).catch((cleanup: unknown) => {
        this.deps.log.error({ err: cleanup, clientId: managed.clientId, correlationTag: tag }, 'registered client could not be recorded nor deleted')
      })
      throw error
    }
  }

  /** Updates the client at the IdP when its scopes differ from `scopes`; returns the client as now stored. */
  private async ensureScopes (client: OAuthClientRow, scopes: readonly string[]): Promise<OAuthClientRow> {
    if (sameSet(splitScopes(client.scope), scopes)) return client
    const context = await this.context(client.app_id, client.client_type_id, scopes, client.correlation_tag)
    const updated = await this.deps.engine.update(context.connection, credentialsOf(client), context.template, context.request)
    await this.save(client.id, updated, context)
    return (await findOAuthClient(this.deps.db, client.id)) ?? client
  }

  private async deleteAtIdp (client: OAuthClientRow): Promise<void> {
    const provider = await findProvider(this.deps.db, client.provider_id)
    if (provider === undefined) return
    const outcome = await this.deps.engine.remove(toProviderConnection(provider), credentialsOf(client))
    this.deps.log.info({ clientId: client.client_id, providerId: client.provider_id, outcome }, 'IdP client deleted')
  }

  /** Saves what the IdP answered (newest token and secret first) in one short transaction. */
  private async save (id: number, managed: ManagedClient, context: Context, correlationTag?: string): Promise<void> {
    await updateOAuthClient(this.deps.db, id, { ...this.fields(managed, context), ...(correlationTag === undefined ? {} : { correlation_tag: correlationTag }) })
  }

  /** RFC 7591 §3.2.1: store what the IdP registered, falling back to what was sent where it is silent. */
  private fields (managed: ManagedClient, context: Context): IdpAnswer {
    const sent = this.deps.engine.registrationMetadata(context.connection, context.template, context.request)
    const answer = (field: string) => managed.response[field] ?? sent[field]
    const list = (field: string) => { const value = answer(field); return Array.isArray(value) ? value.join(',') : '' }
    if (managed.differences.length > 0) this.deps.log.info({ clientId: managed.clientId, differences: managed.differences }, 'the IdP registered other values than requested')
    return {
      client_id: managed.clientId,
      client_secret: managed.clientSecret ?? null,
      registration_access_token: managed.registrationAccessToken ?? null,
      registration_client_uri: managed.registrationClientUri ?? null,
      scope: typeof answer('scope') === 'string' ? answer('scope') as string : '',
      grant_types: list('grant_types'),
      response_types: list('response_types'),
      redirect_uris: list('redirect_uris'),
      token_endpoint_auth_method: String(answer('token_endpoint_auth_method') ?? context.template.tokenEndpointAuthMethod),
      secret_expires_at: managed.secretExpiresAt ?? null,
      dcr_response: JSON.stringify(managed.response),
      updated_at: this.timestamp()
    }
  }

  private async context (appId: number, clientTypeId: number, scopes: readonly string[], correlationTag: string): Promise<Context> {
    const app = await findApp(this.deps.db, appId)
    const clientType = await findClientTypeById(this.deps.db, clientTypeId)
    const provider = clientType === undefined ? undefined : await findProvider(this.deps.db, clientType.provider_id)
    if (app === undefined || clientType === undefined || provider === undefined) {
      throw new AppError('unprocessable', `app ${appId} or client type ${clientTypeId} (or its provider) no longer exists`)
    }
    return {
      connection: toProviderConnection(provider),
      template: toClientTemplate(clientType),
      request: {
        redirectUris: app.redirect_urls.split(',').filter(Boolean),
        scopes: [...scopes],
        clientName: app.name,
        correlationTag
      }
    }
  }

  private timestamp (): string {
    return this.deps.now().toISOString()
  }
}

function lockKey (appId: number, clientTypeId: number): string {
  return `oauth-client:${appId}:${clientTypeId}`
}

/** Sent to the IdP in client_name, so that a client can be found again after an unknown outcome. */
function newCorrelationTag (appId: number, clientTypeId: number): string {
  return `portal:${appId}:${clientTypeId}:${randomBytes(6).toString('hex')}`
}

function credentialsOf (client: OAuthClientRow) {
  return {
    clientId: client.client_id,
    ...(client.client_secret === null ? {} : { clientSecret: client.client_secret }),
    ...(client.registration_access_token === null ? {} : { registrationAccessToken: client.registration_access_token }),
    ...(client.registration_client_uri === null ? {} : { registrationClientUri: client.registration_client_uri })
  }
}

export function splitScopes (scope: string): string[] {
  return scope.split(' ').filter(Boolean)
}

function union (a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}

function sameSet (a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a)
  const right = new Set(b)
  return left.size === right.size && [...left].every((item) => right.has(item))
}
