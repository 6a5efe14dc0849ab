import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { ClientTypeIdParam, ForceQuery, IdpCallErrors, isGoTrue, PageQuery, ProviderIdParam, StatusBody, errorResponses } from '../../http/schemas.ts'
import { idOr404, parseId } from '../../shared/ids.ts'
import { providerNotFound } from '../oauth-providers/oauth-provider.service.ts'
import { parsePage } from '../../shared/pagination.ts'
import { ClientTypeBody, ClientTypeElem, ClientTypePatch, toClientTypeElem } from './client-type.schemas.ts'
import type { ClientTypeService } from './client-type.service.ts'

const tags = ['OAuth2.0 providers']
const providerParams = Type.Object({ provider_id: ProviderIdParam })
const params = Type.Object({ provider_id: ProviderIdParam, client_type_id: ClientTypeIdParam })

/** The path's provider id; one that cannot name a row answers the same 404 as an unknown one. */
const providerId = (params: { provider_id: string }) => idOr404(params.provider_id, providerNotFound)

export function clientTypeRoutes (clientTypes: ClientTypeService): FastifyPluginAsyncTypebox {
  /** Both path ids; a client type id that cannot name a row answers the 404 an unknown one does. */
  async function ids (params: { provider_id: string; client_type_id: string }): Promise<[number, number]> {
    const provider = providerId(params)
    const id = parseId(params.client_type_id)
    if (id === undefined) throw await clientTypes.notFound(provider, params.client_type_id)
    return [provider, id]
  }

  return async (app) => {
    const base = '/oauth-providers/:provider_id/client-types'

    app.get(base, {
      schema: { operationId: 'list-oauth-provider-client-type', tags, params: providerParams, querystring: PageQuery, response: { 200: Type.Array(ClientTypeElem) } }
    }, async (request) => (await clientTypes.list(providerId(request.params), parsePage(request.query))).map(toClientTypeElem))

    app.post(base, {
      schema: { operationId: 'create-oauth-provider-client-type', tags, params: providerParams, body: ClientTypeBody, response: { 200: ClientTypeElem, ...errorResponses(409) } },
      config: { etag: true, idempotent: true }
    }, async (request) => toClientTypeElem(await clientTypes.create(providerId(request.params), request.body, writeContext(request))))

    app.get(`${base}/:client_type_id`, {
      schema: { operationId: 'get-oauth-provider-client-type', tags, params, response: { 200: ClientTypeElem } },
      config: { etag: true }
    }, async (request) => toClientTypeElem(await clientTypes.get(...await ids(request.params))))

    app.put(`${base}/:client_type_id`, {
      schema: { operationId: 'update-oauth-provider-client-type', tags, params, body: ClientTypePatch, response: { 200: ClientTypeElem, ...errorResponses(409) } },
      config: { etag: true, ifMatch: true }
    }, async (request) => toClientTypeElem(await clientTypes.update(...await ids(request.params), request.body, writeContext(request, toClientTypeElem))))

    app.delete(`${base}/:client_type_id`, {
      schema: { operationId: 'delete-oauth-provider-client-type', tags, params, querystring: ForceQuery, response: { 200: StatusBody, ...IdpCallErrors } },
      config: { ifMatch: true }
    }, async (request) => {
      await clientTypes.remove(...await ids(request.params), isGoTrue(request.query.force), writeContext(request, toClientTypeElem))
      return { status: 'ok' }
    })
  }
}
