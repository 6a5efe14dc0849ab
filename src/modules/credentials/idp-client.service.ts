// The life of the IdP clients behind credentials (design.md §5). One client per app and client type
// (Tyk ≥ 1.16): the first approval registers it, later ones add their scopes (RFC 7592 update), a
// release takes its scopes back and the last one deletes the client. Every call for one client runs
// holding that client's lease (src/db/leases.ts), so calls never interleave across processes and the
// newest registration access token is always the one presented. IdP calls run outside any transaction;
// an answer that must not be lost (a rotated token) is saved at once, fenced; the rest is an IdpOutcome
// that the use case records in its own transaction, together with its own changes.
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { DRIVERS, IdpError, type ClientCredentials, type ClientRequest, type ClientTemplate, type DcrEngine, type ManagedClient, type ProviderConnection } from '../../dcr/index.ts'
import type { Db } from '../../db/database.ts'
import type { Lease, Leases } from '../../db/leases.ts'
import { AppError } from '../../errors.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { sameSet } from '../../shared/sets.ts'
import { CLIENT_REGISTRATION_TOKEN, CLIENT_SECRET, openColumn, sealColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import { clientLeaseKey, describeFate, type DeletionFate } from '../idp-operations/idp-operation.record.ts'
import type { IdpOperationService } from '../idp-operations/idp-operation.service.ts'
import { toClientTemplate, toProviderConnection } from '../oauth-providers/idp-connection.ts'
import {
  countCredentialsOn, deleteCredentials, deleteOAuthClient, findOAuthClient, findOAuthClientFor, findProviderRow, findRegistrationContext,
  insertCredential, insertOAuthClient, listOAuthClientsOf, scopesHeldByOthers, updateOAuthClient, type OAuthClientFilter
} from './credential.repository.ts'
import type { NewOAuthClientRow, OAuthClientRow } from '../../db/tables/credential.table.ts'
import type { RegistrationPreview } from './credential.record.ts'

export interface IdpClientServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly engine: DcrEngine
  readonly leases: Leases
  readonly operations: IdpOperationService
  readonly log: FastifyBaseLogger
  readonly box: SecretBox
}

export interface Grant {
  readonly accessRequestId: number
  readonly appId: number
  readonly clientTypeId: number
  readonly scopes: readonly string[]
}

/** What IdP calls changed, still to record: in the caller's transaction, with the caller's own changes. */
export interface IdpOutcome {
  /** Saves it in the caller's transaction; refused (nothing saved) when the lease was lost meanwhile. */
  record(trx: Db): Promise<void>
  /** The caller's transaction failed: undo at the IdP what cannot stay unrecorded (a new client). */
  abandon(): Promise<void>
  /** After the commit: what is left to do at the IdP (a replaced client's deletion). */
  settle(): Promise<void>
}

/** A grant's outcome; `newSecret`: the client's secret is new (a new client, or the IdP issued one on update). */
export interface GrantOutcome extends IdpOutcome {
  readonly newSecret: boolean
}

export type RotationMode = 'in_place' | 'replaced'

/** A release's outcome, and what it did at the IdP in words (issue 10 item 4: the answer says what happened). */
export interface Release extends IdpOutcome {
  readonly atIdp: string
}

/** The columns that come from the IdP's answer, but for the secrets, which are sealed for their row. */
type IdpAnswer = Omit<NewOAuthClientRow, 'app_id' | 'client_type_id' | 'provider_id' | 'correlation_tag' | 'created_at' | 'client_secret' | 'registration_access_token'>

interface Context {
  readonly connection: ProviderConnection
  readonly template: ClientTemplate
  readonly request: ClientRequest
}

const nothing = async (): Promise<void> => { /* no IdP call left to record, undo or finish */ }

/** A use case that called no IdP: nothing to record but its own change. */
export const NO_IDP_OUTCOME: IdpOutcome = { record: nothing, abandon: nothing, settle: nothing }

export class IdpClientService {
  constructor (private readonly deps: IdpClientServiceDeps) {}

  /** Runs `task` holding the lease of the app's client for the client type (503 when busy too long). */
  async exclusive<T> (appId: number, clientTypeId: number, task: (lease: Lease) => Promise<T>): Promise<T> {
    return await this.deps.leases.run(clientLeaseKey(appId, clientTypeId), `the IdP client of app ${appId} for client type ${clientTypeId}`, task)
  }

