import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdpCallErrors, PageQuery, StatusBody } from '../../http/schemas.ts'
import { actorOf } from '../../http/auth.ts'
import { parsePage } from '../../shared/pagination.ts'
import { AppIdParam } from '../apps/app.schemas.ts'
import {
  AccessRequestElem, AccessRequestIdParam, AccessRequestShow, Credential, CredentialIdParam, ProvisionBody, StatusWithErrors, StatusWithMessage
} from './access-request.schemas.ts'
import type { AccessRequestService } from './access-request.service.ts'

const requestParams = Type.Object({ access_request_id: AccessRequestIdParam })
// Tyk names this path parameter `access-request_id`; the name is not on the wire, and a hyphen would
// split it for the router, so it is access_request_id here.
const appRequestParams = Type.Object({ app_id: AppIdParam, access_request_id: AccessRequestIdParam })
const credentialParams = Type.Object({ app_id: AppIdParam, access_request_id: AccessRequestIdParam, credential_id: CredentialIdParam })
// Actions that reach the IdP answer 502/504 when it fails, and Tyk's 422 StatusWithErrors when it refuses
// (tyk-portal-api.md §5.3–§5.5): that envelope is declared on each of them (tyk422).
const idpAction = { 200: StatusWithMessage, 422: StatusWithErrors, ...IdpCallErrors }
const tyk422 = { errorEnvelope: 'status-errors' } as const

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

    const credentials = '/apps/:app_id/access-requests/:access_request_id/credentials'

    app.get(credentials, {
      schema: { operationId: 'list-credentials', tags: appTags, params: appRequestParams, querystring: PageQuery, response: { 200: Type.Array(Credential) } }
    }, async (request) => await requests.listCredentials(request.params.app_id, request.params.access_request_id, parsePage(request.query)))

    app.get(`${credentials}/:credential_id`, {
      schema: { operationId: 'get-credential', tags: appTags, params: credentialParams, response: { 200: Credential } }
    }, async (request) => await requests.getCredential(request.params.app_id, request.params.access_request_id, request.params.credential_id))

    app.delete(`${credentials}/:credential_id`, {
      schema: { operationId: 'delete-credential', tags: appTags, params: credentialParams, response: { 200: StatusBody, ...IdpCallErrors } }
    }, async (request) => {
      await requests.removeCredential(request.params.app_id, request.params.access_request_id, request.params.credential_id, actorOf(request))
      return { status: 'ok' }
    })

    app.put(`${credentials}/:credential_id/rotate`, {
      schema: { operationId: 'rotate-credential', tags: appTags, params: credentialParams, response: idpAction },
      config: tyk422
    }, async (request) => {
      const message = await requests.rotateCredential(request.params.app_id, request.params.access_request_id, request.params.credential_id, actorOf(request))
      return { status: 'ok', message }
    })
  }
}
