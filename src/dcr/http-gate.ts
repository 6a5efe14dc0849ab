// The one outbound gate for every IdP call (style-by-example habit 6): explicit connect / headers / body
// timeouts, a response-size cap, no redirect following, JSON-only parsing, per-provider TLS, typed
// failure stages. undici 7's `request` never follows redirects (no redirect interceptor is installed).
// Outbound safety (address-policy.ts): link-local and metadata addresses are refused, private ones too
// when asked, on the URL's literal IP before the call and on every resolved address at connect time.
// Concurrent calls per provider are capped (call-limiter.ts).
import net, { type LookupFunction } from 'node:net'
import secureJson from 'secure-json-parse'
import type { Agent, Dispatcher } from 'undici'
import { ForbiddenAddressError, guardedLookup, refusalReason, type AddressPolicy } from './address-policy.ts'
import { CallLimiter } from './call-limiter.ts'
import { IdpError, parseOAuthErrorBody, safeUrl, scrub } from './idp-error.ts'

export interface HttpGateOptions {
  /** TCP + TLS handshake. Default 5 s. */
  readonly connectTimeoutMs?: number
  /** From request sent to response headers received. Default 10 s. */
  readonly headersTimeoutMs?: number
  /** Longest silence while the body streams; the whole call is also capped at the sum of all three. Default 10 s. */
  readonly bodyTimeoutMs?: number
  /** Bytes; a longer response is aborted while streaming. Default 1 MiB. */
  readonly maxResponseBytes?: number
  /** Replaces the verifying agent (tests, a fault proxy). */
  readonly dispatcher?: Dispatcher
  /** Replaces the agent used for providers with `insecureSkipVerify`. */
  readonly insecureDispatcher?: Dispatcher
  /** Also refuse private and loopback addresses (PORTAL_IDP_DENY_PRIVATE). Default false. */
  readonly denyPrivateAddresses?: boolean
  /** The resolver under the address check (tests map names with it). Default dns.lookup. */
  readonly lookup?: LookupFunction
  /** Calls in flight to one provider; more wait. Default 8. */
  readonly maxConcurrentPerProvider?: number
  /** Calls waiting at one provider; more fail at once with stage `overloaded`. Default 32. */
  readonly maxQueuedPerProvider?: number
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface GateRequest {
  readonly method: HttpMethod
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as application/json (RFC 7591 §3.1). */
  readonly json?: unknown
  /** Sent as application/x-www-form-urlencoded (RFC 6749 token, introspection, revocation). */
  readonly form?: Readonly<Record<string, string>>
  /** This call only skips certificate verification (security-checklist §1.7); never the process. */
  readonly insecureSkipVerify?: boolean
  /** The concurrency lane, one per provider (e.g. "identity provider 3"); default the URL's origin. */
  readonly provider?: string
}

export interface GateResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** The parsed JSON body; undefined when the body is empty (e.g. 204). */
  readonly body: unknown
}

// undici is loaded by the first IdP call: a service that only answers reads never needs it (5 MB of heap).
let undici: Promise<typeof import('undici')> | undefined
const loadUndici = async () => await (undici ??= import('undici'))

const JSON_CONTENT_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i
const utf8 = new TextDecoder('utf-8', { fatal: true })

export class HttpGate {
  private readonly connectTimeoutMs: number
  private readonly headersTimeoutMs: number
  private readonly bodyTimeoutMs: number
  private readonly maxResponseBytes: number
  private readonly policy: AddressPolicy
  private readonly lookup: LookupFunction
  readonly limiter: CallLimiter
  private verifying: Dispatcher | undefined
  private insecure: Dispatcher | undefined
  private readonly owned: Agent[] = []

