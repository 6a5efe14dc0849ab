// Tyk answers 422 {"errors":[…]} when a product, plan or app body breaks a rule (tyk-portal-api.md
// §5.1, §5.2, §5.4), where the rest of this API answers 400. Registered inside one route plugin, this
// handler turns that plugin's body-schema failures into 422; every other error goes on, unchanged,
// to the app's handler (Fastify passes an error thrown by a child handler to its parent).
import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError } from '../../errors.ts'
import { describeValidation } from '../../http/error-handler.ts'

export function answerInvalidBodiesWith422 (app: FastifyInstance<any, any, any, any, any>): void {
  app.setErrorHandler(async (error: FastifyError) => {
    if (error.validation !== undefined && error.validationContext === 'body') {
      throw new AppError('unprocessable', describeValidation(error.validation, 'body'))
    }
    throw error
  })
}
