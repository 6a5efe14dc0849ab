// Provision, approve, reject and delete access requests (tyk-portal-api.md §5.3–§5.5, §6). Approval of a
// DCR request gives it its scopes (products' Scopes + plan's JWTScope) on its app's IdP client.
import { IdpError, isMachineOnly } from '../../dcr/index.ts'
import type { Db } from '../../db/database.ts'
import { AppError, show } from '../../errors.ts'
import type { Actor } from '../../shared/actor.ts'
import { parseId } from '../../shared/ids.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Lock } from '../../shared/keyed-lock.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { CLIENT_SECRET, openColumn } from '../../shared/sealed-columns.ts'
import type { Clock } from '../../shared/time.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { getAppRow } from '../apps/app.service.ts'
import { recordAudit } from '../audit/audit.ts'
import { toClientTemplate } from '../oauth-providers/idp-connection.ts'
import { listCredentialViews, listOAuthClientsOf, type CredentialView } from '../credentials/credential.repository.ts'
import type { OAuthClientService } from '../credentials/oauth-client.service.ts'
import { findPlan } from '../plans/plan.repository.ts'
import { findAttachedClientType, findClientTypeById, findProduct } from '../products/product.repository.ts'
import {
  deleteAccessRequest, findAccessRequest, insertAccessRequest, listAccessRequests, listAllAccessRequestsOf,
  productsOfRequests, rejectRequestsOf, updateAccessRequest, type AccessRequestView
} from './access-request.repository.ts'
import type { DeletionTarget, UsageCheck } from '../usage/usage.ts'
import type { AccessRequestElem, AccessRequestShow, Credential, ProvisionInput } from './access-request.schemas.ts'

export interface AccessRequestServiceDeps {
  readonly db: Db
  readonly now: Clock
  readonly clients: OAuthClientService
  /** Approve, reject and delete of one request never interleave (each re-reads the status inside). */
  readonly lock: Lock
  readonly box: SecretBox
}

export class AccessRequestService {
  constructor (private readonly deps: AccessRequestServiceDeps) {}

  async list (page: Page, rawAppId?: string): Promise<AccessRequestElem[]> {
    const appId = rawAppId === undefined ? undefined : (await getAppRow(this.deps.db, rawAppId)).id
    return await this.elems(await listAccessRequests(this.deps.db, page, appId))
  }

  /** Every access request of an app, with its credentials (the app's AccessRequests). */
  async listOfApp (appId: number): Promise<AccessRequestShow[]> {
    return await this.shows(await listAllAccessRequestsOf(this.deps.db, appId))
  }

  async get (rawId: string, rawAppId?: string): Promise<AccessRequestShow> {
    const [show] = await this.shows([await this.getView(rawId, rawAppId)])
    return show!
  }

