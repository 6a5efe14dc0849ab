import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { PageQuery, StatusBody, errorResponses } from '../../http/schemas.ts'
import { parsePage } from '../../shared/pagination.ts'
import {
  ProductBody, ProductClientTypeAttach, ProductPatch, ProductClientTypeIdParam, ProductClientTypeListItem, ProductClientTypeResponse, ProductIdParam, ProductShow,
  toProductClientTypeResponse, toProductShow
} from './product.schemas.ts'
import { productNotFound, type ProductService } from './product.service.ts'
import { idOr404, parseId } from '../../shared/ids.ts'

const tags = ['Products']
const params = Type.Object({ product_id: ProductIdParam })
const attachmentParams = Type.Object({ product_id: ProductIdParam, client_type_id: ProductClientTypeIdParam })
// Tyk answers 422 for a product body that breaks a rule (tyk-portal-api.md §5.1).
const invalidBodyStatus = 422

/** The path's product id; one that cannot name a row answers the same 404 as an unknown one. */
const productId = (params: { product_id: string }) => idOr404(params.product_id, productNotFound)

export function productRoutes (products: ProductService): FastifyPluginAsyncTypebox {
  /** Both path ids; a client type id that cannot name a row answers the 404 an unattached one does. */
  async function ids (params: { product_id: string; client_type_id: string }): Promise<[number, number]> {
    const product = productId(params)
    const id = parseId(params.client_type_id)
    if (id === undefined) throw await products.attachmentNotFound(product, params.client_type_id)
    return [product, id]
  }

  return async (app) => {
    app.get('/products', {
      schema: { operationId: 'list-products', tags, querystring: PageQuery, response: { 200: Type.Array(ProductShow) } }
    }, async (request) => (await products.list(parsePage(request.query))).map(toProductShow))

    app.post('/products', {
      schema: { operationId: 'create-product', tags, body: ProductBody, response: { 201: ProductShow, ...errorResponses(409) } },
      config: { etag: true, idempotent: true, invalidBodyStatus }
    }, async (request, reply) => await reply.code(201).send(toProductShow(await products.create(request.body, writeContext(request)))))

    app.get('/products/:product_id', {
      schema: { operationId: 'get-product', tags, params, response: { 200: ProductShow } },
      config: { etag: true }
    }, async (request) => toProductShow(await products.get(productId(request.params))))

    app.put('/products/:product_id', {
      schema: { operationId: 'update-product', tags, params, body: ProductPatch, response: { 200: ProductShow, ...errorResponses(409) } },
      config: { etag: true, ifMatch: true, invalidBodyStatus }
    }, async (request) => toProductShow(await products.update(productId(request.params), request.body, writeContext(request, toProductShow))))

    app.delete('/products/:product_id', {
      schema: { operationId: 'delete-product', tags, params, response: { 200: StatusBody } },
      config: { ifMatch: true }
    }, async (request) => {
      await products.remove(productId(request.params), writeContext(request, toProductShow))
      return { status: 'ok' }
    })

    // Attachments; Tyk spells this path with an underscore (providers use client-types).
    const base = '/products/:product_id/client_types'

    app.get(base, {
      schema: { operationId: 'list-product-client-types', tags, params, querystring: PageQuery, response: { 200: Type.Array(ProductClientTypeListItem) } }
    }, async (request) => (await products.listClientTypes(productId(request.params), parsePage(request.query))).map(({ id, name }) => ({ ID: id, Name: name })))

    app.post(base, {
      schema: { operationId: 'create-product-client-type', tags, params, body: ProductClientTypeAttach, response: { 201: ProductClientTypeResponse } },
      config: { idempotent: true, invalidBodyStatus }
    }, async (request, reply) => {
      const attached = await products.attachClientType(productId(request.params), request.body.ID, writeContext(request))
      return await reply.code(201).send(toProductClientTypeResponse(attached))
    })

    app.get(`${base}/:client_type_id`, {
      schema: { operationId: 'get-product-client-type', tags, params: attachmentParams, response: { 200: ProductClientTypeResponse } }
    }, async (request) => toProductClientTypeResponse(await products.getClientType(...await ids(request.params))))

    app.delete(`${base}/:client_type_id`, {
      schema: { operationId: 'delete-product-client-type', tags, params: attachmentParams, response: { 200: StatusBody } }
    }, async (request) => {
      await products.detachClientType(...await ids(request.params), writeContext(request))
      return { status: 'ok' }
    })
  }
}
