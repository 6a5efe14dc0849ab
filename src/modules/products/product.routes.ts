import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { PageQuery, StatusBody, errorResponses } from '../../http/schemas.ts'
import { parsePage } from '../../shared/pagination.ts'
import {
  ProductBody, ProductClientTypeAttach, ProductClientTypeIdParam, ProductClientTypeListItem, ProductClientTypeResponse, ProductIdParam, ProductShow
} from './product.schemas.ts'
import type { ProductService } from './product.service.ts'
import { answerInvalidBodiesWith422 } from '../../http/unprocessable.ts'

const tags = ['Products']
const params = Type.Object({ product_id: ProductIdParam })
const attachmentParams = Type.Object({ product_id: ProductIdParam, client_type_id: ProductClientTypeIdParam })

export function productRoutes (products: ProductService): FastifyPluginAsyncTypebox {
  return async (app) => {
    answerInvalidBodiesWith422(app)

    app.get('/products', {
      schema: { operationId: 'list-products', tags, querystring: PageQuery, response: { 200: Type.Array(ProductShow) } }
    }, async (request) => await products.list(parsePage(request.query)))

    app.post('/products', {
      schema: { operationId: 'create-product', tags, body: ProductBody, response: { 201: ProductShow, ...errorResponses(409, 422) } },
      config: { etag: true }
    }, async (request, reply) => await reply.code(201).send(await products.create(request.body, writeContext(request))))

    app.get('/products/:product_id', {
      schema: { operationId: 'get-product', tags, params, response: { 200: ProductShow } },
      config: { etag: true }
    }, async (request) => await products.get(request.params.product_id))

    app.put('/products/:product_id', {
      schema: { operationId: 'update-product', tags, params, body: ProductBody, response: { 200: ProductShow, ...errorResponses(409, 422) } },
      config: { etag: true, ifMatch: true }
    }, async (request) => await products.update(request.params.product_id, request.body, writeContext(request)))

    app.delete('/products/:product_id', {
      schema: { operationId: 'delete-product', tags, params, response: { 200: StatusBody } },
      config: { ifMatch: true }
    }, async (request) => {
      await products.remove(request.params.product_id, writeContext(request))
      return { status: 'ok' }
    })

    // Attachments; Tyk spells this path with an underscore (providers use client-types).
    const base = '/products/:product_id/client_types'

    app.get(base, {
      schema: { operationId: 'list-product-client-types', tags, params, querystring: PageQuery, response: { 200: Type.Array(ProductClientTypeListItem) } }
    }, async (request) => await products.listClientTypes(request.params.product_id, parsePage(request.query)))

    app.post(base, {
      schema: { operationId: 'create-product-client-type', tags, params, body: ProductClientTypeAttach, response: { 201: ProductClientTypeResponse, ...errorResponses(422) } }
    }, async (request, reply) => await reply.code(201).send(await products.attachClientType(request.params.product_id, request.body, writeContext(request))))

    app.get(`${base}/:client_type_id`, {
      schema: { operationId: 'get-product-client-type', tags, params: attachmentParams, response: { 200: ProductClientTypeResponse } }
    }, async (request) => await products.getClientType(request.params.product_id, request.params.client_type_id))

    app.delete(`${base}/:client_type_id`, {
      schema: { operationId: 'delete-product-client-type', tags, params: attachmentParams, response: { 200: StatusBody } }
    }, async (request) => {
      await products.detachClientType(request.params.product_id, request.params.client_type_id, writeContext(request))
      return { status: 'ok' }
    })
  }
}
