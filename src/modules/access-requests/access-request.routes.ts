import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdpCallErrors, PageQuery, StatusBody } from '../../http/schemas.ts'
import { actorOf } from '../../http/auth.ts'
import { parsePage } from '../../shared/pagination.ts'
import { AppIdParam } from '../apps/app.schemas.ts'
import { idpAction, tyk422 } from '../credentials/credential.schemas.ts'
import { AccessRequestElem, AccessRequestShow } from '../apps/app-access-request.schemas.ts'
import { AccessRequestIdParam, ProvisionBody } from './access-request.schemas.ts'
import type { AccessRequestService } from './access-request.service.ts'

const requestParams = Type.Object({ access_request_id: AccessRequestIdParam })
// Tyk names this path parameter `access-request_id`; the name is not on the wire, and a hyphen would
// split it for the router, so it is access_request_id here.
const appRequestParams = Type.Object({ app_id: AppIdParam, access_request_id: AccessRequestIdParam })

export function accessRequestRoutes (requests: AccessRequestService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['Access requests']

    app.get('/access_requests', {
      schema: { operationId: 'list-access-requests', tags, querystring: PageQuery, response: { 200: Type.Array(AccessRequestElem) } }
    }, async (request) => await requests.list(parsePage(request.query)))

    app.get('/access_requests/:access_request_id', {
      schema: { operationId: 'get-access-request', tags, params: requestParams, response: { 200: AccessRequestShow } }
    }, async (request) => await requests.get(request.params.access_request_id))

    app.delete('/access_requests/:access_request_id', {
      schema: { operationId: 'delete-access-request', tags, params: requestParams, response: { 200: StatusBody, ...IdpCallErrors } }
    }, async (request) => {
      await requests.remove(request.params.access_request_id, actorOf(request))
      return { status: 'ok' }
    })

    app.put('/access_requests/:access_request_id/approve', {
      schema: { operationId: 'approve-access-request', tags, params: requestParams, response: idpAction },
      config: { ...tyk422, idempotent: true }
    }, async (request) => {
      await requests.approve(request.params.access_request_id, actorOf(request))
      return { status: 'ok', message: `access request ${request.params.access_request_id} approved` }
    })

    app.put('/access_requests/:access_request_id/reject', {
      schema: { operationId: 'reject-access-request', tags, params: requestParams, response: idpAction },
      config: tyk422
    }, async (request) => {
      await requests.reject(request.params.access_request_id, actorOf(request))
      return { status: 'ok', message: `access request ${request.params.access_request_id} rejected` }
    })

    const appTags = ['Applications and credentials']

    app.put('/apps/:app_id/provision', {
      schema: { operationId: 'provision-app', tags: appTags, params: Type.Object({ app_id: AppIdParam }), body: ProvisionBody, response: idpAction },
      config: { ...tyk422, invalidBodyStatus: 422, idempotent: true }
    }, async (request) => {
      const { id, approved } = await requests.provision(request.params.app_id, request.body, actorOf(request))
      return { status: 'ok', message: `access request ${id} created${approved ? ' and approved' : ''}`, ID: id }
    })

    app.get('/apps/:app_id/access-requests', {
      schema: { operationId: 'list-app-access-requests', tags: appTags, params: Type.Object({ app_id: AppIdParam }), querystring: PageQuery, response: { 200: Type.Array(AccessRequestElem) } }
    }, async (request) => await requests.list(parsePage(request.query), request.params.app_id))

    app.get('/apps/:app_id/access-requests/:access_request_id', {
      schema: { operationId: 'get-app-access-request', tags: appTags, params: appRequestParams, response: { 200: AccessRequestShow } }
    }, async (request) => await requests.get(request.params.access_request_id, request.params.app_id))

    app.delete('/apps/:app_id/access-requests/:access_request_id', {
      schema: { operationId: 'delete-app-access-request', tags: appTags, params: appRequestParams, response: { 200: StatusBody, ...IdpCallErrors } }
    }, async (request) => {
      await requests.remove(request.params.access_request_id, actorOf(request), request.params.app_id)
      return { status: 'ok' }
    })
  }
}
