// The one error every IdP call throws: a stage that says what went wrong, the IdP's OAuth error when it
// sent one, and a message that names the URL (origin and path only) and never a credential.
import { AppError, type ErrorCode } from '../errors.ts'

export type IdpFailureStage =
  | 'unreachable' // DNS, connection refused or reset
  | 'timeout' // connect, headers or body took too long (→ 504)
  | 'tls' // certificate verification or handshake failed
  | 'redirect' // a 3xx: never followed (OIDC Discovery §7.2, RFC 9700 §4.11)
  | 'non_json' // not application/json, or a body that does not parse
  | 'too_large' // the response exceeded the size cap
  | 'oauth_error' // non-2xx with an RFC 6749 §5.2 / RFC 7591 §3.2.2 error body (or Okta's variant)
  | 'http_error' // any other non-2xx
  | 'issuer_mismatch' // discovery document for another issuer (OIDC Discovery §4.3, RFC 8414 §3.3)
  | 'invalid_metadata' // discovery document unusable (not an object, bad or missing endpoint)
  | 'invalid_response' // a 2xx that breaks the protocol (no client_id, client_id changed, foreign URI)
  | 'forbidden_address' // the URL's host is (or resolves to) a refused address; nothing was sent
  | 'overloaded' // the provider's call queue is full (→ 503 + Retry-After); nothing was sent

export interface IdpErrorDetails {
  readonly status?: number
  readonly oauthError?: string
  readonly oauthErrorDescription?: string
  /** The IdP's own Retry-After (RFC 9110 §10.2.3) on a 429 or 503, in seconds. */
  readonly retryAfterSeconds?: number
}

export class IdpError extends AppError {
  readonly status?: number
  readonly oauthError?: string
  readonly oauthErrorDescription?: string

  constructor (readonly stage: IdpFailureStage, message: string, details: IdpErrorDetails = {}) {
    super(codeOf(stage), message,
      details.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: details.retryAfterSeconds })
    this.name = 'IdpError'
    this.status = details.status
    this.oauthError = details.oauthError
    this.oauthErrorDescription = details.oauthErrorDescription
  }
}

function codeOf (stage: IdpFailureStage): ErrorCode {
  switch (stage) {
    case 'timeout': return 'idp_timeout'
    case 'overloaded': return 'overloaded'
    case 'unreachable': case 'tls': return 'idp_unreachable'
    default: return 'idp_failed'
  }
}

/**
 * Whether a failed management call can never succeed when repeated as is (issue 10 item 4): a refusal (a 4xx
 * other than 408, 425 and 429), a client the IdP offers no management for, a call the driver cannot make.
 */
export function cannotSucceedOnRetry (error: unknown): boolean {
  if (error instanceof IdpError) {
    if (['invalid_response', 'forbidden_address', 'redirect'].includes(error.stage)) return true
    const status = error.status ?? 0
    return status >= 400 && status < 500 && ![408, 425, 429].includes(status)
  }
  return error instanceof AppError && error.code === 'not_supported'
}

/** A URL as it may appear in a message: origin and path, never the query, fragment or userinfo. */
export function safeUrl (url: string | URL): string {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

export interface OAuthErrorBody {
  readonly error: string
  readonly description?: string
}

const MAX_IDP_TEXT = 300

/**
 * The IdP's error from a JSON error body: RFC 6749 §5.2 / RFC 7591 §3.2.2 `{error, error_description}`,
 * or Okta's management API `{errorCode, errorSummary, errorCauses: [{errorSummary}]}`.
 */
export function parseOAuthErrorBody (body: unknown): OAuthErrorBody | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const record = body as Record<string, unknown>
  if (typeof record.error === 'string' && record.error !== '') {
    return { error: clip(record.error), description: optionalText(record.error_description) }
  }
  if (typeof record.errorCode === 'string' && record.errorCode !== '') {
    const causes = Array.isArray(record.errorCauses) ? record.errorCauses.map((cause) => optionalText((cause as { errorSummary?: unknown } | null)?.errorSummary)) : []
    const description = [optionalText(record.errorSummary), ...causes].filter((text) => text !== undefined).join(' — ')
    return { error: clip(record.errorCode), description: description === '' ? undefined : clip(description) }
  }
  return undefined
}

/** Text the IdP chose, made safe for a message: one line, short, with known credentials blanked out. */
export function scrub (text: string, secrets: readonly string[]): string {
  let clean = text
  for (const secret of secrets) if (secret.length >= 4) clean = clean.split(secret).join('[redacted]')
  return clip(clean)
}

function optionalText (value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? clip(value) : undefined
}

function clip (text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters from a remote body are dropped
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return line.length <= MAX_IDP_TEXT ? line : `${line.slice(0, MAX_IDP_TEXT)}…`
}