  /** Gives an access request its scopes on its app's client for the client type; the outcome records its credential. */
  async grant (lease: Lease, grant: Grant): Promise<GrantOutcome> {
    const existing = await findOAuthClientFor(this.deps.db, grant.appId, grant.clientTypeId)
    if (existing === undefined) return { ...await this.register(lease, grant), newSecret: true }
    const client = await this.ensureScopes(lease, existing, await this.scopesWith(existing, grant.scopes))
    return {
      // RFC 7592 §2.2: the update may have come with a new secret (secretChange below).
      newSecret: client.secret_changed_at !== existing.secret_changed_at,
      record: async (trx) => {
        await this.deps.leases.assertHeld(trx, lease)
        await insertCredential(trx, grant.accessRequestId, client.id, this.timestamp())
      },
      abandon: nothing,
      settle: nothing
    }
  }

  /**
   * What grant() would send the IdP, without sending it (the console shows it before an approval): the
   * registration of a new client, or the update of the app's client for the client type to these scopes.
   */
  async preview (grant: Omit<Grant, 'accessRequestId'>): Promise<RegistrationPreview> {
    const existing = await findOAuthClientFor(this.deps.db, grant.appId, grant.clientTypeId)
    const scopes = existing === undefined ? [...grant.scopes] : await this.scopesWith(existing, grant.scopes)
    // A new client's tag is random (newCorrelationTag); "…" stands for the part not drawn yet.
    const tag = existing?.correlation_tag ?? `${correlationTagPrefix(grant.appId, grant.clientTypeId)}…`
    const context = await this.context(grant.appId, grant.clientTypeId, scopes, tag)
    return {
      action: existing === undefined ? 'register' : holds(existing, scopes) ? 'unchanged' : 'update',
      clientId: existing?.client_id ?? null,
      metadata: this.deps.engine.registrationMetadata(context.connection, context.template, context.request)
    }
  }

  /** How rotate() will renew the client's secret: in place where the provider's IdP can, else by a replacement client. */
  async rotationMode (oauthClientId: number): Promise<RotationMode> {
    const client = await findOAuthClient(this.deps.db, oauthClientId)
    const provider = client === undefined ? undefined : await findProviderRow(this.deps.db, client.provider_id)
    if (provider === undefined) throw new AppError('invalid_state', `the client ${oauthClientId} or its provider no longer exists`)
    return this.modeAt(toProviderConnection(provider, this.deps.box))
  }

  /** The provider's token endpoint, from its discovery document (cached by the engine). */
  async tokenEndpoint (providerId: number): Promise<string | undefined> {
    const provider = await findProviderRow(this.deps.db, providerId)
    if (provider === undefined) return undefined
    return (await this.deps.engine.discover(toProviderConnection(provider, this.deps.box))).tokenEndpoint
  }

  /**
   * Takes credentials' scopes back from their client: an update to the scopes the other credentials
   * still hold, or the client's deletion when none is left. An unreachable IdP fails the call and
   * nothing is deleted locally; an IdP that no longer knows the client counts as deleted.
   */
  async release (lease: Lease, oauthClientId: number, credentialIds: readonly number[]): Promise<Release> {
    const client = await findOAuthClient(this.deps.db, oauthClientId)
    if (client === undefined || credentialIds.length === 0) return { record: nothing, abandon: nothing, settle: nothing, atIdp: 'nothing to change at the IdP' }
    if (await countCredentialsOn(this.deps.db, client.id, credentialIds) === 0) {
      const { fate, tombstone } = await this.deleteAtIdp(lease, client)
      return {
        atIdp: describeFate(fate),
        record: async (trx) => {
          await this.deps.leases.assertHeld(trx, lease)
          await this.dropDeleted(trx, client.id, tombstone)
        },
        abandon: nothing,
        settle: nothing
      }
    }
    const kept = await scopesHeldByOthers(this.deps.db, client.id, credentialIds)
    await this.ensureScopes(lease, client, kept)
    return {
      atIdp: `client ${client.client_id} stays, for its other credentials, with scope "${kept.join(' ')}" at the IdP`,
      record: async (trx) => {
        await this.deps.leases.assertHeld(trx, lease)
        await deleteCredentials(trx, credentialIds)
      },
      abandon: nothing,
      settle: nothing
    }
  }

