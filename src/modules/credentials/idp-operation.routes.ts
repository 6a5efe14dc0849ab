import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Id, StatusBody, StringEnum } from '../../http/schemas.ts'
import type { Reconciler } from './reconciler.ts'

const Registration = Type.Object({
  ID: Id,
  ProviderID: Type.Integer(),
  AppID: Type.Integer(),
  ClientTypeID: Type.Integer(),
  CorrelationTag: Type.String({ description: 'sent to the IdP in client_name, as "<app name> [<tag>]"' }),
  State: StringEnum(['in_flight', 'unknown']),
  LastError: Type.String(),
  CreatedAt: Type.String()
}, { additionalProperties: false })

const Deletion = Type.Object({
  ID: Id,
  ProviderID: Type.Integer(),
  ClientID: Type.String(),
  Reason: Type.String(),
  Attempts: Type.Integer(),
  NextAttemptAt: Type.String({ description: '"" when only an operator can resolve it' }),
  LastError: Type.String(),
  CreatedAt: Type.String()
}, { additionalProperties: false })

const params = Type.Object({ operation_id: Type.String({ description: 'UID of this operation (integer)' }) })

/** Our extension (issue 5): what the saga could not finish on its own, for an operator. */
export function idpOperationRoutes (reconciler: Reconciler): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['IdP operations']
    app.get('/idp-operations', {
      schema: {
        operationId: 'list-idp-operations',
        tags,
        summary: 'Registrations whose outcome is unknown, and clients still to delete at an IdP',
        response: { 200: Type.Object({ Registrations: Type.Array(Registration), Deletions: Type.Array(Deletion) }, { additionalProperties: false }) }
      }
    }, async () => await reconciler.list())

    app.delete('/idp-operations/registrations/:operation_id', {
      schema: { operationId: 'resolve-idp-registration', tags, summary: 'After checking the IdP: forget an unknown registration', params, response: { 200: StatusBody } }
    }, async (request) => {
      await reconciler.resolveRegistration(request.params.operation_id)
      return { status: 'ok' }
    })

    app.delete('/idp-operations/deletions/:operation_id', {
      schema: { operationId: 'resolve-idp-deletion', tags, summary: 'After deleting the client at the IdP by hand: forget the pending deletion', params, response: { 200: StatusBody } }
    }, async (request) => {
      await reconciler.resolveDeletion(request.params.operation_id)
      return { status: 'ok' }
    })
  }
}
