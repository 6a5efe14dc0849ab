// Fastify glue of optimistic concurrency (src/modules/concurrency/precondition.ts): a route whose config
// says `etag` answers an ETag header on 2xx; one whose config says `ifMatch` reads If-Match and documents
// it with its 412. Both are declared in the OpenAPI document here, as src/http/openapi.ts does for errors.
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { AppError, show } from '../errors.ts'
import { assertIfMatch, etagOf, type IfMatch, type WriteContext } from '../shared/precondition.ts'
import { actorOf } from './auth.ts'
import { addErrorResponses } from './openapi.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Answer an ETag on 2xx: the hash of the body, or of what `etag` makes of it when the route answers
     * another form than a GET does (the ETag is always that of the GET representation).
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each route passes a function of its own body type
    etag?: true | ((body: any) => unknown)
    /** The route honours If-Match (PUT, DELETE): writeContext() turns it into a precondition the service checks. */
    ifMatch?: true
  }
}

const ETAG_HEADER = {
  ETag: { type: 'string', description: 'Strong entity tag of the resource (our extension); send it back in If-Match on PUT or DELETE', examples: ['"q8Kd0S2vHc3n1Jx0Xj4l2k7aQ9w"'] }
}
const IF_MATCH = {
  type: 'string',
  description: 'Our extension: change the resource only if its ETag is one of these ("*": any); otherwise 412 naming the current ETag. Omitted: no condition (as Tyk)'
}

/** An onRoute hook: ETag answers and If-Match, documented and wired from the route's config. */
export function concurrencyControl (route: RouteOptions): void {
  const config = route.config
  if (route.schema === undefined || config === undefined) return
  const schema = route.schema as Record<string, unknown>
  const responses: Record<number, unknown> = { ...(schema.response as Record<number, unknown> | undefined) }
  const represent = config.etag
  if (represent !== undefined) {
    for (const status of Object.keys(responses).map(Number).filter((status) => status >= 200 && status < 300)) {
      responses[status] = { ...(responses[status] as object), headers: ETAG_HEADER }
    }
    // A callback hook, not an async one: no promise and no extra turn of the event loop per answer.
    const answerEtag = (_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: Error | null, payload?: unknown) => void) => {
      if (reply.statusCode >= 200 && reply.statusCode < 300) void reply.header('etag', etagOf(represent === true ? payload : represent(payload)))
      done(null, payload)
    }
    route.preSerialization = [...routeHooks(route.preSerialization), answerEtag]
  }
  schema.response = responses
  if (config.ifMatch === true) {
    addRequestHeader(schema, 'If-Match', IF_MATCH)
    addErrorResponses(route, 400, 412)
  }
}

/**
 * What a write hands to its service: the admin who makes it and, where the route honours If-Match, the
 * check of the locked current record against it; `represent` is the route's GET representation of a record.
 */
export function writeContext<T = unknown> (request: FastifyRequest, represent?: (current: T) => unknown): WriteContext<T> {
  const actor = actorOf(request)
  const header = request.headers['if-match']
  if (request.routeOptions.config.ifMatch !== true || header === undefined) return { actor }
  const ifMatch = parseIfMatch(header)
  if (represent === undefined) throw new Error(`${request.routeOptions.url} honours If-Match but gives writeContext no representation`)
  return { actor, precondition: (current, resource) => { assertIfMatch(ifMatch, resource, represent(current)) } }
}

/** RFC 9110 §13.1.1: "*" or a comma-separated list of entity tags ("…" or W/"…"). */
export function parseIfMatch (header: string): IfMatch {
  if (header.trim() === '*') return '*'
  const tags: string[] = []
  const pattern = /\s*((?:W\/)?"[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/y
  while (pattern.lastIndex < header.length) {
    const match = pattern.exec(header)
    if (match === null) throw new AppError('malformed_request', `If-Match must be "*" or a list of quoted ETags as answered in the ETag header, got ${show(header)}`)
    tags.push(match[1]!)
  }
  if (tags.length === 0) throw new AppError('malformed_request', `If-Match must be "*" or a list of quoted ETags as answered in the ETag header, got ${show(header)}`)
  return tags
}

/** Adds a documented (and validated) request header to a route's schema. */
export function addRequestHeader (schema: Record<string, unknown>, name: string, headerSchema: Record<string, unknown>): void {
  const headers = (schema.headers ?? { type: 'object', properties: {} }) as { properties?: Record<string, unknown> }
  schema.headers = { ...headers, properties: { ...headers.properties, [name]: headerSchema } }
}

export function routeHooks<T> (existing: T | T[] | undefined): T[] {
  return existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]
}
