import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../http/auth.ts'
import { IdpCallErrors, PageQuery, StatusBody } from '../../http/schemas.ts'
import { parsePage } from '../../shared/pagination.ts'
import { Credential, CredentialIdParam, idpAction, tyk422 } from './credential.schemas.ts'
import type { CredentialService } from './credential.service.ts'

// The parameters as the app and access-request routes declare them (this module imports neither). Tyk
// names the middle one `access-request_id`; a hyphen would split it for the router.
const AppIdParam = Type.String({ description: 'UID of this application (integer)', examples: ['1'] })
const AccessRequestIdParam = Type.String({ description: 'UID of this access request (integer)', examples: ['1'] })
const requestParams = Type.Object({ app_id: AppIdParam, access_request_id: AccessRequestIdParam })
const credentialParams = Type.Object({ app_id: AppIdParam, access_request_id: AccessRequestIdParam, credential_id: CredentialIdParam })

export function credentialRoutes (credentials: CredentialService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['Applications and credentials']
    const path = '/apps/:app_id/access-requests/:access_request_id/credentials'

    app.get(path, {
      schema: { operationId: 'list-credentials', tags, params: requestParams, querystring: PageQuery, response: { 200: Type.Array(Credential) } }
    }, async (request) => await credentials.list(request.params.app_id, request.params.access_request_id, parsePage(request.query)))

    app.get(`${path}/:credential_id`, {
      schema: { operationId: 'get-credential', tags, params: credentialParams, response: { 200: Credential } }
    }, async (request) => await credentials.get(request.params.app_id, request.params.access_request_id, request.params.credential_id))

    app.delete(`${path}/:credential_id`, {
      schema: { operationId: 'delete-credential', tags, params: credentialParams, response: { 200: StatusBody, ...IdpCallErrors } }
    }, async (request) => {
      await credentials.remove(request.params.app_id, request.params.access_request_id, request.params.credential_id, actorOf(request))
      return { status: 'ok' }
    })

    app.put(`${path}/:credential_id/rotate`, {
      schema: { operationId: 'rotate-credential', tags, params: credentialParams, response: idpAction },
      config: tyk422
    }, async (request) => {
      const message = await credentials.rotate(request.params.app_id, request.params.access_request_id, request.params.credential_id, actorOf(request))
      return { status: 'ok', message }
    })
  }
}
