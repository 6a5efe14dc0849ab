// The JSON body parser: strict UTF-8, prototype poisoning refused (secure-json-parse), then the caps of
// json-limits.ts (depth, array length, string length, keys, duplicate keys) and no NUL or lone surrogate,
// so that SQLite (which would store them) and PostgreSQL (which rejects them) answer alike.
import type { FastifyInstance } from 'fastify'
import secureJson from 'secure-json-parse'
import { AppError } from '../errors.ts'
import { checkJsonLimits } from './json-limits.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })

export function registerJsonBodyParser (app: FastifyInstance): void {
  // JSON only: any other content type is answered 415 (Fastify also parses text/plain by default).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    try {
      done(null, parseJsonBody(body))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
}

export function parseJsonBody (body: Buffer): unknown {
  if (body.length === 0) return undefined
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    throw new AppError('malformed_request', 'request body is not valid UTF-8')
  }
  let value: unknown
  try {
    value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })
  } catch (error) {
    const reason = (error as Error).message.includes('prototype') ? 'it contains a forbidden __proto__ or constructor.prototype key' : (error as Error).message
    throw new AppError('malformed_request', `request body is not valid JSON: ${reason}`)
  }
  checkJsonLimits(value, text)
  return value
}
