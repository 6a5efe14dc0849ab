import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { IdpCallErrors, PageQuery, StatusBody } from '../../http/schemas.ts'
import { parsePage } from '../../shared/pagination.ts'
import { AppBody, AppElem, AppIdParam, AppPatch, AppShow, toAppElem, toAppShow } from './app.schemas.ts'
import { parseAppId, type AppService } from './app.service.ts'

const tags = ['Applications and credentials']
const params = Type.Object({ app_id: AppIdParam })
// Tyk answers 422 for an app body that breaks a rule (tyk-portal-api.md §5.4).
const invalidBodyStatus = 422

export function appRoutes (apps: AppService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/apps', {
      schema: { operationId: 'list-apps', tags, querystring: PageQuery, response: { 200: Type.Array(AppElem) } }
    }, async (request) => (await apps.list(parsePage(request.query))).map(toAppElem))

    app.post('/apps', {
      schema: { operationId: 'create-app', tags, body: AppBody, response: { 200: AppShow } },
      config: { idempotent: true, invalidBodyStatus }
    }, async (request) => toAppShow(await apps.create(request.body, writeContext(request))))

    app.get('/apps/:app_id', {
      schema: { operationId: 'get-app', tags, params, response: { 200: AppShow } }
    }, async (request) => toAppShow(await apps.get(parseAppId(request.params.app_id))))

    app.put('/apps/:app_id', {
      schema: { operationId: 'update-app', tags, params, body: AppPatch, response: { 200: AppShow } },
      config: { invalidBodyStatus }
    }, async (request) => toAppShow(await apps.update(parseAppId(request.params.app_id), request.body, writeContext(request))))

    app.delete('/apps/:app_id', {
      schema: { operationId: 'delete-app', tags, params, response: { 200: StatusBody, ...IdpCallErrors } }
    }, async (request) => {
      await apps.remove(parseAppId(request.params.app_id), writeContext(request))
      return { status: 'ok' }
    })
  }
}