  /**
   * A new secret for a client: in place where the IdP can (Okta newSecret); otherwise a replacement
   * client is registered (recorded on the same row, so every credential follows), and the old client
   * is deleted once that is committed.
   */
  async rotate (lease: Lease, oauthClientId: number): Promise<IdpOutcome & { mode: RotationMode; clientId: string; retireOld(): Promise<DeletionFate | undefined> }> {
    const current = await findOAuthClient(this.deps.db, oauthClientId)
    if (current === undefined) throw new AppError('not_found', `Credential Not found: its client ${oauthClientId} is gone`)
    const context = await this.context(current.app_id, current.client_type_id, splitScopes(current.scope), current.correlation_tag)
    if (this.modeAt(context.connection) === 'in_place') {
      const rotated = await this.managing(current, context.connection, async () => await this.deps.engine.rotateSecret(context.connection, this.credentialsOf(current)))
      return {
        mode: 'in_place',
        clientId: rotated.clientId,
        record: async (trx) => {
          await this.deps.leases.assertHeld(trx, lease)
          await updateOAuthClient(trx, current.id, this.changes(current, rotated, context))
        },
        abandon: nothing,
        settle: nothing,
        retireOld: async () => undefined
      }
    }
    const replacementTag = newCorrelationTag(current.app_id, current.client_type_id)
    const replacementContext = { ...context, request: { ...context.request, correlationTag: replacementTag } }
    const target = { appId: current.app_id, clientTypeId: current.client_type_id }
    const registration = await this.deps.operations.register(target, context.connection, context.template, replacementContext.request)
    const replacement = registration.managed
    const old = this.credentialsOf(current)
    const reason = `replaced by client ${replacement.clientId} on rotation`
    let tombstone: number | undefined
    return {
      mode: 'replaced',
      clientId: replacement.clientId,
      // The old client's tombstone commits with its replacement (issue 11 item 2): from then on it is never untracked.
      record: async (trx) => {
        await this.deps.leases.assertHeld(trx, lease)
        await updateOAuthClient(trx, current.id, { ...this.changes(current, replacement, replacementContext), correlation_tag: replacementTag })
        await registration.complete(trx)
        tombstone = await this.deps.operations.recordDeletionIn(trx, current.provider_id, old, reason, null, this.timestamp(), lease.key)
      },
      abandon: async () => { await registration.abandon() },
      settle: nothing,
      // After the commit (the consumer already holds the new client): the old client's DELETE, recorded in that
      // commit, is sent now; a failure is retried by the reconciler, and what no call can delete is left for an
      // operator, the old client active until then (issue 10 item 4).
      retireOld: async () => tombstone === undefined ? undefined : await this.deps.operations.deleteRecorded(tombstone, context.connection, old, reason)
    }
  }

  /**
   * Deletes every client the filter names, at the IdP first: ?force=true on a provider or client type,
   * and an app's clients that no credential holds any more when the app is deleted. `force` (a user's
   * ?force=true, Tyk: "force user deletion on errors caused by interaction with external providers"): a
   * DELETE the IdP fails is left to the reconciler, or to an operator, and the client's rows go all the same.
   */
  async revokeAll (filter: OAuthClientFilter, options: { readonly force?: boolean } = {}): Promise<DeletionFate[]> {
    const fates: DeletionFate[] = []
    for (const client of await listOAuthClientsOf(this.deps.db, filter)) {
      await this.exclusive(client.app_id, client.client_type_id, async (lease) => {
        const current = await findOAuthClient(this.deps.db, client.id)
        if (current === undefined) return
        const { fate, tombstone } = await this.deleteAtIdp(lease, current, options.force === true)
        fates.push(fate)
        await this.deps.db.transaction().execute(async (trx) => {
          await this.deps.leases.assertHeld(trx, lease)
          await this.dropDeleted(trx, current.id, tombstone)
        })
      })
    }
    return fates
  }

  private modeAt (connection: ProviderConnection): RotationMode {
    return this.deps.engine.capabilities(connection.type).rotatesSecret ? 'in_place' : 'replaced'
  }

  /** The scopes a client holds once a grant adds its own: those its credentials were granted, and these. */
  private async scopesWith (client: OAuthClientRow, scopes: readonly string[]): Promise<string[]> {
    return union(await scopesHeldByOthers(this.deps.db, client.id, []), scopes)
  }

