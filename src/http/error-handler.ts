// The one place where errors become HTTP: AppError codes map through HTTP_STATUS, schema validation
// errors become messages naming the field and the value, Fastify's own errors keep their 4xx status,
// anything else is a fixed 500 logged with the request id. Never a stack, SQL text or secret. Where Tyk
// answers otherwise for the same reason, the route says so in its config (invalidBodyStatus, errorEnvelope).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify'
import { AppError, HTTP_STATUS, show } from '../errors.ts'
import { isSecretName } from '../shared/secret-names.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Tyk answers 422, not 400, when this route's body breaks a rule (tyk-portal-api.md §5.1, §5.2, §5.4). */
    invalidBodyStatus?: 422
    /** Tyk's StatusWithErrors envelope {"status":"error","errors":[…]} for this route's 422 answers (§5.3–§5.5). */
    errorEnvelope?: 'status-errors'
    /**
     * Tyk documents a `message` in this route's failure bodies (StatusWithMessage: approve, reject, the
     * health probes): every error answer carries the messages joined as `message`, beside `errors`.
     */
    errorMessage?: true
  }
}

const FASTIFY_MESSAGES: Readonly<Record<string, (error: FastifyError, request: FastifyRequest) => string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (_error, request) => `request body is too large: at most ${request.routeOptions.bodyLimit ?? 0} bytes are accepted`,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_error, request) => `Content-Type must be application/json, got ${show(request.headers['content-type'] ?? '')}`,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'Content-Length does not match the body',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'request body is empty: send a JSON object'
}

export function registerErrorHandling (app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, messages } = describeError(error, request)
    if (status === 500) request.log.error({ err: error }, 'unhandled error')
    if (error instanceof AppError && error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds))
    const { errorEnvelope, errorMessage } = request.routeOptions.config
    return await reply.code(status).send({
      ...(status === 422 && errorEnvelope === 'status-errors' ? { status: 'error' } : {}),
      ...(errorMessage === true ? { message: messages.join('; ') } : {}),
      errors: messages
    })
  })

  app.setNotFoundHandler(async (request, reply) => {
    return await reply.code(404).send({ errors: [`no route ${request.method} ${request.url.split('?')[0] ?? ''}`] })
  })
}

function describeError (error: FastifyError | AppError, request: FastifyRequest): { status: number; messages: readonly string[] } {
  const invalidBodyStatus = request.routeOptions.config.invalidBodyStatus ?? 400
  if (error instanceof AppError) {
    return { status: error.code === 'invalid_input' ? invalidBodyStatus : HTTP_STATUS[error.code], messages: error.messages }
  }
  if (error.validation !== undefined) {
    return { status: error.validationContext === 'body' ? invalidBodyStatus : 400, messages: describeValidation(error.validation, error.validationContext) }
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) return { status, messages: [FASTIFY_MESSAGES[error.code]?.(error, request) ?? error.message] }
  return { status: 500, messages: [`internal error; see the service log for request ${request.id}`] }
}

/**
 * Fastify's `frameworkErrors`: a path that is not valid percent-encoding, or a segment longer than any id,
 * names no resource. Answered 404 in our envelope (malformed ids are 404, design.md §2), not Fastify's body.
 */
export function answerFrameworkError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0] ?? ''
  const reason = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is longer than any id' : 'the path is not valid percent-encoding'
  void reply.code(404).send({ errors: [`no route ${request.method} ${show(path)}: ${reason}`] })
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
  // Described one by one up to the cap, so a body of thousands of bad fields costs linear time (issue 11 item 3).
  const messages = new Set<string>()
  for (const error of shown) {
    if (messages.size === MAX_DESCRIBED) break
    messages.add(describeOne(error, context))
  }
  const more = shown.length - MAX_DESCRIBED
  return more > 0 ? [...messages, `… and ${more} more problem(s) of the same kind or others: fix these first`] : [...messages]
}

/** Problems described in one answer; a longer list helps nobody and costs time. */
const MAX_DESCRIBED = 20

function describeOne (error: VerboseError, context: string | undefined): string {
  const params = error.params
  const field = fieldName(error.instancePath, context)
  // Only where a message shows the value: error.data of an unknown field is the whole enclosing object.
  const got = () => `got ${isSecretName(error.instancePath.split('/').pop() ?? '') ? secretShape(error.data) : show(error.data)}`
  switch (error.keyword) {
    case 'required': return `${join(field, String(params.missingProperty), context)} is required`
    case 'additionalProperties': return `unknown ${context === 'querystring' ? 'query parameter' : 'field'} ${show(params.additionalProperty)}${field ? ` in ${field}` : ''}`
    case 'type': return field === '' && context === 'body'
      ? `request body must be a JSON object, ${got()}`
      : `${field} must be ${describeType(String(params.type))}, ${got()}`
    case 'enum': return `${field} must be one of ${(params.allowedValues as unknown[]).map((v) => show(v)).join(', ')}, ${got()}`
    case 'anyOf': return `${field} must be ${(error.parentSchema?.anyOf as Array<Record<string, unknown>>).map(describeSchema).join(' or ')}, ${got()}`
    case 'minLength': return params.limit === 1 ? `${field} must not be empty` : `${field} must be at least ${String(params.limit)} characters, ${got()}`
    case 'maxLength': return `${field} must be at most ${String(params.limit)} characters, ${got()}`
    case 'minItems': return `${field} must have at least ${String(params.limit)} item(s), ${got()}`
    case 'maxItems': return `${field} must have at most ${String(params.limit)} items, ${got()}`
    case 'pattern': return `${field} has the wrong format (must match ${String(params.pattern)}), ${got()}`
    default: return `${field || 'request'} ${error.message ?? 'is invalid'}, ${got()}`
  }
}

/** What a refused secret was, without any of it (issue 11 item 11): its type and length only. */
function secretShape (value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters (not shown: it is secret)`
  return `${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`} (not shown: it is secret)`
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
  if (type.includes(',')) return type.split(',').map(describeType).join(' or ') // a list type, e.g. "array,null"
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
