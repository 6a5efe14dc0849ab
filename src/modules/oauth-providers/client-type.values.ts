// The value lists of a client type and the parsing of Tyk's CSV fields (design.md §2, RFC 7591 §2).
import { show } from '../../errors.ts'

// Tyk's enum, with its documented typo `it_token` read as `id_token` (tyk-portal-api.md §9.1).
export const RESPONSE_TYPES = ['code', 'token', 'id_token', 'none'] as const
export const RESPONSE_TYPE_ALIASES: Readonly<Record<string, string>> = { it_token: 'id_token' }
// `pkce` is Tyk's, not an RFC grant: authorization_code with PKCE required (drivers translate it).
export const GRANT_TYPES = ['authorization_code', 'pkce', 'client_credentials', 'device_code', 'refresh_token', 'password', 'implicit'] as const
// Tyk's two methods plus RFC 7591 `none` for public clients.
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const
export const OKTA_APP_TYPES = ['web', 'native', 'browser', 'service'] as const

/**
 * Reads a CSV string or an array of strings into a list of known values, order preserved.
 * Items are trimmed; empty, unknown (case-sensitive, RFC 7591 §1.1) and repeated items are each
 * named in `problems`. Returns the canonical list (aliases resolved).
 */
export function parseValueList (
  field: string,
  input: string | readonly string[],
  allowed: readonly string[],
  problems: string[],
  aliases: Readonly<Record<string, string>> = {}
): string[] {
  const items = typeof input === 'string' ? input.split(',') : input
  if (items.every((item) => item.trim() === '')) {
    problems.push(`${field} must list at least one value, got ${show(input)}`)
    return []
  }
  const values: string[] = []
  items.forEach((raw, index) => {
    const item = raw.trim()
    const value = aliases[item] ?? item
    if (item === '') {
      problems.push(`${field} has an empty item at position ${index + 1} in ${show(input)}`)
    } else if (!allowed.includes(value)) {
      problems.push(`${field} has an unknown value ${show(item)} (allowed, case-sensitive: ${allowed.join(', ')})`)
    } else if (values.includes(value)) {
      problems.push(`${field} lists ${show(value)} more than once in ${show(input)}`)
    } else {
      values.push(value)
    }
  })
  return values
}
