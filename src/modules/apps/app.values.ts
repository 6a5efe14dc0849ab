// An app's RedirectURLs (tyk-portal-api.md §5.4): comma-separated; each URL checked as the IdP will
// check it at registration (RFC 6749 §3.1.2, RFC 8252 §7, OAuth 2.0 Security BCP §4.1).
import { show } from '../../errors.ts'

export const VISIBILITIES = ['personal', 'team', 'organisation'] as const

// RFC 8252 §7.3: plain http only on the loopback interface.
const LOOPBACK_HOSTS = ['127.0.0.1', '[::1]', 'localhost']
// Schemes that run code or read local files in a browser: never a redirect target.
const FORBIDDEN_SCHEMES = ['javascript:', 'data:', 'file:', 'vbscript:']
// RFC 8252 §7.1: a private-use scheme is a reverse domain name, so it contains a dot (com.example.app).
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/

/** The URLs of a comma-separated string, trimmed, order kept; each bad item named in `problems`. */
export function parseRedirectUrls (input: string, problems: string[]): string[] {
  if (input.trim() === '') return []
  const urls: string[] = []
  input.split(',').forEach((raw, index) => {
    const url = raw.trim()
    if (url === '') {
      problems.push(`RedirectURLs has an empty item at position ${index + 1} in ${show(input)}`)
      return
    }
    const problem = checkRedirectUrl(url)
    if (problem !== undefined) problems.push(`RedirectURLs has a URL that ${problem}, got ${show(url)}`)
    else if (urls.includes(url)) problems.push(`RedirectURLs lists ${show(url)} more than once`)
    else urls.push(url)
  })
  return urls
}

function checkRedirectUrl (raw: string): string | undefined {
  if (raw.length > 2048) return 'is longer than 2048 characters'
  // OAuth 2.0 Security BCP §4.1.3: redirect URIs are compared exactly; many IdPs read "*" as a pattern.
  if (raw.includes('*')) return 'contains a wildcard (*): list every redirect URI in full, as the IdP compares them exactly (OAuth 2.0 Security BCP §4.1.3)'
  if (!URL.canParse(raw)) return 'is not an absolute URL'
  const url = new URL(raw)
  const scheme = url.protocol.toLowerCase()
  if (FORBIDDEN_SCHEMES.includes(scheme)) return `uses the forbidden scheme ${show(scheme.slice(0, -1))}`
  // RFC 6749 §3.1.2: the redirection endpoint URI must not include a fragment (a bare "#" counts).
  if (raw.includes('#')) return 'contains a fragment (#), which RFC 6749 §3.1.2 forbids'
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?]*@/i.test(raw)) return 'contains a user name or password'
  if (scheme === 'https:') return undefined
  if (scheme === 'http:') {
    return LOOPBACK_HOSTS.includes(url.hostname) ? undefined : 'uses http with a host other than 127.0.0.1, [::1] or localhost (use https)'
  }
  if (PRIVATE_USE_SCHEME.test(scheme)) return undefined
  return `uses the scheme ${show(scheme.slice(0, -1))}: use https, http on a loopback host, or a reverse-domain scheme such as com.example.app (RFC 8252 §7.1)`
}
