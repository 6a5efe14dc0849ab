// Credentials (tyk-portal-api.md §5.4, §5.5): what approved access requests hold of their app's IdP
// client. Reading them, rotating and deleting one are use cases of this module; approving, rejecting
// and deleting an access request (src/modules/access-requests) use grant() and release() here, each
// holding the client's lease and recording the outcome in their own transaction.
import type { Db } from '../../db/database.ts'
import type { Lease } from '../../db/leases.ts'
import { AppError, show } from '../../errors.ts'
import { idOr404 } from '../../shared/ids.ts'
import type { Page } from '../../shared/pagination.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import type { Clock } from '../../shared/time.ts'
import type { Actor } from '../../shared/actor.ts'
import { recordAudit } from '../audit/audit.ts'
import { accessRequestOfAppExists, appExists, listCredentialViews, listCredentialViewsPage, type CredentialView, type OAuthClientFilter } from './credential.repository.ts'
import { toCredentialRecord, type CredentialRecord, type RegistrationPreview, type Rotation } from './credential.record.ts'
import type { Grant, GrantOutcome, IdpClientService, IdpOutcome, RotationMode } from './idp-client.service.ts'
import type { DeletionFate } from '../idp-operations/idp-operation.record.ts'

// The 404s of the credential paths, in the words of the app and access-request routes (this module imports neither).
const appNotFound = (appId: string | number) => new AppError('not_found', `Application Not found: app_id ${show(String(appId))}`)
const requestNotFound = (id: string | number, appId: number) =>
  new AppError('not_found', `Access request Not found: access_request_id ${show(String(id))} of app_id ${show(String(appId))}`)
const credentialNotFound = (id: string | number, requestId: number) =>
  new AppError('not_found', `Credential Not found: credential_id ${show(String(id))} of access_request_id ${show(String(requestId))}`)

/** A path's app id; one that cannot name a row answers the same 404 as an unknown one. */
export const parseCredentialAppId = (raw: string): number => idOr404(raw, appNotFound)

export interface CredentialServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly box: SecretBox
  readonly clients: IdpClientService
}

export class CredentialService {
  constructor (private readonly deps: CredentialServiceDeps) {}

  /** The credentials of these access requests, by access request (shown with each request). */
  async listOf (accessRequestIds: readonly number[]): Promise<Map<number, CredentialRecord[]>> {
    const byRequest = new Map<number, CredentialRecord[]>()
    for (const view of await listCredentialViews(this.deps.db, accessRequestIds)) {
      byRequest.set(view.access_request_id, [...(byRequest.get(view.access_request_id) ?? []), toCredentialRecord(view, this.deps.box)])
    }
    return byRequest
  }

  async list (appId: number, accessRequestId: number, page: Page): Promise<CredentialRecord[]> {
    await this.checkPath(appId, accessRequestId)
    return (await listCredentialViewsPage(this.deps.db, accessRequestId, page)).map((view) => toCredentialRecord(view, this.deps.box))
  }

  async get (appId: number, accessRequestId: number, id: number): Promise<CredentialRecord> {
    return toCredentialRecord(await this.getView(appId, accessRequestId, id), this.deps.box)
  }

  /** How a rotation of this credential will renew its secret (the console says what stops working before). */
  async rotationMode (appId: number, accessRequestId: number, id: number): Promise<RotationMode> {
    return await this.deps.clients.rotationMode((await this.getView(appId, accessRequestId, id)).id)
  }

  /** The token endpoint of a provider, from its discovery document; undefined when it names none. */
  async tokenEndpoint (providerId: number): Promise<string | undefined> {
    return await this.deps.clients.tokenEndpoint(providerId)
  }

  /** A new secret: in place at the IdP, or a replacement client; the answer says which. */
  async rotate (appId: number, accessRequestId: number, id: number, actor: Actor): Promise<Rotation> {
    const { app_id: clientAppId, client_type_id: clientTypeId } = await this.getView(appId, accessRequestId, id)
    return await this.deps.clients.exclusive(clientAppId, clientTypeId, async (lease) => {
      const credential = await this.getView(appId, accessRequestId, id)
      const rotation = await this.deps.clients.rotate(lease, credential.id)
      await this.recordWith(rotation, async (trx) => { await this.audit(trx, actor, 'rotate', credential) })
      await rotation.settle()
      const oldClient = await rotation.retireOld()
      return oldClient === undefined
        ? { mode: 'in_place', clientId: rotation.clientId }
        : { mode: 'replaced', clientId: rotation.clientId, replacedClientId: credential.client_id, oldClient }
    })
  }

