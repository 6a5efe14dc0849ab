// The one place that reads the environment (design.md §3): parsed once, every invalid key listed
// in one error, the result frozen and passed down.
import path from 'node:path'

export type DatabaseTarget =
  | { readonly dialect: 'sqlite'; readonly file: string } // ':memory:' for an in-memory database
  | { readonly dialect: 'postgres'; readonly url: string }

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Config {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  readonly database: DatabaseTarget
  readonly adminToken: string | undefined
  readonly embeddedIdp: { readonly enabled: boolean; readonly port: number; readonly issuer: string | undefined }
  readonly logLevel: LogLevel
}

export class ConfigError extends Error {
  constructor (readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

export function parseConfig (env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = []
  const read = <T>(key: string, fallback: T, parse: (raw: string) => T, secret = false): T => {
    const raw = env[key]
    if (raw === undefined || raw === '') return fallback
    try {
      return parse(raw)
    } catch (error) {
      const shown = secret ? '' : `=${JSON.stringify(redactUrl(raw))}`
      problems.push(`${key}${shown}: ${(error as Error).message}`)
      return fallback
    }
  }

  const dataDir = read('PORTAL_DATA_DIR', 'data', (raw) => raw)
  const config: Config = {
    host: read('PORTAL_HOST', '127.0.0.1', (raw) => raw),
    port: read('PORTAL_PORT', 3001, parsePort),
    dataDir,
    database: read('PORTAL_DATABASE_URL', { dialect: 'sqlite', file: path.join(dataDir, 'portal.db') }, parseDatabaseUrl),
    adminToken: read('PORTAL_ADMIN_TOKEN', undefined, parseAdminToken, true),
    embeddedIdp: {
      enabled: read('PORTAL_EMBEDDED_IDP', true, parseFlag),
      port: read('PORTAL_EMBEDDED_IDP_PORT', 3002, parsePort),
      issuer: read('PORTAL_EMBEDDED_IDP_ISSUER', undefined, parseIssuer)
    },
    logLevel: read('PORTAL_LOG_LEVEL', 'info', parseLogLevel)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return deepFreeze(config)
}

function parsePort (raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new Error('must be a port number from 0 to 65535')
  return Number(raw)
}

function parseFlag (raw: string): boolean {
  if (raw !== 'true' && raw !== 'false') throw new Error('must be true or false')
  return raw === 'true'
}

function parseIssuer (raw: string): string {
  // OpenID Connect Discovery §3: an https (or, for development, http) URL without query or fragment.
  if (!URL.canParse(raw)) throw new Error('must be an absolute http(s) URL')
  const url = new URL(raw)
  if (!['http:', 'https:'].includes(url.protocol) || url.search !== '' || url.hash !== '') throw new Error('must be an http(s) URL without query or fragment')
  return raw
}

function parseLogLevel (raw: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === raw)
  if (level === undefined) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`)
  return level
}

function parseAdminToken (raw: string): string {
  if (!/^[\x21-\x7e]{16,512}$/.test(raw)) throw new Error('must be 16 to 512 printable ASCII characters without spaces')
  return raw
}

function parseDatabaseUrl (url: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length)
    if (file === '') throw new Error('needs a path, e.g. sqlite:data/portal.db or sqlite::memory:')
    return { dialect: 'sqlite', file }
  }
  if (!url.startsWith('postgres://') && !url.startsWith('postgresql://')) throw new Error('must start with sqlite: or postgres://')
  if (!URL.canParse(url)) throw new Error('is not a valid postgres:// URL')
  return { dialect: 'postgres', url }
}

/** The URL without its password, for messages and logs. */
export function redactUrl (url: string): string {
  if (!URL.canParse(url)) return url
  const parsed = new URL(url)
  if (parsed.password === '') return url
  parsed.password = '***'
  return parsed.toString()
}

function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