  /** PUT /apps/{app_id}/provision: a new access request; approved at once when the plan says so. */
  async provision (rawAppId: string, input: ProvisionInput, actor: Actor): Promise<{ id: number; approved: boolean }> {
    const app = await getAppRow(this.deps.db, rawAppId)
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
    if (problems.length > 0 || plan === undefined) throw new AppError('unprocessable', problems)

    const now = this.deps.now().toISOString()
    const autoApprove = plan.auto_approve_access_requests === 1
    const request = await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await insertAccessRequest(trx, {
        app_id: app.id,
        plan_id: plan.id,
        client_type_id: dcr.length > 0 ? templateId : null,
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
    if (autoApprove) await this.approve(String(request.id), actor)
    return { id: request.id, approved: autoApprove }
  }

  /** Approval; for DCR, the client is registered (or given these scopes) at the IdP first. */
  async approve (rawId: string, actor: Actor): Promise<void> {
    await this.exclusive(rawId, async (request) => {
      if (request.status !== 'pending') throw new AppError('unprocessable', `access request ${request.id} is ${request.status}, not pending`)
      const approve = async (trx: Db, scopes: readonly string[]) => {
        await updateAccessRequest(trx, request.id, { status: 'approved', granted_scopes: scopes.join(' '), last_error: null, updated_at: this.deps.now().toISOString() })
        await this.audit(trx, actor, 'approve', request.id, { Status: request.status }, { Status: 'approved', Scope: scopes.join(' ') })
      }
      if (request.dcr_enabled !== 1 || request.client_type_id === null) {
        await this.deps.db.transaction().execute(async (trx) => { await approve(trx, []) })
        return
      }
      const scopes = await this.scopesOf(request)
      try {
        await this.deps.clients.grant(
          { accessRequestId: request.id, appId: request.app_id, clientTypeId: request.client_type_id, scopes },
          async (trx) => { await approve(trx, scopes) })
      } catch (error) {
        if (!(error instanceof IdpError)) throw error
        await updateAccessRequest(this.deps.db, request.id, { last_error: error.message, updated_at: this.deps.now().toISOString() })
        // The IdP answered and refused (e.g. a Keycloak policy): the request stays pending, 422 as Tyk.
        if (error.status !== undefined && error.status >= 400 && error.status < 500) {
          throw new AppError('unprocessable', `the identity provider refused the registration: ${error.message}`)
        }
        throw error
      }
    })
  }

  /** Rejects a pending request; an approved one first gives its credentials back (the IdP client loses its scopes). */
  async reject (rawId: string, actor: Actor): Promise<void> {
    await this.exclusive(rawId, async (request) => {
      if (request.status === 'rejected') throw new AppError('unprocessable', `access request ${request.id} is already rejected`)
      await this.releaseCredentials(request.id, actor)
      await this.deps.db.transaction().execute(async (trx) => {
        await updateAccessRequest(trx, request.id, { status: 'rejected', updated_at: this.deps.now().toISOString() })
        await this.audit(trx, actor, 'reject', request.id, { Status: request.status }, { Status: 'rejected' })
      })
    })
  }

  /** Deleting revokes its credentials at the IdP first; an unreachable IdP fails the call and deletes nothing. */
  async remove (rawId: string, actor: Actor, rawAppId?: string): Promise<void> {
    await this.exclusive(rawId, async (request) => {
      await this.releaseCredentials(request.id, actor)
      await this.deps.db.transaction().execute(async (trx) => {
        await deleteAccessRequest(trx, request.id)
        await this.audit(trx, actor, 'delete', request.id, { Status: request.status, AppID: request.app_id })
      })
    }, rawAppId)
  }

  /** Before an app is deleted: every access request of it, with its credentials, and any client left over. */
  async removeAllOfApp (appId: number, actor: Actor): Promise<void> {
    for (const request of await listAllAccessRequestsOf(this.deps.db, appId)) await this.remove(String(request.id), actor)
    await this.deps.clients.revokeAll({ appId })
  }

  async listCredentials (rawAppId: string, rawRequestId: string, page: Page): Promise<Credential[]> {
    const request = await this.getView(rawRequestId, rawAppId)
    return (await listCredentialViews(this.deps.db, [request.id])).slice(page.offset, page.offset + page.limit).map((view) => toCredential(view, this.deps.box))
  }

  async getCredential (rawAppId: string, rawRequestId: string, rawCredentialId: string): Promise<Credential> {
    return toCredential(await this.getCredentialView(rawAppId, rawRequestId, rawCredentialId), this.deps.box)
  }

  /** Removes the credential (its scopes leave the IdP client, or the client is deleted); the request survives (Tyk 1.8.3). */
  async removeCredential (rawAppId: string, rawRequestId: string, rawCredentialId: string, actor: Actor): Promise<void> {
    const credential = await this.getCredentialView(rawAppId, rawRequestId, rawCredentialId)
    await this.deps.clients.release(credential.credential_id, this.auditCredential(actor, 'delete', credential))
  }

  async rotateCredential (rawAppId: string, rawRequestId: string, rawCredentialId: string, actor: Actor): Promise<string> {
    const credential = await this.getCredentialView(rawAppId, rawRequestId, rawCredentialId)
    const { mode, clientId } = await this.deps.clients.rotate(credential.credential_id, this.auditCredential(actor, 'rotate', credential))
    return mode === 'in_place'
      ? `client ${clientId} has a new secret (rotated in place at the IdP)`
      : `client ${credential.client_id} was replaced by client ${clientId} with a new secret; the old client is deleted`
  }

  private async releaseCredentials (requestId: number, actor: Actor): Promise<void> {
    for (const credential of await listCredentialViews(this.deps.db, [requestId])) {
      await this.deps.clients.release(credential.credential_id, this.auditCredential(actor, 'delete', credential))
    }
  }

  /** An audit entry in the caller's transaction (issue 5 item 6); secrets are masked by recordAudit. */
  private async audit (trx: Db, actor: Actor, action: string, id: number, before?: unknown, after?: unknown): Promise<void> {
    await recordAudit(trx, { actor, at: this.deps.now(), action, resourceType: 'access_request', resourceId: id, before, after })
  }

  /** The audit entry of a credential change, to write in the transaction that records it. */
  private auditCredential (actor: Actor, action: 'delete' | 'rotate', credential: CredentialView) {
    return async (trx: Db) => {
      await recordAudit(trx, {
        actor, at: this.deps.now(), action, resourceType: 'credential', resourceId: credential.credential_id,
        before: { AccessRequestID: credential.access_request_id, OAuthClientID: credential.client_id, Scope: credential.scope }
      })
    }
  }

  private async scopesOf (request: AccessRequestView): Promise<string[]> {
    const products = await productsOfRequests(this.deps.db, [request.id])
    const plan = request.plan_id === null ? undefined : await findPlan(this.deps.db, request.plan_id)
    const csv = [...products.map((product) => product.scopes), plan?.jwt_scope ?? '']
    return [...new Set(csv.flatMap((value) => value.split(',')).filter(Boolean))]
  }

  /** Runs the task holding this request's lock, on the request as read inside the lock. */
  private async exclusive (rawId: string, task: (request: AccessRequestView) => Promise<void>, rawAppId?: string): Promise<void> {
    const { id } = await this.getView(rawId, rawAppId)
    await this.deps.lock.run(`access-request:${id}`, async () => { await task(await this.getView(rawId, rawAppId)) })
  }

  private async getView (rawId: string, rawAppId?: string): Promise<AccessRequestView> {
    const appId = rawAppId === undefined ? undefined : (await getAppRow(this.deps.db, rawAppId)).id
    const id = parseId(rawId)
    const request = id === undefined ? undefined : await findAccessRequest(this.deps.db, id)
    if (request === undefined || (appId !== undefined && request.app_id !== appId)) {
      throw new AppError('not_found', `Access request Not found: access_request_id ${show(rawId)}${rawAppId === undefined ? '' : ` of app_id ${show(rawAppId)}`}`)
    }
    return request
  }

  private async getCredentialView (rawAppId: string, rawRequestId: string, rawCredentialId: string): Promise<CredentialView> {
    const request = await this.getView(rawRequestId, rawAppId)
    const id = parseId(rawCredentialId)
    const [credential] = id === undefined ? [] : await listCredentialViews(this.deps.db, [request.id], id)
    if (credential === undefined) throw new AppError('not_found', `Credential Not found: credential_id ${show(rawCredentialId)} of access_request_id ${show(rawRequestId)}`)
    return credential
  }

  private async elems (views: readonly AccessRequestView[]): Promise<AccessRequestElem[]> {
    const products = await productsOfRequests(this.deps.db, views.map((view) => view.id))
    return views.map((view) => toElem(view, products.filter((product) => product.access_request_id === view.id)))
  }

  private async shows (views: readonly AccessRequestView[]): Promise<AccessRequestShow[]> {
    const elems = await this.elems(views)
    const credentials = await listCredentialViews(this.deps.db, views.map((view) => view.id))
    return elems.map((elem) => ({ ...elem, Credentials: credentials.filter((c) => c.access_request_id === elem.ID).map((view) => toCredential(view, this.deps.box)) }))
  }
}

/** ?force=true on a provider or client type with live credentials: revoke them at the IdP, reject the requests. */
export function credentialUsage (clients: OAuthClientService, now: Clock): UsageCheck {
  return {
    async findUses (trx, target: DeletionTarget) {
      return (await listOAuthClientsOf(trx, target)).map((client) =>
        `client type ${client.client_type_id} has live credentials: IdP client ${show(client.client_id)} of app ${client.app_id}`)
    },
    async prepareRelease (target) {
      await clients.revokeAll(target)
    },
    async release (trx, target) {
      await rejectRequestsOf(trx, target, 'its client type or provider was deleted', now().toISOString())
    }
  }
}

function toElem (view: AccessRequestView, products: ReadonlyArray<{ id: number; name: string }>): AccessRequestElem {
  return {
    ID: view.id,
    Status: view.status,
    AppID: view.app_id,
    Client: view.app_name,
    PlanID: view.plan_id ?? 0,
    Plan: view.plan_name ?? '',
    ProductIDs: products.map((product) => product.id),
    Products: products.map((product) => product.name).join(','),
    User: `User#${view.user_id}`,
    Catalogue: '',
    AuthType: view.dcr_enabled === 1 ? 'oauth2' : 'authToken',
    DCREnabled: view.dcr_enabled === 1,
    DCRTemplateID: view.client_type_id ?? 0,
    ProviderID: view.provider_id ?? 0,
    ProvisionImmediately: view.provision_immediately === 1,
    LastError: view.last_error ?? '',
    CreatedAt: formatTimestamp(view.created_at),
    UpdatedAt: formatTimestamp(view.updated_at)
  }
}

function toCredential (view: CredentialView, box: SecretBox): Credential {
  return {
    ID: view.credential_id,
    AccessRequest: `AccessRequest#${view.access_request_id}`,
    Credential: '',
    CredentialHash: '',
    DCRRegistrationAccessToken: view.registration_access_token === null ? '' : '[redacted]',
    DCRRegistrationClientURI: view.registration_client_uri ?? '',
    DCRResponse: view.dcr_response,
    Expires: view.secret_expires_at !== null && view.secret_expires_at > 0 ? formatTimestamp(new Date(view.secret_expires_at * 1000).toISOString()) : '',
    OAuthClientID: view.client_id,
    OAuthClientSecret: openColumn(box, CLIENT_SECRET, view.id, view.client_secret) ?? '',
    RedirectURI: view.redirect_uris,
    ResponseType: view.response_types,
    GrantType: view.grant_types,
    Scope: view.scope,
    TokenEndpoints: view.token_endpoint_auth_method,
    State: view.state,
    LastError: view.last_error ?? ''
  }
}