  constructor (private readonly options: HttpGateOptions = {}) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000
    this.headersTimeoutMs = options.headersTimeoutMs ?? 10_000
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000
    this.maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024
    this.policy = { denyPrivate: options.denyPrivateAddresses ?? false }
    this.lookup = guardedLookup(this.policy, options.lookup)
    this.limiter = new CallLimiter({ maxConcurrent: options.maxConcurrentPerProvider, maxQueued: options.maxQueuedPerProvider })
    this.verifying = options.dispatcher
  }

  /** Sends one request; a non-2xx answer, a redirect or any transport failure throws IdpError. */
  async send (call: GateRequest): Promise<GateResponse> {
    const where = `${call.method} ${safeUrl(call.url)}`
    const protocol = URL.canParse(call.url) ? new URL(call.url).protocol : ''
    if (protocol !== 'https:' && protocol !== 'http:') {
      throw new IdpError('unreachable', `Identity provider URL for ${where} is not an absolute http(s) URL`)
    }
    const url = new URL(call.url)
    // A literal IP never reaches the lookup: checked here, before any socket. Names are checked at connect.
    const literal = url.hostname.replace(/^\[|\]$/g, '')
    const reason = net.isIP(literal) !== 0 ? refusalReason(literal, this.policy) : undefined
    if (reason !== undefined) throw forbidden(new ForbiddenAddressError(literal, literal, reason), where)
    const lane = call.provider ?? `identity provider at ${url.origin}`
    return await this.limiter.run(lane, lane.charAt(0).toUpperCase() + lane.slice(1), async () => await this.exchange(call, where))
  }

  private async exchange (call: GateRequest, where: string): Promise<GateResponse> {
    const encoded = encodeBody(call)
    const { request, Agent } = await loadUndici()
    let response: Dispatcher.ResponseData
    try {
      response = await request(call.url, {
        dispatcher: call.insecureSkipVerify === true ? this.insecureDispatcher(Agent) : (this.verifying ??= this.agent(Agent, true)),
        method: call.method,
        headers: { accept: 'application/json', ...encoded.headers, ...call.headers },
        body: encoded.body,
        headersTimeout: this.headersTimeoutMs,
        bodyTimeout: this.bodyTimeoutMs,
        signal: AbortSignal.timeout(this.connectTimeoutMs + this.headersTimeoutMs + this.bodyTimeoutMs)
      })
    } catch (error) {
      throw transportError(error, where)
    }
    const { statusCode: status, headers } = response
    if (status >= 300 && status < 400) {
      discard(response)
      const location = typeof headers.location === 'string' ? ` to ${safeUrl(new URL(headers.location, call.url))}` : ''
      throw new IdpError('redirect', `Identity provider answered ${where} with a redirect (HTTP ${status}${location}); redirects are not followed`, { status })
    }
    const bytes = await this.readBody(response, where)
    const contentType = String(headers['content-type'] ?? '')
    const ok = status >= 200 && status < 300
    if (!ok) throw statusError(status, headers, parseLeniently(bytes, contentType), where, credentialsOf(call))
    return { status, headers, body: bytes.length === 0 ? undefined : parseJson(bytes, contentType, where) }
  }

  async close (): Promise<void> {
    await Promise.all(this.owned.map(async (agent) => await agent.close()))
  }

  private insecureDispatcher (AgentClass: typeof Agent): Dispatcher {
    this.insecure ??= this.options.insecureDispatcher ?? this.agent(AgentClass, false)
    return this.insecure
  }

  private agent (AgentClass: typeof Agent, rejectUnauthorized: boolean): Agent {
    const agent = new AgentClass({
      connect: { timeout: this.connectTimeoutMs, rejectUnauthorized, lookup: this.lookup },
      headersTimeout: this.headersTimeoutMs,
      bodyTimeout: this.bodyTimeoutMs
    })
    this.owned.push(agent)
    return agent
  }

  private async readBody (response: Dispatcher.ResponseData, where: string): Promise<Buffer> {
    const tooLarge = () => new IdpError('too_large', `Identity provider response to ${where} exceeds ${this.maxResponseBytes} bytes`, { status: response.statusCode })
    if (Number(response.headers['content-length']) > this.maxResponseBytes) {
      discard(response)
      throw tooLarge()
    }
    const chunks: Buffer[] = []
    let size = 0
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length
        if (size > this.maxResponseBytes) throw tooLarge() // leaving the loop destroys the stream
        chunks.push(chunk as Buffer)
      }
    } catch (error) {
      if (error instanceof IdpError) throw error
      throw transportError(error, where)
    }
    return Buffer.concat(chunks)
  }
}

/** Drops a body that will not be read; undici reports the abort as an error nobody needs. */
function discard (response: Dispatcher.ResponseData): void {
  response.body.on('error', () => { /* the abort we cause: nobody reads this body */ })
  response.body.destroy()
}

function encodeBody (call: GateRequest): { headers: Record<string, string>; body?: string } {
  if (call.json !== undefined) return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(call.json) }
  if (call.form !== undefined) return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...call.form }).toString() }
  return { headers: {} }
}

function parseJson (bytes: Buffer, contentType: string, where: string): unknown {
  if (!JSON_CONTENT_TYPE.test(contentType)) {
    throw new IdpError('non_json', `Identity provider answered ${where} with ${contentType === '' ? 'no content type' : `content type ${JSON.stringify(contentType.slice(0, 60))}`}, expected JSON`)
  }
  try {
    return secureJson.parse(utf8.decode(bytes), undefined, { protoAction: 'remove', constructorAction: 'remove' })
  } catch {
    throw new IdpError('non_json', `Identity provider answered ${where} with a body that is not valid JSON`)
  }
}