  /** A new client for the app and client type, through the recorded saga; recorded with its first credential. */
  private async register (lease: Lease, grant: Grant): Promise<IdpOutcome> {
    const tag = newCorrelationTag(grant.appId, grant.clientTypeId)
    const context = await this.context(grant.appId, grant.clientTypeId, grant.scopes, tag)
    const registration = await this.deps.operations.register(grant, context.connection, context.template, context.request)
    const managed = registration.managed
    return {
      // The new client, its credential and the caller's change in one commit: with the intent, the saga's two.
      record: async (trx) => {
        await this.deps.leases.assertHeld(trx, lease)
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
        await insertCredential(trx, grant.accessRequestId, row.id, this.timestamp())
        await registration.complete(trx)
      },
      abandon: async () => { await registration.abandon() },
      settle: nothing
    }
  }

  /**
   * A management call for a stored client. A 401 on RFC 7592 management means its registration access
   * token is no longer valid (rotated and the newest lost, or revoked): the client is marked unmanageable
   * with a clear message, once, rather than retried in a loop (issue 5).
   */
  private async managing<T> (client: OAuthClientRow, connection: ProviderConnection, call: () => Promise<T>): Promise<T> {
    if (client.state === 'unmanageable') throw new AppError('conflict_unmanageable', client.last_error ?? `client ${client.client_id} is unmanageable`)
    const gap = this.deps.engine.managementGap(connection, this.credentialsOf(client))
    if (gap !== undefined) throw new AppError('conflict_unmanageable', gap)
    try {
      return await call()
    } catch (error) {
      if (!(error instanceof IdpError) || error.status !== 401 || DRIVERS[connection.type].management.style !== 'rfc7592') throw error
      const message = `the IdP refused the registration access token of client ${client.client_id} (RFC 7592 §2.1: rotated and the newest one lost, or revoked): ` +
        'the portal can no longer update or delete it; delete it at the IdP by hand, then delete its credentials here'
      await updateOAuthClient(this.deps.db, client.id, { state: 'unmanageable', last_error: message, updated_at: this.timestamp() })
      throw new AppError('conflict_unmanageable', message)
    }
  }

  /**
   * Updates the client at the IdP when its scopes differ from `scopes`, and saves the answer (the newest
   * registration access token) at once, fenced by the lease; returns the client as now stored.
   */
  private async ensureScopes (lease: Lease, client: OAuthClientRow, scopes: readonly string[]): Promise<OAuthClientRow> {
    if (holds(client, scopes)) return client
    const context = await this.context(client.app_id, client.client_type_id, scopes, client.correlation_tag)
    const updated = await this.managing(client, context.connection, async () => await this.deps.engine.update(context.connection, this.credentialsOf(client), context.template, context.request))
    await this.deps.db.transaction().execute(async (trx) => {
      await this.deps.leases.assertHeld(trx, lease)
      await updateOAuthClient(trx, client.id, this.changes(client, updated, context))
    })
    return (await findOAuthClient(this.deps.db, client.id)) ?? client
  }

  /**
   * Deletes a stored client at the IdP before its rows go, its tombstone written first (issue 11 item 2): the
   * caller drops it with the rows (dropDeleted); a crash meanwhile leaves it for the reconciler, which finishes
   * the deletion. A failed call forgets it and fails: nothing is deleted here. A client that cannot be deleted
   * through the API (unmanageable, or an IdP without RFC 7592 management) is left for an operator: its rows go,
   * and a tombstone says to delete it at the IdP by hand (issue 10 item 4); so is a failed one when `force`.
   * `tombstone`: the one to drop.
   */
  private async deleteAtIdp (lease: Lease, client: OAuthClientRow, force = false): Promise<{ fate: DeletionFate; tombstone?: number }> {
    const provider = await findProviderRow(this.deps.db, client.provider_id)
    if (provider === undefined) return { fate: { clientId: client.client_id, outcome: 'already_gone' } }
    const connection = toProviderConnection(provider, this.deps.box)
    const credentials = this.credentialsOf(client)
    if (client.state === 'unmanageable') {
      const why = client.last_error ?? `client ${client.client_id} is unmanageable`
      return { fate: await this.deps.operations.leaveForOperator(client.provider_id, credentials, 'deleted here while unmanageable', why) }
    }
    const gap = this.deps.engine.managementGap(connection, credentials)
    if (gap !== undefined) return { fate: await this.deps.operations.leaveForOperator(client.provider_id, credentials, 'deleted here; the IdP offers no client management', gap) }
    const tombstone = await this.deps.operations.recordDeletion(client.provider_id, credentials, 'deleted here with its credentials', null, this.timestamp(), lease.key)
    try {
      const outcome = await this.managing(client, connection, async () => await this.deps.engine.remove(connection, credentials))
      this.deps.log.info({ clientId: client.client_id, providerId: client.provider_id, outcome }, 'IdP client deleted')
      return { fate: { clientId: client.client_id, outcome }, tombstone }
    } catch (error) {
      // Forced: the tombstone stays (the caller drops the rows, not it), for the reconciler or an operator.
      if (force && error instanceof IdpError) return { fate: await this.deps.operations.afterFailedDeletion(tombstone, credentials, error) }
      if (force && error instanceof AppError && error.code === 'conflict_unmanageable') return { fate: await this.deps.operations.handOver(tombstone, credentials, error.message) }
      await this.deps.operations.forgetDeletion(this.deps.db, tombstone)
      throw error
    }
  }

