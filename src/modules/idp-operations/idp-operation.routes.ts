import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StatusBody } from '../../http/schemas.ts'
import { idOr404 } from '../../shared/ids.ts'
import { IdpOperationIdParams as params, IdpOperationList, toIdpOperationList } from './idp-operation.schemas.ts'
import { deletionNotFound, registrationNotFound, type IdpOperationService } from './idp-operation.service.ts'

/** Our extension (issue 5): what the saga could not finish on its own, for an operator. */
export function idpOperationRoutes (operations: IdpOperationService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['IdP operations']
    app.get('/idp-operations', {
      schema: {
        operationId: 'list-idp-operations',
        tags,
        summary: 'Registrations whose outcome is unknown, and clients still to delete at an IdP',
        response: { 200: IdpOperationList }
      }
    }, async () => toIdpOperationList(await operations.list()))

    app.delete('/idp-operations/registrations/:operation_id', {
      schema: { operationId: 'resolve-idp-registration', tags, summary: 'After checking the IdP: forget an unknown registration', params, response: { 200: StatusBody } }
    }, async (request) => {
      await operations.resolveRegistration(idOr404(request.params.operation_id, registrationNotFound))
      return { status: 'ok' }
    })

    app.delete('/idp-operations/deletions/:operation_id', {
      schema: { operationId: 'resolve-idp-deletion', tags, summary: 'After deleting the client at the IdP by hand: forget the pending deletion', params, response: { 200: StatusBody } }
    }, async (request) => {
      await operations.resolveDeletion(idOr404(request.params.operation_id, deletionNotFound))
      return { status: 'ok' }
    })
  }
}
