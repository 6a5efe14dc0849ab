// Scopes of products (`Scopes`) and plans (`JWTScope`): comma or space separated on input (Tyk's docs
// say both, tyk-portal-api.md §9.13), each an RFC 6749 §3.3 scope-token; answered as canonical CSV.
import { show } from '../../errors.ts'

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): printable ASCII but space, " and \.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/** The scopes of a CSV or space-separated string, order kept; each bad item named in `problems`. */
export function parseScopes (field: string, input: string, problems: string[]): string[] {
  const text = input.trim()
  if (text === '') return []
  const scopes: string[] = []
  text.split(/\s*,\s*|\s+/).forEach((scope, index) => {
    if (scope === '') {
      problems.push(`${field} has an empty item at position ${index + 1} in ${show(input)}`)
    } else if (!SCOPE_TOKEN.test(scope)) {
      problems.push(`${field} has an invalid scope ${show(scope)} (RFC 6749 §3.3: printable ASCII except space, " and \\)`)
    } else if (scopes.includes(scope)) {
      problems.push(`${field} lists ${show(scope)} more than once in ${show(input)}`)
    } else {
      scopes.push(scope)
    }
  })
  return scopes
}
