// The sign-in and consent pages of the embedded IdP (issue 12), through oidc-provider's interaction API
// (docs/README.md "interactions"): /auth sends the browser to /interaction/<uid>; the page's form posts
// back here; the result goes to the provider (interactionResult) and the browser back to /auth/<uid>.
//
// Forged posts: oidc-provider finds the interaction by its own signed, SameSite=Lax, http-only cookie
// (never by the URL), so a post made from another site, or in a browser that did not start this
// interaction, finds none. Each form also carries a token only the page shows: an HMAC of the
// interaction id under the IdP's cookie key; a post without it is refused even with the cookie.
import { createHmac } from 'node:crypto'
import type http from 'node:http'
import type { Logger } from 'pino'
import type { Db } from '../db/database.ts'
import { findInvitation, readSignUpPolicy, spendInvitation } from '../db/sign-up.ts'
import { AppError, HTTP_STATUS } from '../errors.ts'
import type { RateLimit } from '../shared/rate-limit.ts'
import { sameSecret } from '../shared/same-secret.ts'
import type { Clock } from '../shared/time.ts'
import { USERNAME_MAX, usernameKey, type IdpAccounts } from './accounts.ts'
import type { KoaContext, KoaMiddleware } from './koa-context.ts'
import { consentBody, loginBody, messageBody, sendPage, signUpBody } from './pages.ts'

/** The one answer to every failed sign-in (OWASP Authentication Cheat Sheet: no hint of which part was wrong). */
export const LOGIN_FAILED = 'The username or password is incorrect, or there were too many attempts. Please try again.'
const EXPIRED = 'This sign-in request has expired or was started in another browser. Go back to the application and sign in again.'
const FORM_LIMIT_BYTES = 16 * 1024

interface InteractionDetails {
  readonly uid: string
  readonly prompt: { readonly name: string; readonly details: PromptDetails }
  readonly params: Readonly<Record<string, unknown>>
  readonly session?: { readonly accountId: string }
  readonly grantId?: string
}
interface PromptDetails {
  readonly missingOIDCScope?: readonly string[]
  readonly missingOIDCClaims?: readonly string[]
  readonly missingResourceScopes?: Readonly<Record<string, readonly string[]>>
}
interface Grant {
  addOIDCScope(scope: string): void
  addOIDCClaims(claims: readonly string[]): void
  addResourceScope(indicator: string, scope: string): void
  save(): Promise<string>
}

/** The parts of oidc-provider's Provider the interactions use. */
export interface InteractionProvider {
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<InteractionDetails>
  interactionResult(req: http.IncomingMessage, res: http.ServerResponse, result: object, options: { mergeWithLastSubmission: boolean }): Promise<string>
  readonly Grant: (new (properties: { accountId: string; clientId: string }) => Grant) & { find(id: string): Promise<Grant | undefined> }
  readonly Client: { find(id: string): Promise<{ readonly clientId: string; readonly clientName?: string } | undefined> }
}

export interface InteractionDeps {
  readonly accounts: IdpAccounts
  /** Signs the per-interaction form token. */
  readonly csrfKey: string
  /** Failed sign-ins per address, and per account (by username, whether or not it exists). */
  readonly failuresPerAddress: RateLimit
  readonly failuresPerAccount: RateLimit
  /** Accounts created per address (issue 13: sign-up); past it, 429 until the window ends. */
  readonly signUpsPerAddress: RateLimit
  /** The sign-up policy and the invitations (src/db/sign-up.ts). */
  readonly db: Db
  readonly now: Clock
  readonly logger: Pick<Logger, 'error'>
}

const INVITATION_REFUSED = 'invitation code is not valid: it may be mistyped, expired or already used; ask an admin for a new one'
const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|confirm|abort|register))?$/