  /**
   * Removes the credential (its scopes leave the IdP client, or the client is deleted); the request survives
   * (Tyk 1.8.3). Answers what happened at the IdP, in words.
   */
  async remove (appId: number, accessRequestId: number, id: number, actor: Actor): Promise<string> {
    const { app_id: clientAppId, client_type_id: clientTypeId } = await this.getView(appId, accessRequestId, id)
    return await this.deps.clients.exclusive(clientAppId, clientTypeId, async (lease) => {
      const credential = await this.getView(appId, accessRequestId, id)
      const released = await this.deps.clients.release(lease, credential.id, [credential.credential_id])
      await this.recordWith(released, async (trx) => { await this.audit(trx, actor, 'delete', credential) })
      return released.atIdp
    })
  }

  /**
   * The 404 of a path id that cannot name a row (as a path wrote it), given the ids before it: the app's
   * or the access request's own 404 when one of those names none, as for an unknown id.
   */
  async notFound (appId: number, accessRequestId: number | string, id?: string): Promise<AppError> {
    if (!await appExists(this.deps.db, appId)) return appNotFound(appId)
    if (typeof accessRequestId === 'string' || !await accessRequestOfAppExists(this.deps.db, appId, accessRequestId)) return requestNotFound(accessRequestId, appId)
    return credentialNotFound(id ?? '', accessRequestId)
  }

  /** Runs `task` holding the lease of the app's IdP client for the client type. */
  async exclusive<T> (appId: number, clientTypeId: number, task: (lease: Lease) => Promise<T>): Promise<T> {
    return await this.deps.clients.exclusive(appId, clientTypeId, task)
  }

  /** What an approval's IdP part would send, without sending it. */
  async preview (grant: Omit<Grant, 'accessRequestId'>): Promise<RegistrationPreview> {
    return await this.deps.clients.preview(grant)
  }

  /** An approval's IdP part: the caller records the outcome with the request's new status. */
  async grant (lease: Lease, grant: Grant): Promise<GrantOutcome> {
    return await this.deps.clients.grant(lease, grant)
  }

  /** An access request's credentials given back at the IdP; the outcome deletes them, with their audit entries. */
  async releaseAll (lease: Lease, accessRequestId: number, actor: Actor): Promise<IdpOutcome> {
    const views = await listCredentialViews(this.deps.db, [accessRequestId])
    const outcomes: IdpOutcome[] = []
    for (const clientId of new Set(views.map((view) => view.id))) {
      outcomes.push(await this.deps.clients.release(lease, clientId, views.filter((view) => view.id === clientId).map((view) => view.credential_id)))
    }
    return {
      record: async (trx) => {
        for (const outcome of outcomes) await outcome.record(trx)
        for (const view of views) await this.audit(trx, actor, 'delete', view)
      },
      abandon: async () => { for (const outcome of outcomes) await outcome.abandon() },
      settle: async () => { for (const outcome of outcomes) await outcome.settle() }
    }
  }

  /** Deletes every client the filter names, at the IdP first (?force=true, an app's deletion). */
  async revokeAll (filter: OAuthClientFilter, options: { readonly force?: boolean } = {}): Promise<DeletionFate[]> {
    return await this.deps.clients.revokeAll(filter, options)
  }

  /** Records an outcome and this module's own changes in one transaction; undoes the IdP part if that fails. */
  private async recordWith (outcome: IdpOutcome, own: (trx: Db) => Promise<void>): Promise<void> {
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        await outcome.record(trx)
        await own(trx)
      })
    } catch (error) {
      await outcome.abandon()
      throw error
    }
  }

  /** The audit entry of a credential change, in the transaction that records it; secrets are masked by recordAudit. */
  private async audit (trx: Db, actor: Actor, action: 'delete' | 'rotate', credential: CredentialView): Promise<void> {
    await recordAudit(trx, {
      actor, at: this.deps.now(), action, resourceType: 'credential', resourceId: credential.credential_id,
      before: { AccessRequestID: credential.access_request_id, OAuthClientID: credential.client_id, Scope: credential.scope }
    })
  }

  /** 404 unless the app exists and the access request is one of its. */
  private async checkPath (appId: number, accessRequestId: number): Promise<void> {
    if (!await appExists(this.deps.db, appId)) throw appNotFound(appId)
    if (!await accessRequestOfAppExists(this.deps.db, appId, accessRequestId)) throw requestNotFound(accessRequestId, appId)
  }

  private async getView (appId: number, accessRequestId: number, id: number): Promise<CredentialView> {
    await this.checkPath(appId, accessRequestId)
    const [credential] = await listCredentialViews(this.deps.db, [accessRequestId], id)
    if (credential === undefined) throw credentialNotFound(id, accessRequestId)
    return credential
  }
}
