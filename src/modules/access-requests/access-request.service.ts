// Provision, approve, reject and delete access requests (tyk-portal-api.md §5.3–§5.5, §6). Approval of a
// DCR request gives it its scopes (products' Scopes + plan's JWTScope) on its app's IdP client.
import { IdpError, isMachineOnly } from '../../dcr/index.ts'
import type { Db } from '../../db/database.ts'
import type { Lease } from '../../db/leases.ts'
import { AppError, show } from '../../errors.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Clock } from '../../shared/time.ts'
import type { Actor } from '../../shared/actor.ts'
import { recordAudit } from '../audit/audit.ts'
import type { DeletionTarget, UsageCheck } from '../usage/usage.ts'
import { findApp } from '../apps/app.repository.ts'
import { appNotFound, getAppRow } from '../apps/app.service.ts'
import type { AccessRequestRecord, AccessRequestWithCredentials } from '../apps/app-access-request.record.ts'
import { toClientTemplate } from '../oauth-providers/idp-connection.ts'
import { listOAuthClientsOf } from '../credentials/credential.repository.ts'
import type { CredentialService } from '../credentials/credential.service.ts'
import type { RegistrationPreview } from '../credentials/credential.record.ts'
import { NO_IDP_OUTCOME, type GrantOutcome, type IdpOutcome } from '../credentials/idp-client.service.ts'
import { findPlan } from '../plans/plan.repository.ts'
import { findAttachedClientType, findClientTypeById, findProduct } from '../products/product.repository.ts'
import {
  deleteAccessRequest, findAccessRequest, findPendingTwin, insertAccessRequest, listAccessRequests, listAllAccessRequestsOf,
  productsOfRequests, rejectRequestsOf, updateAccessRequest, updateAccessRequestFrom, type AccessRequestView
} from './access-request.repository.ts'
import type { AccessRequestStatus } from '../../db/tables/access-request.table.ts'
import type { ProvisionInput } from './access-request.schemas.ts'
import { toAccessRequestRecord } from './access-request.record.ts'

/** 404 for an access request id, as a path wrote it or as a number; naming the app when the path does. */
export const accessRequestNotFound = (id: string | number, appId?: number) =>
  new AppError('not_found', `Access request Not found: access_request_id ${show(String(id))}${appId === undefined ? '' : ` of app_id ${show(String(appId))}`}`)

/** What an approval did; `newSecret`: its credential's client got a secret the consumer has not seen (shown once). */
export interface Approval {
  readonly newSecret: boolean
}

export interface AccessRequestServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly credentials: CredentialService
}

export class AccessRequestService {
  constructor (private readonly deps: AccessRequestServiceDeps) {}

  /** All access requests, or those of an app (404 for an unknown app); only those in `status` when given. */
  async list (page: Page, appId?: number, status?: AccessRequestStatus): Promise<AccessRequestRecord[]> {
    if (appId !== undefined) await getAppRow(this.deps.db, appId)
    return await this.records(await listAccessRequests(this.deps.db, page, appId, status))
  }

  /**
   * What approving the request will register at the IdP, computed as approve() computes it (its scopes,
   * the app's client for its client type); undefined for a request without DCR, which reaches no IdP.
   */
  async preview (id: number): Promise<RegistrationPreview | undefined> {
    const request = await this.getView(id)
    if (request.dcr_enabled !== 1 || request.client_type_id === null) return undefined
    return await this.deps.credentials.preview({ appId: request.app_id, clientTypeId: request.client_type_id, scopes: await this.scopesOf(request) })
  }

  /** Every access request of an app, with its credentials (the app's AccessRequests). */
  async listOfApp (appId: number): Promise<AccessRequestWithCredentials[]> {
    return await this.withCredentials(await listAllAccessRequestsOf(this.deps.db, appId))
  }

  /** The request; with an app (the app's path), 404 unless it is one of that app's. */
  async get (id: number, appId?: number): Promise<AccessRequestWithCredentials> {
    const [request] = await this.withCredentials([await this.getView(id, appId)])
    return request!
  }