  /** A client deleted at the IdP leaves: its row, its credentials and the tombstone of its DELETE, in one transaction. */
  private async dropDeleted (trx: Db, oauthClientId: number, tombstone: number | undefined): Promise<void> {
    await deleteOAuthClient(trx, oauthClientId)
    if (tombstone !== undefined) await this.deps.operations.forgetDeletion(trx, tombstone)
  }

  /** What the IdP answered, as the row's new columns: newest token and secret sealed for the row. */
  private changes (stored: OAuthClientRow, managed: ManagedClient, context: Context) {
    return { ...this.fields(managed, context), ...this.sealedSecrets(stored.id, managed), ...this.secretChange(stored, managed) }
  }

  /**
   * RFC 7592 §2.2 lets an IdP issue a new secret on any update (Glewlwyd does on every one): the consumer's
   * secret then stops working, so the change is shown on the credential with its time (issue 10 item 4).
   */
  private secretChange (stored: OAuthClientRow, managed: ManagedClient): { secret_changed_at?: string } {
    const previous = openColumn(this.deps.box, CLIENT_SECRET, stored.id, stored.client_secret)
    if (managed.clientSecret === undefined || previous === null || managed.clientSecret === previous) return {}
    this.deps.log.warn({ clientId: managed.clientId, previousClientId: stored.client_id }, 'the IdP issued a new client secret: the one the consumer holds no longer works')
    return { secret_changed_at: this.timestamp() }
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
      // RFC 7591 §3.2.1: the IdP may grant other values than asked; both are kept and shown.
      requested_scope: typeof sent.scope === 'string' ? sent.scope : '',
      requested_grant_types: Array.isArray(sent.grant_types) ? sent.grant_types.join(',') : '',
      secret_expires_at: managed.secretExpiresAt ?? null,
      dcr_response: JSON.stringify(managed.response),
      updated_at: this.timestamp()
    }
  }

  private async context (appId: number, clientTypeId: number, scopes: readonly string[], correlationTag: string): Promise<Context> {
    const rows = await findRegistrationContext(this.deps.db, appId, clientTypeId)
    if (rows === undefined) throw new AppError('invalid_state', `app ${appId} or client type ${clientTypeId} (or its provider) no longer exists`)
    return {
      connection: toProviderConnection(rows.provider, this.deps.box),
      template: toClientTemplate(rows.clientType),
      request: {
        redirectUris: rows.app.redirect_urls.split(',').filter(Boolean),
        scopes: [...scopes],
        clientName: rows.app.name,
        correlationTag
      }
    }
  }

  private timestamp (): string {
    return this.deps.now().toISOString()
  }
}

/** Sent to the IdP in client_name, so that a client can be found again after an unknown outcome. */
function newCorrelationTag (appId: number, clientTypeId: number): string {
  return `${correlationTagPrefix(appId, clientTypeId)}${randomBytes(6).toString('hex')}`
}

function correlationTagPrefix (appId: number, clientTypeId: number): string {
  return `portal:${appId}:${clientTypeId}:`
}

/** Whether the client holds exactly these scopes at the IdP (no update needed). */
function holds (client: OAuthClientRow, scopes: readonly string[]): boolean {
  return sameSet(splitScopes(client.scope), scopes)
}

export function splitScopes (scope: string): string[] {
  return scope.split(' ').filter(Boolean)
}

function union (a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}