/** An error body is parsed when it can be; a proxy's HTML page is simply not one. */
function parseLeniently (bytes: Buffer, contentType: string): unknown {
  try {
    return bytes.length === 0 ? undefined : parseJson(bytes, contentType, '')
  } catch {
    return undefined
  }
}

function statusError (status: number, headers: GateResponse['headers'], body: unknown, where: string, secrets: string[]): IdpError {
  const oauth = parseOAuthErrorBody(body) ?? parseBearerChallenge(headers['www-authenticate'])
  const retryAfterSeconds = status === 429 || status === 503 ? parseRetryAfter(headers['retry-after']) : undefined
  if (oauth === undefined) {
    return new IdpError('http_error', `Identity provider answered ${where} with HTTP ${status}`, { status, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) })
  }
  const error = scrub(oauth.error, secrets)
  const description = oauth.description === undefined ? undefined : scrub(oauth.description, secrets)
  return new IdpError('oauth_error', `Identity provider answered ${where} with HTTP ${status} ${error}${description === undefined ? '' : `: ${description}`}`, {
    status, oauthError: error, oauthErrorDescription: description, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds })
  })
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; capped at a day, anything else ignored. */
function parseRetryAfter (header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined) return undefined
  const seconds = /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : (Date.parse(value) - Date.now()) / 1000
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(Math.ceil(seconds), 86_400) : undefined
}

/** RFC 6750 §3: `WWW-Authenticate: Bearer error="invalid_token", error_description="…"` without a body. */
function parseBearerChallenge (header: string | string[] | undefined): { error: string; description?: string } | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header ?? ''
  const error = /\berror="([^"]*)"/.exec(text)?.[1]
  return error === undefined || error === '' ? undefined : { error, description: /\berror_description="([^"]*)"/.exec(text)?.[1] }
}

/** The credentials this call carries, so that an IdP that echoes one never gets it into a message. */
function credentialsOf (call: GateRequest): string[] {
  const secrets: string[] = []
  for (const [name, value] of Object.entries(call.headers ?? {})) {
    if (name.toLowerCase() === 'authorization') secrets.push(value, value.replace(/^\S+\s+/, ''))
  }
  for (const source of [call.form, call.json]) {
    const record = (typeof source === 'object' && source !== null ? source : {}) as Record<string, unknown>
    for (const field of ['client_secret', 'registration_access_token', 'token']) {
      if (typeof record[field] === 'string') secrets.push(record[field])
    }
  }
  return secrets
}

const TIMEOUT_CODES: Readonly<Record<string, string>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'headers timeout',
  UND_ERR_BODY_TIMEOUT: 'body timeout',
  ETIMEDOUT: 'connect timeout',
  TimeoutError: 'overall deadline',
  AbortError: 'overall deadline'
}
// Node's OpenSSL verification codes (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, …) and ERR_TLS_/ERR_SSL_.
const TLS_CODE = /CERT|SSL|TLS|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/

function forbidden (error: ForbiddenAddressError, where: string): IdpError {
  return new IdpError('forbidden_address', `Identity provider call ${where} refused: ${error.message}`)
}

function transportError (error: unknown, where: string): IdpError {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    if (current instanceof ForbiddenAddressError) return forbidden(current, where)
    current = (current as { cause?: unknown }).cause
  }
  const codes = errorCodes(error)
  const timeout = codes.find((code) => code in TIMEOUT_CODES)
  if (timeout !== undefined) {
    return new IdpError('timeout', `Identity provider did not answer ${where} in time (${TIMEOUT_CODES[timeout]})`)
  }
  const tls = codes.find((code) => TLS_CODE.test(code))
  if (tls !== undefined) {
    return new IdpError('tls', `TLS with the identity provider failed for ${where} (${tls})`)
  }
  const code = codes.find((candidate) => /^[A-Z_]+$/.test(candidate))
  return new IdpError('unreachable', `Identity provider is unreachable for ${where}${code === undefined ? '' : ` (${code})`}`)
}

/** Codes and names along the cause chain: undici wraps socket errors. */
function errorCodes (error: unknown): string[] {
  const codes: string[] = []
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown }
    if (typeof code === 'string') codes.push(code)
    if (typeof name === 'string') codes.push(name)
    current = cause
  }
  return codes
}
