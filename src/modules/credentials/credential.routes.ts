import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../http/auth.ts'
import { IdpCallErrors, PageQuery } from '../../http/schemas.ts'
import { parseId } from '../../shared/ids.ts'
import { parsePage } from '../../shared/pagination.ts'
import { Credential, CredentialIdParam, idpAction, rotationMessage, StatusWithMessage, toCredential, tyk422 } from './credential.schemas.ts'
import { parseCredentialAppId, type CredentialService } from './credential.service.ts'

// The parameters as the app and access-request routes declare them (this module imports neither). Tyk
// names the middle one `access-request_id`; a hyphen would split it for the router.
const AppIdParam = Type.String({ description: 'UID of this application (integer)', examples: ['1'] })
const AccessRequestIdParam = Type.String({ description: 'UID of this access request (integer)', examples: ['1'] })
const requestParams = Type.Object({ app_id: AppIdParam, access_request_id: AccessRequestIdParam })
const credentialParams = Type.Object({ app_id: AppIdParam, access_request_id: AccessRequestIdParam, credential_id: CredentialIdParam })

export function credentialRoutes (credentials: CredentialService): FastifyPluginAsyncTypebox {
  /** The path's app and access request ids; one that cannot name a row answers the 404 an unknown one does. */
  async function requestIds (params: { app_id: string; access_request_id: string }): Promise<[number, number]> {
    const appId = parseCredentialAppId(params.app_id)
    const requestId = parseId(params.access_request_id)
    if (requestId === undefined) throw await credentials.notFound(appId, params.access_request_id)
    return [appId, requestId]
  }

  /** The three path ids, likewise. */
  async function ids (params: { app_id: string; access_request_id: string; credential_id: string }): Promise<[number, number, number]> {
    const [appId, requestId] = await requestIds(params)
    const id = parseId(params.credential_id)
    if (id === undefined) throw await credentials.notFound(appId, requestId, params.credential_id)
    return [appId, requestId, id]
  }

  return async (app) => {
    const tags = ['Applications and credentials']
    const path = '/apps/:app_id/access-requests/:access_request_id/credentials'

    app.get(path, {
      schema: { operationId: 'list-credentials', tags, params: requestParams, querystring: PageQuery, response: { 200: Type.Array(Credential) } }
    }, async (request) => (await credentials.list(...await requestIds(request.params), parsePage(request.query))).map(toCredential))

    app.get(`${path}/:credential_id`, {
      schema: { operationId: 'get-credential', tags, params: credentialParams, response: { 200: Credential } }
    }, async (request) => toCredential(await credentials.get(...await ids(request.params))))

    app.delete(`${path}/:credential_id`, {
      schema: { operationId: 'delete-credential', tags, params: credentialParams, response: { 200: StatusWithMessage, ...IdpCallErrors } }
    }, async (request) => {
      // The message says what really happened at the IdP (issue 10 item 4).
      return { status: 'ok', message: await credentials.remove(...await ids(request.params), actorOf(request)) }
    })

    app.put(`${path}/:credential_id/rotate`, {
      schema: { operationId: 'rotate-credential', tags, params: credentialParams, response: idpAction },
      config: tyk422
    }, async (request) => {
      return { status: 'ok', message: rotationMessage(await credentials.rotate(...await ids(request.params), actorOf(request))) }
    })
  }
}
