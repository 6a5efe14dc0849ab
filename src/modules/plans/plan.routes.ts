import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { PageQuery, StatusBody, errorResponses } from '../../http/schemas.ts'
import { parsePage } from '../../shared/pagination.ts'
import { idOr404 } from '../../shared/ids.ts'
import { Plan, PlanBody, PlanIdParam, PlanIndex, PlanPatch, toPlan, toPlanSummary } from './plan.schemas.ts'
import { planNotFound, type PlanService } from './plan.service.ts'

const tags = ['Plans']
const params = Type.Object({ plan_id: PlanIdParam })
// Tyk answers 422 for a plan body that breaks a rule (tyk-portal-api.md §5.2).
const invalidBodyStatus = 422

/** The path's plan id; one that cannot name a row answers the same 404 as an unknown one. */
const planId = (params: { plan_id: string }) => idOr404(params.plan_id, planNotFound)

export function planRoutes (plans: PlanService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/plans', {
      schema: { operationId: 'list-plans', tags, querystring: PageQuery, response: { 200: PlanIndex } }
    }, async (request) => ({ data: (await plans.list(parsePage(request.query))).map(toPlanSummary) }))

    app.post('/plans', {
      schema: { operationId: 'create-plan', tags, body: PlanBody, response: { 200: Plan, ...errorResponses(409) } },
      config: { etag: true, idempotent: true, invalidBodyStatus }
    }, async (request) => toPlan(await plans.create(request.body, writeContext(request))))

    app.get('/plans/:plan_id', {
      schema: { operationId: 'get-plan', tags, params, response: { 200: Plan } },
      config: { etag: true }
    }, async (request) => toPlan(await plans.get(planId(request.params))))

    app.put('/plans/:plan_id', {
      schema: { operationId: 'update-plan', tags, params, body: PlanPatch, response: { 200: Plan, ...errorResponses(409) } },
      config: { etag: true, ifMatch: true, invalidBodyStatus }
    }, async (request) => toPlan(await plans.update(planId(request.params), request.body, writeContext(request, toPlan))))

    app.delete('/plans/:plan_id', {
      schema: { operationId: 'delete-plan', tags, params, response: { 200: StatusBody } },
      config: { ifMatch: true }
    }, async (request) => {
      await plans.remove(planId(request.params), writeContext(request, toPlan))
      return { status: 'ok' }
    })
  }
}
