import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { ForceQuery, IdpCallErrors, PageQuery, StatusBody, errorResponses, isGoTrue } from '../../http/schemas.ts'
import { idOr404 } from '../../shared/ids.ts'
import { parsePage } from '../../shared/pagination.ts'
import { UserElem, toUserElem } from '../organisations/member.schemas.ts'
import { UserBody, UserIdParam, UserPatch, UserShow, toUserShow } from './user.schemas.ts'
import { userNotFound, type UserService } from './user.service.ts'

const tags = ['Users']
const params = Type.Object({ user_id: UserIdParam })
// Tyk answers 422 for a user body that breaks a rule (its update documents "Not found or Bad request").
const invalidBodyStatus = 422

/** The path's user id; one that cannot name a row answers the same 404 as an unknown one. */
const userId = (params: { user_id: string }) => idOr404(params.user_id, userNotFound)

export function userRoutes (users: UserService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/users', {
      schema: { operationId: 'list-users', tags, querystring: PageQuery, response: { 200: Type.Array(UserElem) } }
    }, async (request) => (await users.list(parsePage(request.query))).map(toUserElem))

    app.post('/users', {
      schema: { operationId: 'create-user', tags, body: UserBody, response: { 200: UserShow, ...errorResponses(409) } },
      config: { idempotent: true, invalidBodyStatus }
    }, async (request) => toUserShow(await users.create(request.body, writeContext(request))))

    app.get('/users/:user_id', {
      schema: { operationId: 'get-user', tags, params, response: { 200: UserShow } }
    }, async (request) => toUserShow(await users.get(userId(request.params))))

    app.put('/users/:user_id', {
      schema: { operationId: 'update-user', tags, params, body: UserPatch, response: { 200: UserShow, ...errorResponses(409) } },
      config: { invalidBodyStatus }
    }, async (request) => toUserShow(await users.update(userId(request.params), request.body, writeContext(request))))

    app.delete('/users/:user_id', {
      // Deleting a user deletes their apps, at the IdP first: the IdP's statuses, unless ?force=true.
      schema: { operationId: 'delete-user', tags, params, querystring: ForceQuery, response: { 200: StatusBody, ...IdpCallErrors } }
    }, async (request) => {
      await users.remove(userId(request.params), isGoTrue(request.query.force), writeContext(request))
      return { status: 'ok' }
    })
  }
}
