import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino'

// Query parameters this API reads; any other value (e.g. a `?token=…` a client put there) is not logged.
const LOGGED_PARAMETERS = new Set(['page', 'per_page', 'limit', 'force', 'canary', 'p'])

/**
 * One line per request, on completion (Fastify writes two: logging was a tenth of a GET's CPU time).
 * The line has fixed fields and no secret (the URL's query is redacted by loggedUrl), so it is written
 * through a child without pino's path redaction, which cost a tenth of a GET's CPU (bench profile).
 */
export class OneLineRequestLog extends LogController {
  private readonly lines: FastifyBaseLogger

  constructor (logger: FastifyBaseLogger) {
    super()
    this.lines = logger.child({}, { redact: [] })
  }

  override incomingRequest (): void { /* requestCompleted writes the one line */ }

  override requestCompleted (_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    this.lines.info({ reqId: request.id, method: request.method, url: loggedUrl(request.url), statusCode: reply.statusCode, responseTime: roundedMs(reply.elapsedTime) }, 'request completed')
  }
}

/**
 * To the hundredth of a millisecond. V8 caches the text of a number it prints in its old generation; the
 * full-precision time was a new entry per request (1 MB/s of old space under load, bench trace), while
 * hundredths repeat and are found in the cache.
 */
function roundedMs (ms: number): number {
  return Math.round(ms * 100) / 100
}

/**
 * Fastify's childLoggerFactory: each request's logger (`request.log`, bound to its reqId) is made on its
 * first use; a request that logs nothing but its completed line never pays for one (bench profile: 3 %).
 */
export function lazyRequestLogger (parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options)
}

type LogArgs = Parameters<LogFn>

class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined
  constructor (private readonly parent: FastifyBaseLogger, private readonly bindings: Bindings, private readonly options: ChildLoggerOptions) {}
  private get logger (): FastifyBaseLogger { return this.made ??= this.parent.child(this.bindings, this.options) }
  get level (): string { return this.logger.level }
  set level (level: string) { this.logger.level = level }
  fatal (...args: LogArgs): void { this.logger.fatal(...args) }
  error (...args: LogArgs): void { this.logger.error(...args) }
  warn (...args: LogArgs): void { this.logger.warn(...args) }
  info (...args: LogArgs): void { this.logger.info(...args) }
  debug (...args: LogArgs): void { this.logger.debug(...args) }
  trace (...args: LogArgs): void { this.logger.trace(...args) }
  silent (...args: LogArgs): void { this.logger.silent(...args) }
  child (bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger { return this.logger.child(bindings, options) }
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
