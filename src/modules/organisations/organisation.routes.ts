import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { PageQuery, StatusBody, errorResponses } from '../../http/schemas.ts'
import { idOr404 } from '../../shared/ids.ts'
import { parsePage } from '../../shared/pagination.ts'
import { OrganisationBody, OrganisationElem, OrganisationIdParam, OrganisationPatch, OrganisationShow, toOrganisationElem, toOrganisationShow } from './organisation.schemas.ts'
import { organisationNotFound, type OrganisationService } from './organisation.service.ts'

const tags = ['Organisations']
const params = Type.Object({ organisation_id: OrganisationIdParam })

/** The path's organisation id; one that cannot name a row answers the same 404 as an unknown one. */
export const organisationId = (params: { organisation_id: string }) => idOr404(params.organisation_id, organisationNotFound)

export function organisationRoutes (organisations: OrganisationService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/organisations', {
      schema: { operationId: 'list-organisations', tags, querystring: PageQuery, response: { 200: Type.Array(OrganisationElem) } }
    }, async (request) => (await organisations.list(parsePage(request.query))).map(toOrganisationElem))

    app.post('/organisations', {
      schema: { operationId: 'create-organisation', tags, body: OrganisationBody, response: { 200: OrganisationShow, ...errorResponses(409) } },
      config: { idempotent: true }
    }, async (request) => toOrganisationShow(await organisations.create(request.body, writeContext(request))))

    app.get('/organisations/:organisation_id', {
      schema: { operationId: 'get-organisation', tags, params, response: { 200: OrganisationShow } }
    }, async (request) => toOrganisationShow(await organisations.get(organisationId(request.params))))

    app.put('/organisations/:organisation_id', {
      schema: { operationId: 'update-organisation', tags, params, body: OrganisationPatch, response: { 200: OrganisationShow, ...errorResponses(409) } }
    }, async (request) => toOrganisationShow(await organisations.update(organisationId(request.params), request.body, writeContext(request))))

    app.delete('/organisations/:organisation_id', {
      // 422: the Default Organisation, where the users of a deleted one go, stays (our refusal; Tyk documents none).
      schema: { operationId: 'delete-organisation', tags, params, response: { 200: StatusBody, ...errorResponses(422) } }
    }, async (request) => {
      await organisations.remove(organisationId(request.params), writeContext(request))
      return { status: 'ok' }
    })
  }
}
