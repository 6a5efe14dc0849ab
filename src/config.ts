// The one place that reads the environment (design.md §3): parsed once, every invalid key listed
// in one error, the result frozen and passed down.
import path from 'node:path'
import type { DatabaseTarget } from './db/dialect.ts'
import { parseSecretKeys, type SecretKey } from './shared/secret-box.ts'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Config {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  readonly database: DatabaseTarget
  readonly adminToken: string | undefined
  /** Keys sealing secrets at rest (first seals, all open); undefined: generated into the data directory. */
  readonly secretKeys: readonly SecretKey[] | undefined
  readonly embeddedIdp: { readonly enabled: boolean; readonly port: number; readonly issuer: string | undefined }
  /** Outbound IdP calls (src/dcr/http-gate.ts): address policy, timeouts, per-provider concurrency. */
  readonly idp: {
    readonly denyPrivate: boolean
    readonly connectTimeoutMs: number
    /** Each of: request sent → headers, and the longest silence while the body streams. */
    readonly timeoutMs: number
    readonly maxConcurrentPerProvider: number
    readonly maxQueuedPerProvider: number
  }
  /** Admin API requests worked on at once; one more answers 503 with Retry-After (src/http/overload.ts). */
  readonly maxConcurrentRequests: number
  /** How often the reconciler retries IdP deletions and surfaces lost registrations (it also runs at start). */
  readonly reconcileIntervalMs: number
  /** How long a dead process's lease blocks others (src/db/leases.ts); its holder renews it every third of it. */
  readonly leaseTtlMs: number
  /** Per minute (issue 11 item 12): admin auth failures per address, canary verifications and registrations per provider. */
  readonly rateLimits: { readonly authFailures: number; readonly canaries: number; readonly registrations: number }
  readonly logLevel: LogLevel
  /** Where browsers reach the API port (the console's redirect URI, cookies' Secure flag). */
  readonly publicUrl: string
  readonly console: ConsoleConfig
}

/** The admin console's sign-in (README "The admin console"): the embedded IdP unless an issuer is named. */
export interface ConsoleConfig {
  readonly oidc: { readonly issuer: string; readonly clientId: string; readonly clientSecret: string | undefined } | undefined
  /** The ID token claim that makes an admin: a string equal to `value`, or an array holding it. */
  readonly adminClaim: { readonly name: string; readonly value: string }
  readonly sessionHours: number
}

export class ConfigError extends Error {
  constructor (readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

export function parseConfig (env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = []
  const read: Read = (key, fallback, parse, secret = false) => {
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
  const host = read('PORTAL_HOST', '127.0.0.1', (raw) => raw)
  const port = read('PORTAL_PORT', 3001, parsePort)
  const config: Config = {
    host,
    port,
    dataDir,
    database: read('PORTAL_DATABASE_URL', { dialect: 'sqlite', file: path.join(dataDir, 'portal.db') }, parseDatabaseUrl),
    adminToken: read('PORTAL_ADMIN_TOKEN', undefined, parseAdminToken, true),
    secretKeys: read('PORTAL_SECRET_KEYS', undefined, parseSecretKeys, true),
    embeddedIdp: {
      enabled: read('PORTAL_EMBEDDED_IDP', true, parseFlag),
      port: read('PORTAL_EMBEDDED_IDP_PORT', 3002, parsePort),
      issuer: read('PORTAL_EMBEDDED_IDP_ISSUER', undefined, parseIssuer)
    },
    idp: {
      denyPrivate: read('PORTAL_IDP_DENY_PRIVATE', false, parseFlag),
      connectTimeoutMs: read('PORTAL_IDP_CONNECT_TIMEOUT_MS', 5_000, integerFrom(1, 600_000)),
      timeoutMs: read('PORTAL_IDP_TIMEOUT_MS', 10_000, integerFrom(1, 600_000)),
      maxConcurrentPerProvider: read('PORTAL_IDP_MAX_CONCURRENT', 8, integerFrom(1, 1_000)),
      maxQueuedPerProvider: read('PORTAL_IDP_MAX_QUEUED', 32, integerFrom(0, 100_000))
    },
    maxConcurrentRequests: read('PORTAL_MAX_CONCURRENT_REQUESTS', 64, integerFrom(1, 100_000)),
    reconcileIntervalMs: read('PORTAL_RECONCILE_INTERVAL_MS', 30_000, integerFrom(1_000, 86_400_000)),
    leaseTtlMs: read('PORTAL_LEASE_TTL_MS', 30_000, integerFrom(1_000, 600_000)),
    rateLimits: {
      authFailures: read('PORTAL_RATE_LIMIT_AUTH_FAILURES', 20, integerFrom(1, 1_000_000)),
      canaries: read('PORTAL_RATE_LIMIT_CANARIES', 6, integerFrom(1, 1_000_000)),
      registrations: read('PORTAL_RATE_LIMIT_REGISTRATIONS', 600, integerFrom(1, 1_000_000))
    },
    logLevel: read('PORTAL_LOG_LEVEL', 'info', parseLogLevel),
    publicUrl: read('PORTAL_PUBLIC_URL', `http://${browsable(host)}:${port}`, (raw) => parseIssuer(raw).replace(/\/$/, '')),
    console: {
      oidc: consoleOidc(read),
      adminClaim: read('PORTAL_CONSOLE_ADMIN_CLAIM', { name: 'groups', value: 'portal-admins' }, parseClaimRule),
      sessionHours: read('PORTAL_CONSOLE_SESSION_HOURS', 8, integerFrom(1, 720))
    }
  }

  if (problems.length > 0) throw new ConfigError(problems)
  return deepFreeze(config)
}

function parsePort (raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new Error('must be a port number from 0 to 65535')
  return Number(raw)
}

function integerFrom (min: number, max: number): (raw: string) => number {
  return (raw) => {
    if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new Error(`must be an integer from ${min} to ${max}`)
    return Number(raw)
  }
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

type Read = <T>(key: string, fallback: T, parse: (raw: string) => T, secret?: boolean) => T

function consoleOidc (read: Read): ConsoleConfig['oidc'] {
  const issuer = read('PORTAL_CONSOLE_OIDC_ISSUER', undefined, parseIssuer)
  const clientId = read('PORTAL_CONSOLE_OIDC_CLIENT_ID', undefined, (raw) => raw)
  const clientSecret = read('PORTAL_CONSOLE_OIDC_CLIENT_SECRET', undefined, (raw) => raw, true)
  if ((issuer === undefined) !== (clientId === undefined)) {
    read('PORTAL_CONSOLE_OIDC_ISSUER', undefined, () => { throw new Error('and PORTAL_CONSOLE_OIDC_CLIENT_ID are set together or not at all') })
    read('PORTAL_CONSOLE_OIDC_CLIENT_ID', undefined, () => { throw new Error('and PORTAL_CONSOLE_OIDC_ISSUER are set together or not at all') })
  }
  return issuer === undefined || clientId === undefined ? undefined : { issuer, clientId, clientSecret }
}

/** The address a browser on this machine uses for a bind address (a wildcard is reached at loopback). */
function browsable (host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

/** `claim=value`, e.g. `groups=portal-admins` or `role=admin`. */
function parseClaimRule (raw: string): { name: string; value: string } {
  const match = /^([A-Za-z0-9_.:-]{1,128})=(.{1,256})$/.exec(raw)
  if (match === null) throw new Error('must be claim=value, e.g. groups=portal-admins')
  return { name: match[1] ?? '', value: match[2] ?? '' }
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
  // A Buffer (a key) cannot be frozen; it is never handed out for writing.
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
