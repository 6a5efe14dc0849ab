import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { PageQuery, StatusBody, errorResponses } from '../../http/schemas.ts'
import { parseId } from '../../shared/ids.ts'
import { parsePage } from '../../shared/pagination.ts'
import { OrganisationIdParam } from './organisation.schemas.ts'
import { organisationId } from './organisation.routes.ts'
import { TeamBody, TeamElem, TeamIdParam, TeamPatch, TeamShow, toTeamElem, toTeamShow } from './team.schemas.ts'
import type { TeamService } from './team.service.ts'

const tags = ['Teams']
const params = Type.Object({ organisation_id: OrganisationIdParam })
const teamParams = Type.Object({ organisation_id: OrganisationIdParam, team_id: TeamIdParam })

export function teamRoutes (teams: TeamService): FastifyPluginAsyncTypebox {
  /** Both path ids; a team id that cannot name a row answers as an unknown one (the organisation's 404 first). */
  async function ids (params: { organisation_id: string; team_id: string }): Promise<[number, number]> {
    const organisation = organisationId(params)
    const id = parseId(params.team_id)
    if (id === undefined) throw await teams.notFound(organisation, params.team_id)
    return [organisation, id]
  }

  return async (app) => {
    const base = '/organisations/:organisation_id/teams'

    app.get(base, {
      schema: { operationId: 'list-teams', tags, params, querystring: PageQuery, response: { 200: Type.Array(TeamElem) } }
    }, async (request) => (await teams.list(organisationId(request.params), parsePage(request.query))).map(toTeamElem))

    app.post(base, {
      schema: { operationId: 'create-team', tags, params, body: TeamBody, response: { 200: TeamShow, ...errorResponses(409) } },
      config: { idempotent: true }
    }, async (request) => toTeamShow(await teams.create(organisationId(request.params), request.body, writeContext(request))))

    app.get(`${base}/:team_id`, {
      schema: { operationId: 'get-team', tags, params: teamParams, response: { 200: TeamShow } }
    }, async (request) => toTeamShow(await teams.get(...await ids(request.params))))

    app.put(`${base}/:team_id`, {
      schema: { operationId: 'update-team', tags, params: teamParams, body: TeamPatch, response: { 200: TeamShow, ...errorResponses(409) } }
    }, async (request) => toTeamShow(await teams.update(...await ids(request.params), request.body, writeContext(request))))

    app.delete(`${base}/:team_id`, {
      // 422: an organisation's default team, where the members of a deleted team go, stays (our refusal; Tyk documents none).
      schema: { operationId: 'delete-team', tags, params: teamParams, response: { 200: StatusBody, ...errorResponses(422) } }
    }, async (request) => {
      await teams.remove(...await ids(request.params), writeContext(request))
      return { status: 'ok' }
    })
  }
}
