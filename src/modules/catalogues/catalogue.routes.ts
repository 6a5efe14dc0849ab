import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { actorOf } from '../../http/auth.ts'
import { PageQuery, StatusBody, errorResponses } from '../../http/schemas.ts'
import { idOr404, parseId } from '../../shared/ids.ts'
import { parsePage } from '../../shared/pagination.ts'
import type { AudienceService } from './audience.service.ts'
import {
  AudienceBody, AudienceElem, AudienceIdParam, AudienceShow, CatalogueBody, CatalogueElem, CatalogueIdParam, CataloguePatch, CatalogueShow,
  toAudienceElem, toAudienceShow, toCatalogueElem, toCatalogueShow
} from './catalogue.schemas.ts'
import { catalogueNotFound, type CatalogueService } from './catalogue.service.ts'

const params = Type.Object({ catalogue_id: CatalogueIdParam })
const audienceParams = Type.Object({ catalogue_id: CatalogueIdParam, audience_id: AudienceIdParam })

/** The path's catalogue id; one that cannot name a row answers the same 404 as an unknown one. */
const catalogueId = (params: { catalogue_id: string }) => idOr404(params.catalogue_id, catalogueNotFound)

export function catalogueRoutes (catalogues: CatalogueService, audiences: AudienceService): FastifyPluginAsyncTypebox {
  /** Both path ids; an audience id that cannot name a row answers as an unknown one (the catalogue's 404 first). */
  async function ids (params: { catalogue_id: string; audience_id: string }): Promise<[number, number]> {
    const catalogue = catalogueId(params)
    const id = parseId(params.audience_id)
    if (id === undefined) throw await audiences.notFound(catalogue, params.audience_id)
    return [catalogue, id]
  }

  return async (app) => {
    const tags = ['Catalogues']

    app.get('/catalogues', {
      schema: { operationId: 'list-catalogues', tags, querystring: PageQuery, response: { 200: Type.Array(CatalogueElem) } }
    }, async (request) => (await catalogues.list(parsePage(request.query))).map(toCatalogueElem))

    app.post('/catalogues', {
      schema: { operationId: 'create-catalogue', tags, body: CatalogueBody, response: { 200: CatalogueShow, ...errorResponses(409) } },
      config: { idempotent: true }
    }, async (request) => toCatalogueShow(await catalogues.create(request.body, writeContext(request))))

    app.get('/catalogues/:catalogue_id', {
      schema: { operationId: 'get-catalogue', tags, params, response: { 200: CatalogueShow } }
    }, async (request) => toCatalogueShow(await catalogues.get(catalogueId(request.params))))

    app.put('/catalogues/:catalogue_id', {
      schema: { operationId: 'update-catalogue', tags, params, body: CataloguePatch, response: { 200: CatalogueShow, ...errorResponses(409) } }
    }, async (request) => toCatalogueShow(await catalogues.update(catalogueId(request.params), request.body, writeContext(request))))

    app.delete('/catalogues/:catalogue_id', {
      schema: { operationId: 'delete-catalogue', tags, params, response: { 200: StatusBody } }
    }, async (request) => {
      await catalogues.remove(catalogueId(request.params), writeContext(request))
      return { status: 'ok' }
    })

    const audienceTags = ['Catalogue audiences']
    const base = '/catalogues/:catalogue_id/audiences'

    app.get(base, {
      schema: { operationId: 'list-audiences', tags: audienceTags, params, querystring: PageQuery, response: { 200: Type.Array(AudienceElem) } }
    }, async (request) => (await audiences.list(catalogueId(request.params), parsePage(request.query))).map(toAudienceElem))

    app.post(base, {
      schema: { operationId: 'create-audience', tags: audienceTags, params, body: AudienceBody, response: { 201: AudienceShow } },
      // Tyk answers 422 for an audience that names no team ("Not found or bad request").
      config: { idempotent: true, invalidBodyStatus: 422 }
    }, async (request, reply) => await reply.code(201).send(toAudienceShow(await audiences.create(catalogueId(request.params), request.body, actorOf(request)))))

    app.get(`${base}/:audience_id`, {
      schema: { operationId: 'get-audience', tags: audienceTags, params: audienceParams, response: { 200: AudienceShow } }
    }, async (request) => toAudienceShow(await audiences.get(...await ids(request.params))))

    app.delete(`${base}/:audience_id`, {
      schema: { operationId: 'delete-audience', tags: audienceTags, params: audienceParams, response: { 200: StatusBody } }
    }, async (request) => {
      await audiences.remove(...await ids(request.params), actorOf(request))
      return { status: 'ok' }
    })
  }
}
