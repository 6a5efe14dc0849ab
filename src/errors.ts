// One error model for the whole service: code throws AppError with a code that names the reason and
// human-readable messages that name the field and the value. HTTP_STATUS below is the one table from
// reasons to statuses; src/http/error-handler.ts writes every error (a route may declare, in its config,
// the status and envelope Tyk answers there for a body that breaks a rule).

export type ErrorCode =
  | 'malformed_request' // the request cannot be read: JSON, query parameters, headers
  | 'invalid_input' // the body (the resource as sent) breaks a rule; Tyk answers 422 on some routes
  | 'not_supported' // the provider's type cannot do this (no in-place rotation, no API token)
  | 'conflict_in_use' // still used by a product or credential: Tyk answers 400 (tyk-portal-api.md §7)
  | 'unauthenticated' // no or a wrong admin token
  | 'not_found' // also for malformed ids
  | 'conflict_taken' // a unique name or scope already belongs to another resource
  | 'conflict_busy' // the same work is in flight (an Idempotency-Key), or its outcome is still unknown
  | 'conflict_unmanageable' // the IdP no longer accepts the portal's token for this client
  | 'precondition_failed' // If-Match does not match the resource's current ETag
  | 'invalid_state' // the resource's state forbids the action (not pending, already rejected, gone)
  | 'idempotency_key_reused' // the same Idempotency-Key with another request
  | 'idp_refused' // the IdP refused the registration for a reason an admin can act on (Tyk: 422)
  | 'idp_unreachable' // no connection to the IdP (DNS, refused, reset, TLS)
  | 'idp_failed' // the IdP answered badly, or the call was refused before it was sent
  | 'idp_timeout'
  | 'rate_limited' // too many of these from one address or for one provider in a window (with Retry-After)
  | 'overloaded' // too many requests in flight, or an IdP's call queue is full (with Retry-After)
  | 'unavailable' // the service cannot answer now (database down)

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  malformed_request: 400,
  invalid_input: 400,
  not_supported: 400,
  conflict_in_use: 400,
  unauthenticated: 401,
  not_found: 404,
  conflict_taken: 409,
  conflict_busy: 409,
  conflict_unmanageable: 409,
  precondition_failed: 412,
  invalid_state: 422,
  idempotency_key_reused: 422,
  idp_refused: 422,
  idp_unreachable: 502,
  idp_failed: 502,
  idp_timeout: 504,
  rate_limited: 429,
  overloaded: 503,
  unavailable: 503
}

export class AppError extends Error {
  readonly messages: readonly string[]
  /** Sent as the Retry-After header (seconds); 'overloaded' answers always carry one (default 1). */
  readonly retryAfterSeconds?: number

  constructor (readonly code: ErrorCode, messages: string | readonly string[], options: { readonly retryAfterSeconds?: number } = {}) {
    const list = typeof messages === 'string' ? [messages] : messages
    super(list.join('; '))
    this.name = 'AppError'
    this.messages = list
    this.retryAfterSeconds = options.retryAfterSeconds ?? (code === 'overloaded' ? 1 : undefined)
  }
}

/** A value as it appears in an error message: JSON, cut short past `limit` characters so that a huge input stays readable. */
export function show (value: unknown, limit = 64): string {
  const text = JSON.stringify(value) ?? String(value)
  if (text.length <= limit) return text
  const size = typeof value === 'string' ? `${value.length} characters` : `${text.length} characters of JSON`
  return `${text.slice(0, limit - 16)}… (${size})`
}