  /**
   * The 404 of an access request id that cannot name a row (as the path wrote it) on the app's path: the
   * app's own 404 first when the app is unknown too, as for an unknown request id.
   */
  async notFound (rawId: string, appId: number): Promise<AppError> {
    return await findApp(this.deps.db, appId) === undefined ? appNotFound(appId) : accessRequestNotFound(rawId, appId)
  }

  /** PUT /apps/{app_id}/provision: a new access request; approved at once when the plan says so. */
  async provision (appId: number, input: ProvisionInput, actor: Actor): Promise<{ id: number; approved: boolean; newSecret: boolean }> {
    const app = await getAppRow(this.deps.db, appId)
    const problems: string[] = []
    const plan = await findPlan(this.deps.db, input.PlanID)
    if (plan === undefined) problems.push(`PlanID ${input.PlanID} does not exist`)
    const productIds = [...new Set(input.ProductIDs)]
    if (productIds.length !== input.ProductIDs.length) problems.push(`ProductIDs lists a product more than once: ${show(input.ProductIDs)}`)
    const products = []
    for (const id of productIds) {
      const product = await findProduct(this.deps.db, id)
      if (product === undefined) problems.push(`ProductIDs: product ${id} does not exist`)
      else products.push(product)
    }
    const templateId = input.DCRTemplateID ?? 0
    const dcr = products.filter((product) => product.dcr_enabled === 1)
    const plain = products.filter((product) => product.dcr_enabled !== 1)
    if (dcr.length > 0 && plain.length > 0) {
      problems.push(`ProductIDs mixes DCR products (${dcr.map((p) => p.id).join(', ')}) with others (${plain.map((p) => p.id).join(', ')}): request them separately`)
    }
    if (plain.length > 0 && dcr.length === 0 && templateId !== 0) {
      problems.push(`DCRTemplateID ${templateId} applies to DCR products only; product ${plain.map((p) => p.id).join(', ')} is not DCR-enabled`)
    }
    if (dcr.length > 0 && templateId === 0) problems.push('DCRTemplateID is required for DCR products: name the client type to register')
    if (dcr.length > 0 && templateId !== 0) {
      const clientType = await findClientTypeById(this.deps.db, templateId)
      if (clientType === undefined) {
        problems.push(`DCRTemplateID ${templateId} is not a client type`)
      } else {
        for (const product of dcr) {
          if (await findAttachedClientType(this.deps.db, product.id, templateId) === undefined) {
            problems.push(`DCRTemplateID ${templateId} (${show(clientType.name)}) is not offered by product ${product.id} ${show(product.name)}: attach it first`)
          }
        }
        // The same rule that decides whether redirect URIs are sent at registration (design.md §5).
        if (!isMachineOnly(toClientTemplate(clientType)) && app.redirect_urls === '') {
          problems.push(`app ${app.id} has no RedirectURLs, which client type ${show(clientType.name)} (${clientType.grant_types}) needs`)
        }
      }
    }
    if (problems.length > 0 || plan === undefined) throw new AppError('invalid_input', problems)

    const now = this.deps.now().toISOString()
    const autoApprove = plan.auto_approve_access_requests === 1
    const clientTypeId = dcr.length > 0 ? templateId : null
    // A pending request on an auto-approving plan is one whose approval failed: the same provision retries it (issue 11 item 10).
    const failed = autoApprove ? await findPendingTwin(this.deps.db, { appId: app.id, planId: plan.id, clientTypeId, productIds }) : undefined
    const request = failed ?? await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await insertAccessRequest(trx, {
        app_id: app.id,
        plan_id: plan.id,
        client_type_id: clientTypeId,
        status: 'pending',
        dcr_enabled: dcr.length > 0 ? 1 : 0,
        provision_immediately: autoApprove ? 1 : 0,
        granted_scopes: '',
        last_error: null,
        created_at: now,
        updated_at: now
      }, productIds)
      await this.audit(trx, actor, 'create', inserted.id, undefined, { AppID: app.id, PlanID: plan.id, ProductIDs: productIds, DCRTemplateID: templateId })
      return inserted
    })
    const approval = autoApprove ? await this.autoApprove(request.id, actor) : undefined
    return { id: request.id, approved: autoApprove, newSecret: approval?.newSecret ?? false }
  }

  /** A plan's automatic approval; a failure names the request, which stays pending for a retry (issue 11 item 10). */
  private async autoApprove (id: number, actor: Actor): Promise<Approval> {
    try {
      return await this.approve(id, actor)
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      const [first = error.message, ...rest] = error.messages
      throw new AppError(error.code, [`access request ${id} stays pending (provision the same again to retry its approval): ${first}`, ...rest],
        error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds })
    }
  }

  /** Approval; for DCR, the client is registered (or given these scopes) at the IdP first. */
  async approve (id: number, actor: Actor): Promise<Approval> {
    let newSecret = false
    await this.onRequest(id, async (request, lease) => {
      if (request.status !== 'pending') throw new AppError('invalid_state', `access request ${request.id} is ${request.status}, not pending`)
      const scopes = lease === undefined ? [] : await this.scopesOf(request)
      const outcome = lease === undefined ? { ...NO_IDP_OUTCOME, newSecret: false } : await this.granted(lease, request, scopes)
      await this.commit(outcome, async (trx) => {
        await this.changeStatus(trx, request, { status: 'approved', granted_scopes: scopes.join(' '), last_error: null })
        await this.audit(trx, actor, 'approve', request.id, { Status: request.status }, { Status: 'approved', Scope: scopes.join(' ') })
      })
      newSecret = outcome.newSecret
    })
    return { newSecret }
  }

  /** Rejects a pending request; an approved one first gives its credentials back (the IdP client loses its scopes). */
  async reject (id: number, actor: Actor): Promise<void> {
    await this.onRequest(id, async (request, lease) => {
      if (request.status === 'rejected') throw new AppError('invalid_state', `access request ${request.id} is already rejected`)
      const released = lease === undefined ? NO_IDP_OUTCOME : await this.deps.credentials.releaseAll(lease, request.id, actor)
      await this.commit(released, async (trx) => {
        await this.changeStatus(trx, request, { status: 'rejected' })
        await this.audit(trx, actor, 'reject', request.id, { Status: request.status }, { Status: 'rejected' })
      })
    })
  }

  /** Deleting revokes its credentials at the IdP first; an unreachable IdP fails the call and deletes nothing. */
  async remove (id: number, actor: Actor, appId?: number): Promise<void> {
    await this.onRequest(id, async (request, lease) => {
      const released = lease === undefined ? NO_IDP_OUTCOME : await this.deps.credentials.releaseAll(lease, request.id, actor)
      await this.commit(released, async (trx) => {
        if (!await deleteAccessRequest(trx, request.id)) throw accessRequestNotFound(id, appId)
        await this.audit(trx, actor, 'delete', request.id, { Status: request.status, AppID: request.app_id })
      })
    }, appId)
  }

  /**
   * Before an app is deleted: every access request of it, with its credentials, and any client left over.
   * `force` (a user's ?force=true): the app's clients go first, an IdP failure left to the reconciler.
   */
  async removeAllOfApp (appId: number, actor: Actor, force = false): Promise<void> {
    if (force) await this.deps.credentials.revokeAll({ appId }, { force })
    for (const request of await listAllAccessRequestsOf(this.deps.db, appId)) await this.remove(request.id, actor)
    await this.deps.credentials.revokeAll({ appId })
  }

  /** The IdP part of an approval; a failure is kept in the request's LastError, a refusal answered 422 as Tyk. */
  private async granted (lease: Lease, request: AccessRequestView, scopes: readonly string[]): Promise<GrantOutcome> {
    try {
      return await this.deps.credentials.grant(lease, { accessRequestId: request.id, appId: request.app_id, clientTypeId: request.client_type_id!, scopes })
    } catch (error) {
      if (!(error instanceof IdpError)) throw error
      await updateAccessRequest(this.deps.db, request.id, { last_error: error.message, updated_at: this.deps.now().toISOString() })
      // The IdP answered and refused (e.g. a Keycloak policy): the request stays pending, 422 as Tyk.
      if (error.status !== undefined && error.status >= 400 && error.status < 500) {
        throw new AppError('idp_refused', `the identity provider refused the registration: ${error.message}`)
      }
      throw error
    }
  }

  /**
   * The unit of work of approve, reject and delete: what the IdP calls changed, the request's new state
   * and the audit entries, in one short transaction; a new client that cannot be recorded is taken back.
   */
  private async commit (outcome: IdpOutcome, writes: (trx: Db) => Promise<void>): Promise<void> {
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        await outcome.record(trx)
        await writes(trx)
      })
    } catch (error) {
      await outcome.abandon()
      throw error
    }
    await outcome.settle()
  }

  /** Changes the request's status from the one it was read with; a change that came first wins (422). */
  private async changeStatus (trx: Db, request: AccessRequestView, changes: { status: AccessRequestStatus; granted_scopes?: string; last_error?: null }): Promise<void> {
    if (!await updateAccessRequestFrom(trx, request.id, request.status, { ...changes, updated_at: this.deps.now().toISOString() })) {
      throw new AppError('invalid_state', `access request ${request.id} was changed meanwhile: it is no longer ${request.status}`)
    }
  }

  /** An audit entry in the caller's transaction (issue 5 item 6); secrets are masked by recordAudit. */
  private async audit (trx: Db, actor: Actor, action: string, id: number, before?: unknown, after?: unknown): Promise<void> {
    await recordAudit(trx, { actor, at: this.deps.now(), action, resourceType: 'access_request', resourceId: id, before, after })
  }

  private async scopesOf (request: AccessRequestView): Promise<string[]> {
    const products = await productsOfRequests(this.deps.db, [request.id])
    const csv = [...products.map((product) => product.scopes), request.plan_jwt_scope ?? '']
    return [...new Set(csv.flatMap((value) => value.split(',')).filter(Boolean))]
  }

  /**
   * Runs a use case on the request as read holding its IdP client's lease (one per app and client type,
   * across processes), so approve, reject and delete of it, and every other call for that client, never
   * interleave. A request without DCR calls no IdP: it runs at once, its status changes conditional.
   */
  private async onRequest (id: number, task: (request: AccessRequestView, lease?: Lease) => Promise<void>, appId?: number): Promise<void> {
    const request = await this.getView(id, appId)
    if (request.dcr_enabled !== 1 || request.client_type_id === null) return await task(request)
    await this.deps.credentials.exclusive(request.app_id, request.client_type_id, async (lease) => { await task(await this.getView(id, appId), lease) })
  }

  /** The request as read; with an app, 404 for the app first, then unless the request is one of its. */
  private async getView (id: number, appId?: number): Promise<AccessRequestView> {
    if (appId !== undefined) await getAppRow(this.deps.db, appId)
    const request = await findAccessRequest(this.deps.db, id)
    if (request === undefined || (appId !== undefined && request.app_id !== appId)) throw accessRequestNotFound(id, appId)
    return request
  }

  private async records (views: readonly AccessRequestView[]): Promise<AccessRequestRecord[]> {
    const products = await productsOfRequests(this.deps.db, views.map((view) => view.id))
    return views.map((view) => toAccessRequestRecord(view, products.filter((product) => product.access_request_id === view.id)))
  }

  private async withCredentials (views: readonly AccessRequestView[]): Promise<AccessRequestWithCredentials[]> {
    const credentials = await this.deps.credentials.listOf(views.map((view) => view.id))
    return (await this.records(views)).map((request) => ({ ...request, credentials: credentials.get(request.id) ?? [] }))
  }
}

/** ?force=true on a provider or client type with live credentials: revoke them at the IdP, reject the requests. */
export function credentialUsage (credentials: CredentialService, now: Clock): UsageCheck {
  return {
    async findUses (trx, target: DeletionTarget) {
      return (await listOAuthClientsOf(trx, target)).map((client) =>
        `client type ${client.client_type_id} has live credentials: IdP client ${show(client.client_id)} of app ${client.app_id}`)
    },
    async prepareRelease (target) {
      await credentials.revokeAll(target)
    },
    async release (trx, target) {
      await rejectRequestsOf(trx, target, 'its client type or provider was deleted', now().toISOString())
    }
  }
}
