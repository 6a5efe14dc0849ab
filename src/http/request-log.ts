import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

// Query parameters this API reads; any other value (e.g. a `?token=…` a client put there) is not logged.
const LOGGED_PARAMETERS = new Set(['page', 'per_page', 'limit', 'force', 'canary', 'p'])

/** One line per request, on completion (Fastify writes two: logging was a tenth of a GET's CPU time). */
export class OneLineRequestLog extends LogController {
  override incomingRequest (): void { /* requestCompleted writes the one line */ }

  override requestCompleted (_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    request.log.info({ method: request.method, url: loggedUrl(request.url), statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed')
  }
}

/** The URL with the value of every query parameter outside LOGGED_PARAMETERS replaced by "[redacted]". */
export function loggedUrl (url: string): string {
  const mark = url.indexOf('?')
  if (mark === -1) return url
  const query = url.slice(mark + 1).split('&').map((pair) => {
    const equals = pair.indexOf('=')
    const name = equals === -1 ? pair : pair.slice(0, equals)
    return equals === -1 || LOGGED_PARAMETERS.has(name) ? pair : `${name}=[redacted]`
  })
  return `${url.slice(0, mark)}?${query.join('&')}`
}
