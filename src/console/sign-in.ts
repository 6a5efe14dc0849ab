// Signing people in to the console (issue 12): OpenID Connect authorization code + PKCE with
// openid-client, against the embedded IdP by default or any issuer named in configuration. Every call to
// the provider goes through the one outbound gate (src/dcr/http-gate.ts). Between the redirect and the
// callback, the state, nonce and PKCE verifier travel sealed in a short-lived cookie: nothing is stored
// for a visitor who never comes back.
import * as oidc from 'openid-client'
import { AppError } from '../errors.ts'
import { IdpError, type HttpGate, type HttpMethod } from '../dcr/index.ts'
import type { SecretBox } from '../shared/secret-box.ts'
import type { Clock } from '../shared/time.ts'
import type { SignedInPerson } from '../modules/users/user.service.ts'
import type { Person } from './sessions.ts'

export interface SignInOptions {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string | undefined
  /** The console's callback and where the identity provider sends the browser after signing out. */
  readonly redirectUri: string
  readonly postLogoutRedirectUri: string
  /** The claim that makes an admin (PORTAL_CONSOLE_ADMIN_CLAIM). */
  readonly adminClaim: { readonly name: string; readonly value: string }
  readonly gate: HttpGate
  readonly box: SecretBox
  readonly now: Clock
}

/** What the sign-in cookie carries, sealed. */
interface Pending { readonly state: string; readonly nonce: string; readonly verifier: string; readonly returnTo: string; readonly expires: number }

export const SIGN_IN_TTL_MS = 10 * 60_000
const SEAL_CONTEXT = 'console sign-in cookie'
const SCOPE = 'openid profile email groups'

export class OidcSignIn {
  private configuration: Promise<oidc.Configuration> | undefined

  constructor (private readonly options: SignInOptions) {}

  /**
   * The identity provider's authorization URL, and the sealed value of the sign-in cookie. `extra`: more
   * authorization parameters (OpenID Connect Core §3.1.2.1 `prompt`; the embedded IdP's `invitation`).
   */
  async begin (returnTo: string, extra: Readonly<Record<string, string>> = {}): Promise<{ readonly url: string; readonly cookie: string }> {
    const config = await this.discovered()
    const pending: Pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      returnTo: safeReturnTo(returnTo),
      expires: this.options.now().getTime() + SIGN_IN_TTL_MS
    }
    const url = oidc.buildAuthorizationUrl(config, {
      ...extra,
      redirect_uri: this.options.redirectUri,
      scope: SCOPE,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256'
    })
    return { url: url.href, cookie: this.options.box.seal(JSON.stringify(pending), SEAL_CONTEXT) }
  }

  /** Checks the callback against the cookie (state, nonce, PKCE) and redeems the code. */
  async finish (callbackUrl: URL, cookie: string | undefined): Promise<{ readonly person: Person; readonly identity: SignedInPerson; readonly idToken: string; readonly returnTo: string }> {
    const pending = this.opened(cookie)
    const config = await this.discovered()
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true
    })
    const claims = tokens.claims()
    if (claims === undefined || tokens.id_token === undefined) throw new AppError('idp_failed', 'the identity provider answered no ID token')
    const username = stringClaim(claims.preferred_username) ?? stringClaim(claims.email) ?? claims.sub
    const subject = `${claims.iss} ${claims.sub}`
    const name = stringClaim(claims.name) ?? username
    // OpenID Connect Core §5.1's standard claims, for the portal user a developer becomes (Tyk's First and Last, at most 255 characters).
    const first = (stringClaim(claims.given_name) ?? name).slice(0, 255)
    const last = (stringClaim(claims.family_name) ?? '').slice(0, 255)
    return {
      person: { subject, username, name, isAdmin: this.isAdmin(claims) },
      identity: { subject, email: stringClaim(claims.email), emailVerified: claims.email_verified === true, first, last },
      idToken: tokens.id_token,
      returnTo: pending.returnTo
    }
  }

  /** RP-Initiated Logout 1.0 §2: where to send the browser so that the provider ends its session too. */
  async signOutUrl (idToken: string | undefined): Promise<string> {
    const config = await this.discovered().catch(() => undefined)
    if (config?.serverMetadata().end_session_endpoint === undefined) return this.options.postLogoutRedirectUri
    return oidc.buildEndSessionUrl(config, {
      post_logout_redirect_uri: this.options.postLogoutRedirectUri,
      ...(idToken === undefined ? {} : { id_token_hint: idToken })
    }).href
  }

  private isAdmin (claims: oidc.IDToken): boolean {
    const value = claims[this.options.adminClaim.name]
    return value === this.options.adminClaim.value || (Array.isArray(value) && value.includes(this.options.adminClaim.value))
  }

  private opened (cookie: string | undefined): Pending {
    let pending: Pending | undefined
    try {
      pending = cookie === undefined ? undefined : JSON.parse(this.options.box.open(cookie, SEAL_CONTEXT)) as Pending
    } catch {
      pending = undefined
    }
    if (pending === undefined || pending.expires < this.options.now().getTime()) {
      throw new AppError('invalid_state', 'this sign-in has expired or was started in another browser: sign in again')
    }
    return pending
  }

  /** Discovered once; a failure is not kept, so the next sign-in tries again. */
  private async discovered (): Promise<oidc.Configuration> {
    this.configuration ??= this.discover()
    try {
      return await this.configuration
    } catch (error) {
      this.configuration = undefined
      throw error
    }
  }

  private async discover (): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret, gate } = this.options
    const options: oidc.DiscoveryRequestOptions = {
      [oidc.customFetch]: throughGate(gate),
      // The embedded IdP, or a development issuer, on plain http (config.ts accepts http issuers).
      ...(issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {})
    }
    return await oidc.discovery(new URL(issuer), clientId, clientSecret, undefined, options)
  }
}

/** Where the identity provider sends the browser back: registered at the provider, used at sign-in and sign-out. */
export function consoleRedirects (publicUrl: string): { readonly redirectUri: string; readonly postLogoutRedirectUri: string } {
  return { redirectUri: `${publicUrl}/console/callback`, postLogoutRedirectUri: `${publicUrl}/console/signed-out` }
}

/** A path of the console or of the developer portal only: never an open redirect (OWASP Unvalidated Redirects). */
export function safeReturnTo (value: string): string {
  return /^\/(?:console|portal)(?:[/?#]|$)/.test(value) && !value.includes('\\') ? value : '/console/'
}

/** Whether a sign-in returns to the developer portal: then the person becomes a portal user (issue 13 item 2). */
export function returnsToPortal (returnTo: string): boolean {
  return /^\/portal(?:[/?#]|$)/.test(returnTo)
}

function stringClaim (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** openid-client's fetch, answered by the gate: its timeouts, size cap, address policy and no redirects. */
function throughGate (gate: HttpGate): oidc.CustomFetch {
  return async (url, options) => {
    const headers = Object.fromEntries(new Headers(options.headers as HeadersInit))
    const form = options.body instanceof URLSearchParams ? Object.fromEntries(options.body) : undefined
    try {
      const answer = await gate.send({ method: options.method as HttpMethod, url, headers, ...(form === undefined ? {} : { form }), provider: 'console sign-in' })
      return Response.json(answer.body ?? null, { status: answer.status })
    } catch (error) {
      // An OAuth error answer goes back to openid-client as an answer, so that it reports it as one.
      if (error instanceof IdpError && error.status !== undefined && error.oauthError !== undefined) {
        return Response.json({ error: error.oauthError, error_description: error.oauthErrorDescription }, { status: error.status })
      }
      throw error
    }
  }
}
