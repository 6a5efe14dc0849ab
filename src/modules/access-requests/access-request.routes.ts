import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdpCallErrors, StatusBody } from '../../http/schemas.ts'
import { AppError } from '../../errors.ts'
import { actorOf } from '../../http/auth.ts'
import { idOr404, parseId } from '../../shared/ids.ts'
import { parsePage } from '../../shared/pagination.ts'
import { AppIdParam } from '../apps/app.schemas.ts'
import { parseAppId } from '../apps/app.service.ts'
import { idpAction, tyk422 } from '../credentials/credential.schemas.ts'
import { AccessRequestElem, AccessRequestShow, toAccessRequestElem, toAccessRequestShow } from '../apps/app-access-request.schemas.ts'
import { AccessRequestIdParam, AccessRequestListQuery, ProvisionBody } from './access-request.schemas.ts'
import { accessRequestNotFound, type AccessRequestService } from './access-request.service.ts'

const requestParams = Type.Object({ access_request_id: AccessRequestIdParam })
// Tyk names this path parameter `access-request_id`; the name is not on the wire, and a hyphen would
// split it for the router, so it is access_request_id here.
const appRequestParams = Type.Object({ app_id: AppIdParam, access_request_id: AccessRequestIdParam })

/** The path's access request id; one that cannot name a row answers the same 404 as an unknown one. */
const requestId = (params: { access_request_id: string }) => idOr404(params.access_request_id, accessRequestNotFound)
const appId = (params: { app_id: string }) => parseAppId(params.app_id)

// Tyk's swagger documents provision without a body, but an access request needs a plan and products, and
// Tyk's own clients send them: say exactly what is missing (422 StatusWithErrors, as Tyk's refusals here).
const provisionWithoutBody = () => new AppError('invalid_input', [
  'request body is required: PlanID (the plan) and ProductIDs (the products) name the access request to create',
  'DCRTemplateID (the client type) is required too when the products are DCR-enabled, e.g. {"PlanID":1,"ProductIDs":[1],"DCRTemplateID":1}'
])

export function accessRequestRoutes (requests: AccessRequestService): FastifyPluginAsyncTypebox {
  /** The access request and app ids of an app's path, likewise (the app's 404 first, as for an unknown id). */
  async function appRequestIds (params: { app_id: string; access_request_id: string }): Promise<[number, number]> {
    const app = appId(params)
    const id = parseId(params.access_request_id)
    if (id === undefined) throw await requests.notFound(params.access_request_id, app)
    return [id, app]
  }

  return async (app) => {
    const tags = ['Access requests']

    app.get('/access_requests', {
      schema: { operationId: 'list-access-requests', tags, querystring: AccessRequestListQuery, response: { 200: Type.Array(AccessRequestElem) } }
    }, async (request) => (await requests.list(parsePage(request.query), undefined, request.query.status)).map(toAccessRequestElem))

    app.get('/access_requests/:access_request_id', {
      schema: { operationId: 'get-access-request', tags, params: requestParams, response: { 200: AccessRequestShow } }
    }, async (request) => toAccessRequestShow(await requests.get(requestId(request.params))))

    app.delete('/access_requests/:access_request_id', {
      schema: { operationId: 'delete-access-request', tags, params: requestParams, response: { 200: StatusBody, ...IdpCallErrors } }
    }, async (request) => {
      await requests.remove(requestId(request.params), actorOf(request))
      return { status: 'ok' }
    })

    app.put('/access_requests/:access_request_id/approve', {
      schema: { operationId: 'approve-access-request', tags, params: requestParams, response: idpAction },
      config: { ...tyk422, errorMessage: true, idempotent: true }
    }, async (request) => {
      const id = requestId(request.params)
      await requests.approve(id, actorOf(request))
      return { status: 'ok', message: `access request ${id} approved` }
    })

    app.put('/access_requests/:access_request_id/reject', {
      schema: { operationId: 'reject-access-request', tags, params: requestParams, response: idpAction },
      config: { ...tyk422, errorMessage: true }
    }, async (request) => {
      const id = requestId(request.params)
      await requests.reject(id, actorOf(request))
      return { status: 'ok', message: `access request ${id} rejected` }
    })

    const appTags = ['Applications and credentials']

    app.put('/apps/:app_id/provision', {
      schema: { operationId: 'provision-app', tags: appTags, params: Type.Object({ app_id: AppIdParam }), body: ProvisionBody, response: idpAction },
      config: { ...tyk422, invalidBodyStatus: 422, idempotent: true },
      preValidation: async (request) => { if (request.body === undefined || request.body === null) throw provisionWithoutBody() }
    }, async (request) => {
      const { id, approved } = await requests.provision(appId(request.params), request.body, actorOf(request))
      return { status: 'ok', message: `access request ${id} created${approved ? ' and approved' : ''}`, ID: id }
    })

    app.get('/apps/:app_id/access-requests', {
      schema: { operationId: 'list-app-access-requests', tags: appTags, params: Type.Object({ app_id: AppIdParam }), querystring: AccessRequestListQuery, response: { 200: Type.Array(AccessRequestElem) } }
    }, async (request) => (await requests.list(parsePage(request.query), appId(request.params), request.query.status)).map(toAccessRequestElem))

    app.get('/apps/:app_id/access-requests/:access_request_id', {
      schema: { operationId: 'get-app-access-request', tags: appTags, params: appRequestParams, response: { 200: AccessRequestShow } }
    }, async (request) => toAccessRequestShow(await requests.get(...await appRequestIds(request.params))))

    app.delete('/apps/:app_id/access-requests/:access_request_id', {
      schema: { operationId: 'delete-app-access-request', tags: appTags, params: appRequestParams, response: { 200: StatusBody, ...IdpCallErrors } }
    }, async (request) => {
      const [id, app] = await appRequestIds(request.params)
      await requests.remove(id, actorOf(request), app)
      return { status: 'ok' }
    })
  }
}
