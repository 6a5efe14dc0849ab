// Credentials (tyk-portal-api.md §5.4, §5.5): what approved access requests hold of their app's IdP
// client. Reading them, rotating and deleting one are use cases of this module; approving, rejecting
// and deleting an access request (src/modules/access-requests) use grant() and release() here, each
// holding the client's lease and recording the outcome in their own transaction.
import type { Db } from '../../db/database.ts'
import type { Lease } from '../../db/leases.ts'
import { AppError, show } from '../../errors.ts'
import { parseId } from '../../shared/ids.ts'
import type { Page } from '../../shared/pagination.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import type { Clock } from '../../shared/time.ts'
import type { Actor } from '../../shared/actor.ts'
import { recordAudit } from '../audit/audit.ts'
import { accessRequestOfAppExists, appExists, listCredentialViews, type CredentialView, type OAuthClientFilter } from './credential.repository.ts'
import { toCredential, type Credential } from './credential.schemas.ts'
import type { Grant, IdpClientService, IdpOutcome } from './idp-client.service.ts'

export interface CredentialServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly box: SecretBox
  readonly clients: IdpClientService
}

export class CredentialService {
  constructor (private readonly deps: CredentialServiceDeps) {}

  /** The credentials of these access requests, by access request (shown with each request). */
  async listOf (accessRequestIds: readonly number[]): Promise<Map<number, Credential[]>> {
    const byRequest = new Map<number, Credential[]>()
    for (const view of await listCredentialViews(this.deps.db, accessRequestIds)) {
      byRequest.set(view.access_request_id, [...(byRequest.get(view.access_request_id) ?? []), toCredential(view, this.deps.box)])
    }
    return byRequest
  }

  async list (rawAppId: string, rawRequestId: string, page: Page): Promise<Credential[]> {
    const requestId = await this.getRequestId(rawAppId, rawRequestId)
    return (await listCredentialViews(this.deps.db, [requestId])).slice(page.offset, page.offset + page.limit).map((view) => toCredential(view, this.deps.box))
  }

  async get (rawAppId: string, rawRequestId: string, rawCredentialId: string): Promise<Credential> {
    return toCredential(await this.getView(rawAppId, rawRequestId, rawCredentialId), this.deps.box)
  }

  /** A new secret: in place at the IdP, or a replacement client; the answer says which. */
  async rotate (rawAppId: string, rawRequestId: string, rawCredentialId: string, actor: Actor): Promise<string> {
    const { app_id: appId, client_type_id: clientTypeId } = await this.getView(rawAppId, rawRequestId, rawCredentialId)
    return await this.deps.clients.exclusive(appId, clientTypeId, async (lease) => {
      const credential = await this.getView(rawAppId, rawRequestId, rawCredentialId)
      const rotation = await this.deps.clients.rotate(lease, credential.id)
      await this.recordWith(rotation, async (trx) => { await this.audit(trx, actor, 'rotate', credential) })
      await rotation.settle()
      return rotation.mode === 'in_place'
        ? `client ${rotation.clientId} has a new secret (rotated in place at the IdP)`
        : `client ${credential.client_id} was replaced by client ${rotation.clientId} with a new secret; the old client is deleted`
    })
  }

  /** Removes the credential (its scopes leave the IdP client, or the client is deleted); the request survives (Tyk 1.8.3). */
  async remove (rawAppId: string, rawRequestId: string, rawCredentialId: string, actor: Actor): Promise<void> {
    const { app_id: appId, client_type_id: clientTypeId } = await this.getView(rawAppId, rawRequestId, rawCredentialId)
    await this.deps.clients.exclusive(appId, clientTypeId, async (lease) => {
      const credential = await this.getView(rawAppId, rawRequestId, rawCredentialId)
      const released = await this.deps.clients.release(lease, credential.id, [credential.credential_id])
      await this.recordWith(released, async (trx) => { await this.audit(trx, actor, 'delete', credential) })
    })
  }

  /** Runs `task` holding the lease of the app's IdP client for the client type. */
  async exclusive<T> (appId: number, clientTypeId: number, task: (lease: Lease) => Promise<T>): Promise<T> {
    return await this.deps.clients.exclusive(appId, clientTypeId, task)
  }

  /** An approval's IdP part: the caller records the outcome with the request's new status. */
  async grant (lease: Lease, grant: Grant): Promise<IdpOutcome> {
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
  async revokeAll (filter: OAuthClientFilter): Promise<void> {
    await this.deps.clients.revokeAll(filter)
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

  private async getRequestId (rawAppId: string, rawRequestId: string): Promise<number> {
    const appId = parseId(rawAppId)
    if (appId === undefined || !await appExists(this.deps.db, appId)) throw new AppError('not_found', `Application Not found: app_id ${show(rawAppId)}`)
    const id = parseId(rawRequestId)
    if (id === undefined || !await accessRequestOfAppExists(this.deps.db, appId, id)) {
      throw new AppError('not_found', `Access request Not found: access_request_id ${show(rawRequestId)} of app_id ${show(rawAppId)}`)
    }
    return id
  }

  private async getView (rawAppId: string, rawRequestId: string, rawCredentialId: string): Promise<CredentialView> {
    const requestId = await this.getRequestId(rawAppId, rawRequestId)
    const id = parseId(rawCredentialId)
    const [credential] = id === undefined ? [] : await listCredentialViews(this.deps.db, [requestId], id)
    if (credential === undefined) throw new AppError('not_found', `Credential Not found: credential_id ${show(rawCredentialId)} of access_request_id ${show(rawRequestId)}`)
    return credential
  }
}
