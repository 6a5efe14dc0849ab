// The JSON body parser: strict UTF-8, prototype poisoning refused (secure-json-parse), and no NUL
// characters, so that SQLite (which would store them) and PostgreSQL (which rejects them) answer alike.
import type { FastifyInstance } from 'fastify'
import secureJson from 'secure-json-parse'
import { AppError } from '../errors.ts'

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
    throw new AppError('invalid', 'request body is not valid UTF-8')
  }
  let value: unknown
  try {
    value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })
  } catch (error) {
    const reason = (error as Error).message.includes('prototype') ? 'it contains a forbidden __proto__ or constructor.prototype key' : (error as Error).message
    throw new AppError('invalid', `request body is not valid JSON: ${reason}`)
  }
  const nul = findNul(value, '')
  if (nul !== undefined) throw new AppError('invalid', `${nul || 'body'} must not contain the NUL character (\\u0000)`)
  return value
}

/** The path of the first string (or key) holding U+0000, or undefined. */
function findNul (value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? at : undefined
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, inner] of Object.entries(value)) {
    const path = Array.isArray(value) ? `${at}[${key}]` : at === '' ? key : `${at}.${key}`
    if (key.includes('\0')) return `field name ${JSON.stringify(path)}`
    const found = findNul(inner, path)
    if (found !== undefined) return found
  }
  return undefined
}
