import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { ClientTypeIdParam, ForceQuery, PageQuery, ProviderIdParam, StatusBody, errorResponses } from '../../http/schemas.ts'
import { parsePage } from '../../shared/pagination.ts'
import { ClientTypeBody, ClientTypeElem } from './client-type.schemas.ts'
import type { ClientTypeService } from './client-type.service.ts'

const tags = ['OAuth2.0 providers']
const providerParams = Type.Object({ provider_id: ProviderIdParam })
const params = Type.Object({ provider_id: ProviderIdParam, client_type_id: ClientTypeIdParam })

export function clientTypeRoutes (clientTypes: ClientTypeService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const base = '/oauth-providers/:provider_id/client-types'

    app.get(base, {
      schema: { operationId: 'list-oauth-provider-client-type', tags, params: providerParams, querystring: PageQuery, response: { 200: Type.Array(ClientTypeElem) } }
    }, async (request) => await clientTypes.list(request.params.provider_id, parsePage(request.query)))

    app.post(base, {
      schema: { operationId: 'create-oauth-provider-client-type', tags, params: providerParams, body: ClientTypeBody, response: { 200: ClientTypeElem, ...errorResponses(409) } },
      config: { etag: true }
    }, async (request) => await clientTypes.create(request.params.provider_id, request.body, writeContext(request)))

    app.get(`${base}/:client_type_id`, {
      schema: { operationId: 'get-oauth-provider-client-type', tags, params, response: { 200: ClientTypeElem } },
      config: { etag: true }
    }, async (request) => await clientTypes.get(request.params.provider_id, request.params.client_type_id))

    app.put(`${base}/:client_type_id`, {
      schema: { operationId: 'update-oauth-provider-client-type', tags, params, body: ClientTypeBody, response: { 200: ClientTypeElem, ...errorResponses(409) } },
      config: { etag: true, ifMatch: true }
    }, async (request) => await clientTypes.update(request.params.provider_id, request.params.client_type_id, request.body, writeContext(request)))

    app.delete(`${base}/:client_type_id`, {
      schema: { operationId: 'delete-oauth-provider-client-type', tags, params, querystring: ForceQuery, response: { 200: StatusBody, ...errorResponses(502, 504) } },
      config: { ifMatch: true }
    }, async (request) => {
      await clientTypes.remove(request.params.provider_id, request.params.client_type_id, request.query.force === 'true', writeContext(request))
      return { status: 'ok' }
    })
  }
}
