// One error model for the whole service: domain code throws AppError with a code and human-readable
// messages that name the field and the value; src/http/error-handler.ts maps codes to HTTP once.

export type ErrorCode =
  | 'invalid' // 400: the request breaks a rule (validation)
  | 'in_use' // 400: Tyk answers 400 when a provider or client type is still used (tyk-portal-api.md §7)
  | 'unauthorized' // 401
  | 'not_found' // 404, also for malformed ids
  | 'conflict' // 409: a unique name taken
  | 'precondition_failed' // 412: If-Match does not match the resource's current ETag
  | 'unprocessable' // 422: Tyk answers 422 for invalid product, plan and app bodies (tyk-portal-api.md §5)
  | 'too_large' // 413
  | 'unsupported_media_type' // 415
  | 'idp_failed' // 502: the identity provider answered badly or not at all
  | 'idp_timeout' // 504
  | 'unavailable' // 503: the service cannot answer now (database down, shutting down)
  | 'overloaded' // 503 with Retry-After: too many requests in flight, or an IdP's call queue is full

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid: 400,
  in_use: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  unprocessable: 422,
  too_large: 413,
  unsupported_media_type: 415,
  idp_failed: 502,
  idp_timeout: 504,
  unavailable: 503,
  overloaded: 503
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

/** A value as it appears in an error message: JSON, cut short so that a huge input stays readable. */
export function show (value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  if (text.length <= 64) return text
  const size = typeof value === 'string' ? `${value.length} characters` : `${text.length} characters of JSON`
  return `${text.slice(0, 48)}… (${size})`
}
