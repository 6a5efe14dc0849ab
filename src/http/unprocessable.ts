// Tyk answers 422 where the rest of this API answers 400: for a product, plan or app body that breaks a
// rule (tyk-portal-api.md §5.1, §5.2, §5.4) with {"errors":[…]}, and for provision, approve, reject and
// rotate with {"status":"error","errors":[…]} (StatusWithErrors, §5.3–§5.5). Registered inside one
// route plugin, this handler applies to that plugin only; every other error goes on, unchanged, to the
// app's handler (Fastify passes an error thrown by a child handler to its parent).
import type { FastifyError } from 'fastify'
import { AppError } from '../errors.ts'
import type { AnyTypeProviderFastify } from './any-fastify.ts'
import { describeValidation } from './error-handler.ts'

export function answerInvalidBodiesWith422 (app: AnyTypeProviderFastify, envelope: 'errors' | 'status-errors' = 'errors'): void {
  app.setErrorHandler(async (error: FastifyError | AppError, _request, reply) => {
    const messages = error instanceof AppError
      ? (error.code === 'unprocessable' ? error.messages : undefined)
      : (error.validation !== undefined && error.validationContext === 'body' ? describeValidation(error.validation, 'body') : undefined)
    if (messages === undefined) throw error
    if (envelope === 'errors') throw new AppError('unprocessable', messages)
    return await reply.code(422).send({ status: 'error', errors: messages })
  })
}
