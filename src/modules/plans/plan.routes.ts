import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { PageQuery, StatusBody, errorResponses } from '../../http/schemas.ts'
import { parsePage } from '../../shared/pagination.ts'
import { answerInvalidBodiesWith422 } from '../../http/unprocessable.ts'
import { Plan, PlanBody, PlanIdParam, PlanIndex } from './plan.schemas.ts'
import type { PlanService } from './plan.service.ts'

const tags = ['Plans']
const params = Type.Object({ plan_id: PlanIdParam })

export function planRoutes (plans: PlanService): FastifyPluginAsyncTypebox {
  return async (app) => {
    answerInvalidBodiesWith422(app)

    app.get('/plans', {
      schema: { operationId: 'list-plans', tags, querystring: PageQuery, response: { 200: PlanIndex } }
    }, async (request) => await plans.list(parsePage(request.query)))

    app.post('/plans', {
      schema: { operationId: 'create-plan', tags, body: PlanBody, response: { 200: Plan, ...errorResponses(409, 422) } },
      config: { etag: true }
    }, async (request) => await plans.create(request.body, writeContext(request)))

    app.get('/plans/:plan_id', {
      schema: { operationId: 'get-plan', tags, params, response: { 200: Plan } },
      config: { etag: true }
    }, async (request) => await plans.get(request.params.plan_id))

    app.put('/plans/:plan_id', {
      schema: { operationId: 'update-plan', tags, params, body: PlanBody, response: { 200: Plan, ...errorResponses(409, 422) } },
      config: { etag: true, ifMatch: true }
    }, async (request) => await plans.update(request.params.plan_id, request.body, writeContext(request)))

    app.delete('/plans/:plan_id', {
      schema: { operationId: 'delete-plan', tags, params, response: { 200: StatusBody } },
      config: { ifMatch: true }
    }, async (request) => {
      await plans.remove(request.params.plan_id, writeContext(request))
      return { status: 'ok' }
    })
  }
}