export function interactionRoutes (provider: InteractionProvider, deps: InteractionDeps): KoaMiddleware {
  const csrfFor = (uid: string): string => createHmac('sha256', deps.csrfKey).update(`interaction-csrf:${uid}`).digest('base64url')

  return async (ctx, next) => {
    const match = ROUTE.exec(ctx.path)
    if (match === null) return await next()
    const [, uid = '', action] = match
    const allowed = action === undefined ? ['GET'] : action === 'register' ? ['GET', 'POST'] : ['POST']
    if (!allowed.includes(ctx.method)) {
      ctx.set('allow', allowed.join(', '))
      return sendPage(ctx, 405, 'Method not allowed', messageBody(`Use ${allowed.join(' or ')} here.`))
    }
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res)
      // The cookie names the interaction; the URL must name the same one.
      if (details.uid !== uid) return sendPage(ctx, 400, 'Sign-in expired', messageBody(EXPIRED))
      if (action === undefined) return await showPrompt(ctx, details)
      if (action === 'register' && ctx.method === 'GET') return await showSignUp(ctx, details, 200, {}, [])
      const form = await readForm(ctx.req)
      if (form === undefined || !sameSecret(form.get('csrf') ?? '', csrfFor(uid))) {
        return sendPage(ctx, 403, 'Form expired', messageBody('This form was not sent from its page, or is too old. Go back to the application and sign in again.'))
      }
      if (action === 'login') return await login(ctx, details, form)
      if (action === 'register') return await signUp(ctx, details, form)
      if (details.prompt.name !== 'consent' || details.session === undefined) return await showPrompt(ctx, details)
      const result = action === 'abort'
        ? { error: 'access_denied', error_description: 'the user denied the request' }
        : { consent: await grantConsent(details, details.session.accountId) }
      return finish(ctx, await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true }))
    } catch (error) {
      if ((error as { name?: unknown }).name === 'SessionNotFound') return sendPage(ctx, 400, 'Sign-in expired', messageBody(EXPIRED))
      deps.logger.error({ err: error }, 'embedded IdP: interaction failed')
      return sendPage(ctx, 500, 'Something went wrong', messageBody('The sign-in could not continue. Go back to the application and try again.'))
    }
  }

  async function showPrompt (ctx: KoaContext, details: InteractionDetails, status = 200, error?: string, username?: string): Promise<void> {
    const clientName = await clientNameOf(details)
    const base = `/interaction/${details.uid}`
    const csrf = csrfFor(details.uid)
    if (details.prompt.name === 'consent' && details.session !== undefined) {
      const account = await deps.accounts.findActive(details.session.accountId)
      const scopes = typeof details.params.scope === 'string' ? details.params.scope.split(' ').filter((scope) => scope !== '') : []
      return sendPage(ctx, status, 'Allow access?', consentBody({ confirm: `${base}/confirm`, abort: `${base}/abort`, csrf, clientName, username: account?.username ?? '', scopes }))
    }
    // Every other prompt (login, and consent without a session) starts with signing in.
    const signUpOpen = await readSignUpPolicy(deps.db) !== 'invitation' || typeof details.params.invitation === 'string'
    sendPage(ctx, status, 'Sign in', loginBody({
      action: `${base}/login`, csrf, clientName, ...(username === undefined ? {} : { username }), ...(error === undefined ? {} : { error }), ...(signUpOpen ? { signUp: `${base}/register` } : {})
    }))
  }

  async function showSignUp (ctx: KoaContext, details: InteractionDetails, status: number, values: Record<string, string>, errors: readonly string[], invitedEmail?: string): Promise<void> {
    const policy = await readSignUpPolicy(deps.db)
    const invitation = values.invitation ?? (typeof details.params.invitation === 'string' ? details.params.invitation : undefined)
    sendPage(ctx, status, 'Create an account', signUpBody({
      action: `/interaction/${details.uid}/register`,
      csrf: csrfFor(details.uid),
      clientName: await clientNameOf(details),
      values: { ...values, ...(invitation === undefined ? {} : { invitation }) },
      needsInvitation: policy === 'invitation' && typeof details.params.invitation !== 'string',
      errors,
      ...(invitedEmail === undefined ? {} : { invitedEmail }),
      ...(policy === 'approval' ? { note: 'An admin approves new accounts before they can use the developer portal.' } : {})
    }))
  }

  /** Issue 13 item 2: an account made here, under the portal's sign-up policy; then signed in. */
  async function signUp (ctx: KoaContext, details: InteractionDetails, form: URLSearchParams): Promise<void> {
    const values = { username: form.get('username') ?? '', name: form.get('name') ?? '', email: form.get('email') ?? '', invitation: form.get('invitation') ?? '' }
    const wait = deps.signUpsPerAddress.blocked(ctx.ip)
    if (wait !== undefined) {
      ctx.set('retry-after', String(wait))
      return await showSignUp(ctx, details, 429, values, [`too many accounts were created from this address: retry in ${wait} s`])
    }
    const policy = await readSignUpPolicy(deps.db)
    const invitation = values.invitation === '' ? undefined : await findInvitation(deps.db, values.invitation, deps.now())
    if ((policy === 'invitation' || values.invitation !== '') && invitation === undefined) return await showSignUp(ctx, details, 403, values, [INVITATION_REFUSED])
    let account
    try {
      // An invitation's address is the one an admin invited: verified (OpenID Connect Core §5.1), so it claims that portal user.
      account = await deps.accounts.create({
        username: values.username, name: values.name, email: invitation?.email ?? (values.email === '' ? null : values.email), emailVerified: invitation !== undefined, password: form.get('password') ?? ''
      })
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      return await showSignUp(ctx, details, HTTP_STATUS[error.code], values, error.messages, invitation?.email)
    }
    deps.signUpsPerAddress.take(ctx.ip)
    if (invitation !== undefined && !await spendInvitation(deps.db, invitation.id, account.id, deps.now())) {
      // Spent meanwhile by another sign-up: this account may not stay.
      await deps.accounts.remove(account.id)
      return await showSignUp(ctx, details, 403, values, [INVITATION_REFUSED])
    }
    finish(ctx, await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false }))
  }

  async function login (ctx: KoaContext, details: InteractionDetails, form: URLSearchParams): Promise<void> {
    const username = form.get('username') ?? ''
    const password = form.get('password') ?? ''
    // Cut to one character past any valid username, so that junk names cannot grow the limiter's keys.
    const accountKey = usernameKey(username.slice(0, USERNAME_MAX + 1))
    const wait = Math.max(deps.failuresPerAddress.blocked(ctx.ip) ?? 0, deps.failuresPerAccount.blocked(accountKey) ?? 0)
    if (wait > 0) {
      ctx.set('retry-after', String(wait))
      return await showPrompt(ctx, details, 429, LOGIN_FAILED, username)
    }
    const account = await deps.accounts.authenticate(username, password)
    if (account === undefined) {
      deps.failuresPerAddress.take(ctx.ip)
      deps.failuresPerAccount.take(accountKey)
      // 403, not 401: the credentials were refused, and there is no HTTP authentication scheme to offer (RFC 9110 §15.5.2).
      return await showPrompt(ctx, details, 403, LOGIN_FAILED, username)
    }
    finish(ctx, await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false }))
  }

  async function grantConsent (details: InteractionDetails, accountId: string): Promise<{ grantId?: string }> {
    // oidc-provider's documented consent step: add what the prompt says is missing to the grant.
    const grant = details.grantId === undefined
      ? new provider.Grant({ accountId, clientId: String(details.params.client_id) })
      : await provider.Grant.find(details.grantId)
    if (grant === undefined) throw Object.assign(new Error('grant not found'), { name: 'SessionNotFound' })
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details
    if (missingOIDCScope !== undefined) grant.addOIDCScope(missingOIDCScope.join(' '))
    if (missingOIDCClaims !== undefined) grant.addOIDCClaims(missingOIDCClaims)
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '))
    const grantId = await grant.save()
    return details.grantId === undefined ? { grantId } : {}
  }

  async function clientNameOf (details: InteractionDetails): Promise<string> {
    const client = await provider.Client.find(String(details.params.client_id))
    return client?.clientName ?? client?.clientId ?? 'the application'
  }
}

/** 303: the browser follows with a GET to /auth/<uid> (RFC 9110 §15.4.4). */
function finish (ctx: KoaContext, returnTo: string): void {
  ctx.status = 303
  ctx.redirect(returnTo)
}

/** An urlencoded form body of at most FORM_LIMIT_BYTES, else undefined. */
async function readForm (req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
  if (req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return undefined
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > FORM_LIMIT_BYTES) return undefined
    chunks.push(chunk as Buffer)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}
