// The life of the IdP clients behind credentials (design.md §5). One client per app and client type
// (Tyk ≥ 1.16): the first approval registers it, later ones add their scopes (RFC 7592 update), a
// release takes its scopes back and the last one deletes the client. Every IdP call runs outside any
// transaction; what the IdP answers is saved in a short transaction the moment it arrives; calls for
// one client never interleave (KeyedLock), so the newest registration access token is always presented.
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { DRIVERS, IdpError, type ClientCredentials, type ClientRequest, type ClientTemplate, type DcrEngine, type ManagedClient, type ProviderConnection } from '../../dcr/index.ts'
import type { Db } from '../../db/database.ts'
import { AppError } from '../../errors.ts'
import type { Lock } from '../../shared/keyed-lock.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { sameSet } from '../../shared/sets.ts'
import { CLIENT_REGISTRATION_TOKEN, CLIENT_SECRET, DELETION_REGISTRATION_TOKEN, openColumn, sealColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import { findApp } from '../apps/app.repository.ts'
import { toClientTemplate, toProviderConnection } from '../oauth-providers/idp-connection.ts'
import { findProvider } from '../oauth-providers/oauth-provider.repository.ts'
import { findClientTypeById } from '../products/product.repository.ts'
import {
  countCredentialsOn, deleteCredential, deleteOAuthClient, findCredential, findOAuthClient, findOAuthClientFor,
  insertCredential, insertOAuthClient, listOAuthClientsOf, scopesHeldByOthers, updateOAuthClient, type OAuthClientFilter
} from './credential.repository.ts'
import type { NewOAuthClientRow, OAuthClientRow } from '../../db/tables/credential.table.ts'
import { deleteRegistrationIntent, findUnknownRegistration, insertDeletion, insertRegistrationIntent, markRegistrationUnknown } from './idp-operation.repository.ts'

export interface OAuthClientServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly engine: DcrEngine
  readonly lock: Lock
  readonly log: FastifyBaseLogger
  readonly box: SecretBox
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

/** The columns that come from the IdP's answer, but for the secrets, which are sealed for their row. */
type IdpAnswer = Omit<NewOAuthClientRow, 'app_id' | 'client_type_id' | 'provider_id' | 'correlation_tag' | 'created_at' | 'client_secret' | 'registration_access_token'>

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
      const attach = async (trx: Db, clientId: number) => {
        await insertCredential(trx, grant.accessRequestId, clientId, this.timestamp())
        await andThen(trx)
      }
      const existing = await findOAuthClientFor(this.deps.db, grant.appId, grant.clientTypeId)
      if (existing === undefined) {
        // The new client, its credential and the approval in one commit: with the intent, the saga's two.
        await this.register(grant, attach)
        return
      }
      const client = await this.ensureScopes(existing, union(await scopesHeldByOthers(this.deps.db, existing.id, 0), grant.scopes))
      await this.deps.db.transaction().execute(async (trx) => { await attach(trx, client.id) })
    })
  }

  /**
   * Takes a credential's scopes back from its client: an update to the scopes the other credentials
   * still hold, or the client's deletion when none is left. An unreachable IdP fails the call and
   * nothing is deleted locally; an IdP that no longer knows the client counts as deleted.
   */
  async release (credentialId: number, andThen: InSameTransaction = async () => { /* nothing else */ }): Promise<void> {
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
  async rotate (credentialId: number, andThen: InSameTransaction = async () => { /* nothing else */ }): Promise<{ mode: RotationMode; clientId: string }> {
    const credential = await findCredential(this.deps.db, credentialId)
    const client = credential === undefined ? undefined : await findOAuthClient(this.deps.db, credential.oauth_client_id)
    if (client === undefined) throw new AppError('not_found', `Credential Not found: credential_id ${credentialId}`)
    return await this.deps.lock.run(lockKey(client.app_id, client.client_type_id), async () => {
      const current = await findOAuthClient(this.deps.db, client.id) ?? client
      const context = await this.context(current.app_id, current.client_type_id, splitScopes(current.scope), current.correlation_tag)
      if (this.deps.engine.capabilities(context.connection.type).rotatesSecret) {
        const rotated = await this.managing(current, async () => await this.deps.engine.rotateSecret(context.connection, this.credentialsOf(current)))
        await this.deps.db.transaction().execute(async (trx) => {
          await this.save(current.id, rotated, context, undefined, trx)
          await andThen(trx)
        })
        return { mode: 'in_place', clientId: rotated.clientId }
      }
      const replacementTag = newCorrelationTag(current.app_id, current.client_type_id)
      const replacementContext = { ...context, request: { ...context.request, correlationTag: replacementTag } }
      const replacement = await this.registerRecorded(replacementContext, current, async (trx, managed) => {
        await this.save(current.id, managed, replacementContext, replacementTag, trx)
        await andThen(trx)
        return managed
      })
      // The consumer already holds the new client; the old one goes now, or later through the reconciler.
      await this.deleteOrRetryLater(context.connection, this.credentialsOf(current), `replaced by client ${replacement.clientId} on rotation`)
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

  private async register (grant: Grant, andThen: (trx: Db, clientId: number) => Promise<void>): Promise<OAuthClientRow> {
    const tag = newCorrelationTag(grant.appId, grant.clientTypeId)
    const context = await this.context(grant.appId, grant.clientTypeId, grant.scopes, tag)
    const target = { app_id: grant.appId, client_type_id: grant.clientTypeId }
    return await this.registerRecorded(context, target, async (trx, managed) => {
      const row = await insertOAuthClient(trx, {
        ...this.fields(managed, context),
        client_secret: null,
        registration_access_token: null,
        app_id: grant.appId,
        client_type_id: grant.clientTypeId,
        provider_id: context.connection.id,
        correlation_tag: tag,
        created_at: this.timestamp()
      })
      await updateOAuthClient(trx, row.id, this.sealedSecrets(row.id, managed))
      await andThen(trx, row.id)
      return row
    })
  }

  /**
   * One RFC 7591 registration as a recorded saga (issue 5): the intent is saved before the POST, the
   * client recorded in the transaction that removes the intent. A lost answer leaves the intent "unknown"
   * for an operator, and no other registration for the app and client type is sent meanwhile (never
   * re-posted blindly); a client registered but not recorded is deleted, now or by the reconciler.
   */
  private async registerRecorded<T> (context: Context, target: { app_id: number; client_type_id: number }, record: (trx: Db, managed: ManagedClient) => Promise<T>): Promise<T> {
    const unresolved = await findUnknownRegistration(this.deps.db, target.app_id, target.client_type_id)
    if (unresolved !== undefined) {
      throw new AppError('conflict', `an earlier registration for app ${target.app_id} and client type ${target.client_type_id} has an unknown outcome: ` +
        `look for a client named "… [${unresolved.correlation_tag}]" at the IdP, delete it there, then DELETE /portal-api/idp-operations/registrations/${unresolved.id}`)
    }
    const now = this.timestamp()
    const intent = await insertRegistrationIntent(this.deps.db, {
      app_id: target.app_id,
      client_type_id: target.client_type_id,
      provider_id: context.connection.id,
      correlation_tag: context.request.correlationTag,
      state: 'in_flight',
      last_error: null,
      created_at: now,
      updated_at: now
    })
    let managed: ManagedClient
    try {
      managed = await this.deps.engine.register(context.connection, context.template, context.request)
    } catch (error) {
      if (!isOutcomeUnknown(error)) {
        await deleteRegistrationIntent(this.deps.db, intent.id) // the IdP answered: nothing was created
        throw error
      }
      const message = `${error.message}; the registration's outcome is unknown (correlation tag ${context.request.correlationTag}): it is recorded for an operator and will not be sent again`
      await markRegistrationUnknown(this.deps.db, intent.id, message, this.timestamp())
      throw new IdpError(error.stage, message, error)
    }
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        const recorded = await record(trx, managed)
        await deleteRegistrationIntent(trx, intent.id)
        return recorded
      })
    } catch (error) {
      // Registered but not recorded, so not manageable here: take it back rather than leave an orphan.
      await this.deleteOrRetryLater(context.connection, managed, 'registered but could not be recorded').catch((cleanup: unknown) => {
        this.deps.log.error({ err: cleanup, clientId: managed.clientId, correlationTag: context.request.correlationTag }, 'registered client could not be recorded nor deleted; its intent stays for the reconciler')
      })
      await deleteRegistrationIntent(this.deps.db, intent.id).catch(() => { /* left behind, the reconciler marks it unknown for an operator */ })
      throw error
    }
  }

  /** Deletes a client at the IdP now; if that fails, records it so that the reconciler retries (with backoff). */
  async deleteOrRetryLater (connection: ProviderConnection, client: ClientCredentials, reason: string): Promise<void> {
    try {
      const outcome = await this.deps.engine.remove(connection, client)
      this.deps.log.info({ clientId: client.clientId, providerId: connection.id, outcome, reason }, 'IdP client deleted')
    } catch (error) {
      if (!(error instanceof IdpError)) throw error
      await this.recordDeletion(connection.id, client, reason, error.message, error.status === 401 ? NEVER : this.timestamp())
    }
  }

  /** A tombstone: a client to delete at the IdP, its registration access token sealed. `nextAttemptAt` NEVER: by hand. */
  private async recordDeletion (providerId: number, client: ClientCredentials, reason: string, lastError: string | null, nextAttemptAt: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const row = await insertDeletion(trx, {
        provider_id: providerId,
        client_id: client.clientId,
        registration_access_token: null,
        registration_client_uri: client.registrationClientUri ?? null,
        reason,
        next_attempt_at: nextAttemptAt,
        last_error: lastError,
        created_at: this.timestamp()
      })
      const token = sealColumn(this.deps.box, DELETION_REGISTRATION_TOKEN, row.id, client.registrationAccessToken ?? null)
      await trx.updateTable('idp_deletions').set({ registration_access_token: token }).where('id', '=', row.id).execute()
    })
  }

  /**
   * A management call for a stored client. A 401 on RFC 7592 management means its registration access
   * token is no longer valid (rotated and the newest lost, or revoked): the client is marked unmanageable
   * with a clear message, once, rather than retried in a loop (issue 5).
   */
  private async managing<T> (client: OAuthClientRow, call: () => Promise<T>): Promise<T> {
    if (client.state === 'unmanageable') throw new AppError('conflict', client.last_error ?? `client ${client.client_id} is unmanageable`)
    try {
      return await call()
    } catch (error) {
      const provider = await findProvider(this.deps.db, client.provider_id)
      if (!(error instanceof IdpError) || error.status !== 401 || provider === undefined || DRIVERS[toProviderConnection(provider, this.deps.box).type].management.style !== 'rfc7592') throw error
      const message = `the IdP refused the registration access token of client ${client.client_id} (RFC 7592 §2.1: rotated and the newest one lost, or revoked): ` +
        'the portal can no longer update or delete it; delete it at the IdP by hand, then delete its credentials here'
      await updateOAuthClient(this.deps.db, client.id, { state: 'unmanageable', last_error: message, updated_at: this.timestamp() })
      throw new AppError('conflict', message)
    }
  }

  /** Updates the client at the IdP when its scopes differ from `scopes`; returns the client as now stored. */
  private async ensureScopes (client: OAuthClientRow, scopes: readonly string[]): Promise<OAuthClientRow> {
    if (sameSet(splitScopes(client.scope), scopes)) return client
    const context = await this.context(client.app_id, client.client_type_id, scopes, client.correlation_tag)
    const updated = await this.managing(client, async () => await this.deps.engine.update(context.connection, this.credentialsOf(client), context.template, context.request))
    await this.save(client.id, updated, context)
    return (await findOAuthClient(this.deps.db, client.id)) ?? client
  }

  /**
   * Deletes a stored client at the IdP before its rows go; an unreachable IdP fails the call and nothing is
   * deleted here. An unmanageable client cannot be deleted through the API: its rows go, and a tombstone
   * tells the operator to delete it at the IdP.
   */
  private async deleteAtIdp (client: OAuthClientRow): Promise<void> {
    const provider = await findProvider(this.deps.db, client.provider_id)
    if (provider === undefined) return
    if (client.state === 'unmanageable') {
      await this.recordDeletion(client.provider_id, this.credentialsOf(client), 'deleted here while unmanageable', client.last_error, NEVER)
      return
    }
    const outcome = await this.managing(client, async () => await this.deps.engine.remove(toProviderConnection(provider, this.deps.box), this.credentialsOf(client)))
    this.deps.log.info({ clientId: client.client_id, providerId: client.provider_id, outcome }, 'IdP client deleted')
  }

  /** Saves what the IdP answered (newest token and secret first) in one short transaction. */
  private async save (id: number, managed: ManagedClient, context: Context, correlationTag?: string, db: Db = this.deps.db): Promise<void> {
    await updateOAuthClient(db, id, {
      ...this.fields(managed, context),
      ...this.sealedSecrets(id, managed),
      ...(correlationTag === undefined ? {} : { correlation_tag: correlationTag })
    })
  }

  /** The newest secret and registration access token, sealed for this row. */
  private sealedSecrets (id: number, managed: ManagedClient) {
    return {
      client_secret: sealColumn(this.deps.box, CLIENT_SECRET, id, managed.clientSecret ?? null),
      registration_access_token: sealColumn(this.deps.box, CLIENT_REGISTRATION_TOKEN, id, managed.registrationAccessToken ?? null)
    }
  }

  /** What the engine needs to manage a stored client: its id and its opened secrets. */
  private credentialsOf (client: OAuthClientRow): ClientCredentials {
    const secret = openColumn(this.deps.box, CLIENT_SECRET, client.id, client.client_secret)
    const token = openColumn(this.deps.box, CLIENT_REGISTRATION_TOKEN, client.id, client.registration_access_token)
    return {
      clientId: client.client_id,
      ...(secret === null ? {} : { clientSecret: secret }),
      ...(token === null ? {} : { registrationAccessToken: token }),
      ...(client.registration_client_uri === null ? {} : { registrationClientUri: client.registration_client_uri })
    }
  }

  /** RFC 7591 §3.2.1: store what the IdP registered, falling back to what was sent where it is silent. */
  private fields (managed: ManagedClient, context: Context): IdpAnswer {
    const sent = this.deps.engine.registrationMetadata(context.connection, context.template, context.request)
    const answer = (field: string) => managed.response[field] ?? sent[field]
    const list = (field: string) => { const value = answer(field); return Array.isArray(value) ? value.join(',') : '' }
    if (managed.differences.length > 0) this.deps.log.info({ clientId: managed.clientId, differences: managed.differences }, 'the IdP registered other values than requested')
    return {
      client_id: managed.clientId,
      registration_client_uri: managed.registrationClientUri ?? null,
      scope: typeof answer('scope') === 'string' ? answer('scope') as string : '',
      grant_types: list('grant_types'),
      response_types: list('response_types'),
      redirect_uris: list('redirect_uris'),
      token_endpoint_auth_method: typeof answer('token_endpoint_auth_method') === 'string' ? answer('token_endpoint_auth_method') as string : context.template.tokenEndpointAuthMethod,
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
      connection: toProviderConnection(provider, this.deps.box),
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

/** The next attempt of a tombstone that only an operator can resolve. */
export const NEVER = '9999-12-31T23:59:59.999Z'

/**
 * Whether the IdP may have created the client although the call failed: a timeout, an answer cut short or
 * unreadable, or a server error. Refused connections and OAuth error answers created nothing.
 */
function isOutcomeUnknown (error: unknown): error is IdpError {
  if (!(error instanceof IdpError)) return false
  if (['timeout', 'non_json', 'too_large', 'invalid_response'].includes(error.stage)) return true
  return error.stage === 'http_error' && (error.status ?? 0) >= 500
}

function lockKey (appId: number, clientTypeId: number): string {
  return `oauth-client:${appId}:${clientTypeId}`
}

/** Sent to the IdP in client_name, so that a client can be found again after an unknown outcome. */
function newCorrelationTag (appId: number, clientTypeId: number): string {
  return `portal:${appId}:${clientTypeId}:${randomBytes(6).toString('hex')}`
}

export function splitScopes (scope: string): string[] {
  return scope.split(' ').filter(Boolean)
}

function union (a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}
