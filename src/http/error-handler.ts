// The one place where errors become HTTP: AppError codes map through HTTP_STATUS, schema validation
// errors become messages naming the field and the value, Fastify's own errors keep their 4xx status,
// anything else is a fixed 500 logged with the request id. Never a stack, SQL text or secret.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify'
import { AppError, HTTP_STATUS, show } from '../errors.ts'

const FASTIFY_MESSAGES: Readonly<Record<string, (error: FastifyError, request: FastifyRequest) => string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (_error, request) => `request body is too large: at most ${request.routeOptions.bodyLimit ?? 0} bytes are accepted`,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_error, request) => `Content-Type must be application/json, got ${show(request.headers['content-type'] ?? '')}`,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'Content-Length does not match the body',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'request body is empty: send a JSON object'
}

export function registerErrorHandling (app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds))
      return await reply.code(HTTP_STATUS[error.code]).send({ errors: error.messages })
    }
    if (error.validation !== undefined) {
      return await reply.code(400).send({ errors: describeValidation(error.validation, error.validationContext) })
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      const message = FASTIFY_MESSAGES[error.code]?.(error, request) ?? error.message
      return await reply.code(status).send({ errors: [message] })
    }
    request.log.error({ err: error }, 'unhandled error')
    return await reply.code(500).send({ errors: [`internal error; see the service log for request ${request.id}`] })
  })

  app.setNotFoundHandler(async (request, reply) => {
    return await reply.code(404).send({ errors: [`no route ${request.method} ${request.url.split('?')[0] ?? ''}`] })
  })
}

interface VerboseError extends FastifySchemaValidationError {
  data?: unknown
  parentSchema?: Record<string, unknown>
}

/** Ajv's errors (allErrors, verbose) as one sentence each, naming the field and the value. */
export function describeValidation (errors: readonly FastifySchemaValidationError[], context: string | undefined): string[] {
  const all = errors as readonly VerboseError[]
  // A union that failed reports each branch; say once what the field accepts instead.
  const unionPaths = new Set(all.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath))
  const shown = all.filter((e) => e.keyword === 'anyOf' || ![...unionPaths].some((p) => e.instancePath.startsWith(p) && e.schemaPath.includes('anyOf')))
  return [...new Set(shown.map((e) => describeOne(e, context)))]
}

function describeOne (error: VerboseError, context: string | undefined): string {
  const params = error.params
  const field = fieldName(error.instancePath, context)
  const got = `got ${show(error.data)}`
  switch (error.keyword) {
    case 'required': return `${join(field, String(params.missingProperty), context)} is required`
    case 'additionalProperties': return `unknown ${context === 'querystring' ? 'query parameter' : 'field'} ${show(params.additionalProperty)}${field ? ` in ${field}` : ''}`
    case 'type': return field === '' && context === 'body'
      ? `request body must be a JSON object, ${got}`
      : `${field} must be ${describeType(String(params.type))}, ${got}`
    case 'enum': return `${field} must be one of ${(params.allowedValues as unknown[]).map((v) => show(v)).join(', ')}, ${got}`
    case 'anyOf': return `${field} must be ${(error.parentSchema?.anyOf as Array<Record<string, unknown>>).map(describeSchema).join(' or ')}, ${got}`
    case 'minLength': return params.limit === 1 ? `${field} must not be empty` : `${field} must be at least ${String(params.limit)} characters, ${got}`
    case 'maxLength': return `${field} must be at most ${String(params.limit)} characters, ${got}`
    case 'minItems': return `${field} must have at least ${String(params.limit)} item(s), ${got}`
    case 'maxItems': return `${field} must have at most ${String(params.limit)} items, ${got}`
    case 'pattern': return `${field} has the wrong format (must match ${String(params.pattern)}), ${got}`
    default: return `${field || 'request'} ${error.message ?? 'is invalid'}, ${got}`
  }
}

function fieldName (instancePath: string, context: string | undefined): string {
  const path = instancePath.split('/').slice(1).map((part) => /^\d+$/.test(part) ? `[${part}]` : part)
  const name = path.join('.').replace(/\.\[/g, '[')
  return context === 'querystring' && name !== '' ? `query parameter ${name}` : name
}

function join (parent: string, child: string, context: string | undefined): string {
  if (parent !== '') return `${parent}.${child}`
  return context === 'querystring' ? `query parameter ${child}` : child
}

function describeType (type: string): string {
  return { string: 'a string', boolean: 'a boolean (true or false)', integer: 'an integer', number: 'a number', array: 'an array', object: 'an object', null: 'null' }[type] ?? type
}

function describeSchema (schema: Record<string, unknown>): string {
  if (schema.type === 'array') {
    const items = schema.items as Record<string, unknown> | undefined
    const itemType = items?.type === 'string' ? 'strings' : 'values'
    return schema.maxItems === 1 ? `a one-element array of ${itemType}` : `an array of ${itemType}`
  }
  if (schema.type === 'string' && typeof schema.description === 'string') return `a string (${schema.description})`
  return describeType(String(schema.type))
}
