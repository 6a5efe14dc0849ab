// The Fastify glue of the admin console (issue 12) and of the developer portal (issue 13), two doors built
// alike: security headers, the form parser, sessions, a guard per page's audience (an admin; an active
// portal user), CSRF, and errors as pages. One sign-in serves both (/console/sign-in and /console/callback).
// Pages call the same services as /portal-api, validate forms with the same schemas through the same
// compiler and messages, and show what the API would answer, in words.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Static, TSchema } from 'typebox'
import { AppError, HTTP_STATUS } from '../errors.ts'
import { describeValidation } from '../http/error-handler.ts'
import type { Actor } from '../shared/actor.ts'
import { isAdminRole } from '../modules/organisations/member.record.ts'
import type { Developer } from '../modules/developers/developer.service.ts'
import type { UserService } from '../modules/users/user.service.ts'
import { parsePage, type Page as ListPage } from '../shared/pagination.ts'
import { assertIfMatch, etagOf, type WriteContext } from '../shared/precondition.ts'
import { Html, h, render } from './html.ts'
import { Page, type Audience } from './layout.tsx'
import { sameCsrfToken, type Session, type Sessions } from './sessions.ts'
import { returnsToPortal, safeReturnTo, SIGN_IN_TTL_MS, type OidcSignIn } from './sign-in.ts'
import { ASSETS } from './assets.ts'

export interface ConsoleOptions {
  readonly sessions: Sessions
  /** Undefined: no identity provider to sign in with (PORTAL_EMBEDDED_IDP=false and no PORTAL_CONSOLE_OIDC_ISSUER). */
  readonly signIn: OidcSignIn | undefined
  /** The API port as browsers reach it (PORTAL_PUBLIC_URL). */
  readonly publicUrl: string
  /** The identity provider's origin: the sign-out form's answer redirects there (CSP form-action). */
  readonly issuerOrigin: string | undefined
  /** This door's: the console (admin, at /console, which also serves the sign-in) or the developer portal (developer, at /portal). */
  readonly audience: Audience
  /** Its pages, each for this audience. */
  readonly pages: readonly ConsolePage[]
  /** The portal users developers sign in as (issue 13 item 2). */
  readonly users: Pick<UserService, 'findBySubject' | 'signIn'>
}

/** What a page handler is given: the request's parts it may read, and who acts. */
export interface PageContext {
  readonly session: Session
  readonly params: Readonly<Record<string, string>>
  readonly query: Readonly<Record<string, string | undefined>>
  /** The posted form (POST pages only). */
  readonly form: URLSearchParams
  readonly actor: Actor
  /** A form-built body checked against an API schema (the same messages as the API's 400), typed by it. */
  validated<T extends TSchema>(schema: T, body: unknown): Static<T>
}

/** A page answers markup, or sends the browser on (303 after a change, Post/Redirect/Get). */
export type PageAnswer = Html | { readonly redirect: string; readonly notice?: NoticeCode } | { readonly status: number; readonly page: Html } | { readonly json: unknown }

/** What a developer page is given besides: the portal user the developer signs in as (active, with a developer role). */
export interface DeveloperContext extends PageContext {
  readonly developer: Developer
}

interface Route<Context> {
  readonly method: 'GET' | 'POST'
  readonly url: string
  handler(ctx: Context): Promise<PageAnswer>
}

/** A page, for admins (the console) or for developers (the portal), which its door's guard lets in. */
export type ConsolePage = (Route<PageContext> & { readonly audience: 'admin' }) | (Route<DeveloperContext> & { readonly audience: 'developer' })

// Notices are codes in the URL, never text, so that a link cannot put words in the console's mouth.
export const NOTICES = {
  created: 'Created.',
  saved: 'Saved.',
  deleted: 'Deleted.',
  connected: 'The embedded IdP is connected.',
  approved: 'Approved: the credential is ready.',
  rejected: 'Rejected.',
  resolved: 'Resolved.',
  attached: 'The client type is offered now.',
  detached: 'The client type is no longer offered.',
  requested: 'The access request is created: it waits in the queue for an admin\'s approval.',
  asked: 'Access is requested: an admin of the portal answers it; this page shows its state.',
  activated: 'Activated: the user may use the portal now.',
  revoked: 'The API token is revoked: it no longer works.',
  audience_added: 'The team is in the audience now.',
  audience_removed: 'The team is no longer in the audience.'
} as const
export type NoticeCode = keyof typeof NOTICES

export function noticeOf (query: PageContext['query']): string | undefined {
  const code = query.notice
  return code !== undefined && Object.hasOwn(NOTICES, code) ? NOTICES[code as NoticeCode] : undefined
}

/** The authorization errors of RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6, in words. */
const SIGN_IN_ERRORS: Readonly<Record<string, string>> = {
  access_denied: 'The sign-in was cancelled, or access was refused.',
  login_required: 'The identity provider needs you to sign in again.',
  consent_required: 'The identity provider needs your consent.',
  interaction_required: 'The identity provider needs you to answer a question first.',
  temporarily_unavailable: 'The identity provider is busy: try again in a moment.',
  server_error: 'The identity provider failed.'
}

const SESSION_COOKIE = 'portal_console'
const SIGN_IN_COOKIE = 'portal_console_sign_in'
const FORM_LIMIT_BYTES = 64 * 1024
const sessions = new WeakMap<FastifyRequest, Session>()

export function consolePlugin (options: ConsoleOptions) {
  const secure = options.publicUrl.startsWith('https:')
  // RFC 6265bis §4.1.3.2: a __Host- cookie is Secure, host-only and for the whole site.
  const cookieName = (name: string) => secure ? `__Host-${name}` : name
  const cookie = (name: string, value: string, maxAgeSeconds: number) =>
    `${cookieName(name)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`
  const publicOrigin = new URL(options.publicUrl).origin
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action 'self'${options.issuerOrigin === undefined ? '' : ` ${options.issuerOrigin}`}`,
    "base-uri 'none'",
    "frame-ancestors 'none'"
  ].join('; ')

  const audience = options.audience
  const home = audience === 'admin' ? '/console/' : '/portal/'
  const signInUrl = (returnTo: string) => `/console/sign-in?return_to=${encodeURIComponent(returnTo)}`
  const page = (title: string, messages: readonly string[], session?: Session, signInLink = false) => messagePage(title, messages, session, signInLink, audience)

  /** Sends the browser to the identity provider, the sign-in's state in a short-lived cookie. */
  async function startSignIn (reply: FastifyReply, returnTo: string, extra?: Readonly<Record<string, string>>): Promise<FastifyReply> {
    if (options.signIn === undefined) {
      return await sendPage(reply, 503, page('Sign-in is not configured', [
        'The embedded IdP is off (PORTAL_EMBEDDED_IDP=false) and no other identity provider is named: set PORTAL_CONSOLE_OIDC_ISSUER, PORTAL_CONSOLE_OIDC_CLIENT_ID and PORTAL_CONSOLE_OIDC_CLIENT_SECRET.'
      ]))
    }
    const { url, cookie: pending } = await options.signIn.begin(safeReturnTo(returnTo), extra)
    return await reply.header('set-cookie', cookie(SIGN_IN_COOKIE, pending, SIGN_IN_TTL_MS / 1000)).redirect(url, 303)
  }

  return async (app: FastifyInstance): Promise<void> => {
    // Pages are no part of the /portal-api contract: kept out of its OpenAPI document.
    app.addHook('onRoute', (route) => { route.schema = { ...route.schema, hide: true } })
    app.addHook('onSend', async (_request, reply) => {
      void reply.header('content-security-policy', csp)
      void reply.header('x-frame-options', 'DENY')
      void reply.header('referrer-policy', 'same-origin')
      void reply.header('cross-origin-opener-policy', 'same-origin')
      void reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()')
      if (secure) void reply.header('strict-transport-security', 'max-age=31536000')
      if (reply.getHeader('cache-control') === undefined) void reply.header('cache-control', 'no-store')
    })
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_request, body, done) => {
      done(null, new URLSearchParams(body as string))
    })
    app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
      const status = error instanceof AppError ? HTTP_STATUS[error.code] : error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500
      if (status === 500) request.log.error({ err: error }, 'console page failed')
      const messages = error instanceof AppError ? error.messages : status === 500 ? [`internal error; see the service log for request ${request.id}`] : [error.message]
      return await sendPage(reply, status, page(status === 404 ? 'Not found' : 'Something went wrong', messages, sessions.get(request)))
    })
    app.setNotFoundHandler(async (request, reply) => await sendPage(reply, 404, page('Not found', [`There is no ${audience === 'admin' ? 'console' : 'portal'} page at ${request.url.split('?')[0] ?? ''}.`], sessions.get(request))))

    app.addHook('onRequest', async (request) => {
      // The stylesheet and the script are the same for everyone: no session read for them.
      if (request.routeOptions.url?.endsWith('/assets/:file') === true) return
      const token = readCookie(request, cookieName(SESSION_COOKIE))
      const session = token === undefined ? undefined : await options.sessions.find(token)
      if (session !== undefined) sessions.set(request, session)
    })

    app.get('/assets/:file', async (request, reply) => {
      const asset = ASSETS.get((request.params as { file: string }).file)
      if (asset === undefined) throw new AppError('not_found', 'no such asset')
      if (request.headers['if-none-match'] === asset.etag) return await reply.code(304).send()
      return await reply.header('content-type', asset.type).header('etag', asset.etag).header('cache-control', 'no-cache').send(asset.body)
    })

    if (audience === 'admin') registerSignIn(app)
    else {
      // An invitation link (issue 13 item 2): sign-in at the IdP with the code, which pre-fills its sign-up form;
      // `prompt=login` shows that form even to a browser signed in there as someone else.
      app.get('/invitation', async (request, reply) => {
        const code = (request.query as Record<string, unknown>).code
        if (typeof code !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(code)) {
          return await sendPage(reply, 400, page('This invitation link is not complete', ['The link has no invitation code, or a damaged one: open the link of your invitation again, or ask the admin who invited you for a new one.']))
        }
        return await startSignIn(reply, '/portal/', { invitation: code, prompt: 'login' })
      })
    }

    for (const route of options.pages) {
      if (route.audience !== audience) throw new Error(`the ${audience} door cannot serve the ${route.audience} page ${route.url}`)
      app.route({
        method: route.method,
        url: route.url,
        handler: async (request, reply) => {
          const session = sessions.get(request)
          if (session === undefined) return await reply.redirect(signInUrl(request.method === 'GET' ? request.url : home), 303)
          let answer: PageAnswer
          if (route.audience === 'admin') {
            if (!session.isAdmin) {
              return await sendPage(reply, 403, page('Not an admin', [`You are signed in as ${session.username}, who is not a portal admin. Ask an admin to add you to the admin group, or sign out and sign in as another person.`], session))
            }
            answer = await route.handler(pageContext(request, session))
          } else {
            const developer = await options.users.findBySubject(session.subject)
            // Signed in to the console only: the portal's sign-in makes the person a portal user (the IdP's session makes it quick).
            if (developer === undefined) return await reply.redirect(signInUrl(request.method === 'GET' ? request.url : home), 303)
            const refusal = developerRefusal(developer, session)
            if (refusal !== undefined) return await sendPage(reply, 403, refusal)
            answer = await route.handler({ ...pageContext(request, session), developer })
          }
          if (answer instanceof Html) return await sendPage(reply, 200, answer)
          if ('json' in answer) return await reply.type('application/json; charset=utf-8').send(JSON.stringify(answer.json))
          if ('redirect' in answer) return await reply.redirect(answer.notice === undefined ? answer.redirect : `${answer.redirect}${answer.redirect.includes('?') ? '&' : '?'}notice=${answer.notice}`, 303)
          return await sendPage(reply, answer.status, answer.page)
        }
      })
    }
  }

  /** The console's sign-in, callback and sign-out, which the developer portal's pages use too. */
  function registerSignIn (app: FastifyInstance): void {
    app.get('/sign-in', async (request, reply) => {
      const returnTo = (request.query as Record<string, unknown>).return_to
      return await startSignIn(reply, typeof returnTo === 'string' ? returnTo : '/console/')
    })

    app.get('/callback', async (request, reply) => {
      const clear = cookie(SIGN_IN_COOKIE, '', 0)
      const query = request.query as Record<string, unknown>
      if (options.signIn === undefined) throw new AppError('not_found', 'sign-in is not configured')
      if (typeof query.error === 'string') {
        // Our own words for the error code (RFC 6749 §4.1.2.1), never the URL's description: a crafted link
        // must not put text of its choosing on the console's pages.
        const reason = (Object.hasOwn(SIGN_IN_ERRORS, query.error) ? SIGN_IN_ERRORS[query.error] : undefined) ?? 'The identity provider refused the sign-in.'
        return await sendPage(reply.header('set-cookie', clear), 403, page('Sign-in did not complete', [reason, 'Sign in again, or ask an admin of the identity provider.'], undefined, true))
      }
      let outcome
      try {
        outcome = await options.signIn.finish(new URL(request.url, options.publicUrl), readCookie(request, cookieName(SIGN_IN_COOKIE)))
      } catch (error) {
        request.log.warn({ err: error }, 'console sign-in failed')
        const message = error instanceof AppError ? error.messages : ['The identity provider\'s answer could not be checked (state, nonce or code). Sign in again.']
        return await sendPage(reply.header('set-cookie', clear), 400, page('Sign-in did not complete', message, undefined, true))
      }
      const token = await options.sessions.start(outcome.person, outcome.idToken)
      void reply.header('set-cookie', [clear, cookie(SESSION_COOKIE, token, options.sessions.lifetimeSeconds)])
      if (returnsToPortal(outcome.returnTo)) {
        // Issue 13 item 2: a developer who signs in is a portal user: linked, or made now under the sign-up policy.
        try {
          await options.users.signIn(outcome.identity, { actor: { fingerprint: `person:${outcome.person.username}`, requestId: request.id } })
        } catch (error) {
          if (!(error instanceof AppError) || error.code === 'unavailable') throw error
          return await sendPage(reply, HTTP_STATUS[error.code] === 409 ? 409 : 403, messagePage('You cannot use the developer portal yet', error.messages, await options.sessions.find(token), false, 'developer'))
        }
      }
      return await reply.redirect(outcome.returnTo, 303)
    })

    app.post('/sign-out', async (request, reply) => {
      const session = sessions.get(request)
      if (session !== undefined) checkCsrf(request, session)
      const token = readCookie(request, cookieName(SESSION_COOKIE))
      const idToken = token === undefined ? undefined : await options.sessions.end(token)
      void reply.header('set-cookie', cookie(SESSION_COOKIE, '', 0))
      // RP-Initiated Logout: the identity provider ends its own session too, then sends the browser back.
      const next = options.signIn === undefined ? '/console/signed-out' : await options.signIn.signOutUrl(idToken)
      return await reply.redirect(next, 303)
    })

    app.get('/signed-out', async (_request, reply) => await sendPage(reply, 200, page('Signed out', ['You are signed out of the console and of the developer portal.'], undefined, true)))
  }

  /** Why a signed-in person may not use the developer pages now, as a page; undefined when they may. */
  function developerRefusal (developer: Developer, session: Session): Html | undefined {
    if (isAdminRole(developer.role)) {
      return page('This is the developer portal', [`You sign in as portal user ${developer.email}, an admin user (${developer.role}): admins work in the console, developers here.`], session)
    }
    // Tyk's Active flag: under the "approval" sign-up policy a new developer waits for an admin.
    if (!developer.active) {
      return page('Your account waits for an admin\'s approval', [`You are signed in as ${developer.email}. An admin of the portal approves new accounts before they can use it; come back once they have.`], session)
    }
    return undefined
  }

  /** What a page handler is given, once its guard let the person in; a POST's form is checked for CSRF first. */
  function pageContext (request: FastifyRequest, session: Session): PageContext {
    const form = request.method === 'POST' ? formOf(request) : new URLSearchParams()
    if (request.method === 'POST') checkCsrf(request, session)
    return {
      session,
      params: request.params as Record<string, string>,
      query: request.query as Record<string, string | undefined>,
      form,
      actor: { fingerprint: `person:${session.username}`, requestId: request.id },
      validated: <T extends TSchema>(schema: T, body: unknown): Static<T> => {
        const check = request.compileValidationSchema(schema, 'body')
        if (!check(body)) throw new AppError('invalid_input', describeValidation(check.errors ?? [], 'body'))
        return body as Static<T>
      }
    }
  }

  /** OWASP CSRF cheat sheet: the synchronizer token, and the Origin header where the browser sends one. */
  function checkCsrf (request: FastifyRequest, session: Session): void {
    const origin = request.headers.origin
    const form = formOf(request)
    if ((origin !== undefined && origin !== publicOrigin) || !sameCsrfToken(session, form.get('_csrf'))) {
      throw new AppError('invalid_state', 'This form was not sent from its page, or the page is older than your session. Go back, reload the page and try again.')
    }
  }
}

function formOf (request: FastifyRequest): URLSearchParams {
  if (!(request.body instanceof URLSearchParams)) throw new AppError('malformed_request', 'send the form as application/x-www-form-urlencoded')
  return request.body
}

function readCookie (request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}

async function sendPage (reply: FastifyReply, status: number, page: Html): Promise<FastifyReply> {
  return await reply.code(status).type('text/html; charset=utf-8').send(render(page))
}

/** A page of messages: errors, sign-in outcomes. */
export function messagePage (title: string, messages: readonly string[], session?: Session, signInLink = false, audience: Audience = 'admin'): Html {
  return (
    <Page title={title} session={session} audience={audience}>
      {messages.map((message) => <p>{message}</p>)}
      {signInLink
        ? <ul><li><a href='/console/sign-in'>Sign in to the console</a></li><li><a href='/console/sign-in?return_to=%2Fportal%2F'>Sign in to the developer portal</a></li></ul>
        : null}
      {audience === 'admin' && session?.isAdmin === true ? <p><a href='/console/'>Back to the console</a></p> : null}
    </Page>
  )
}

/**
 * The write context of a console change: the person, and the ETag of what the form showed (If-Match),
 * so that a change made meanwhile by someone else answers 412 instead of being overwritten.
 */
export function formWriteContext<T> (ctx: PageContext, represent?: (record: T) => unknown): WriteContext<T> {
  const etag = ctx.form.get('_etag')
  if (represent === undefined || etag === null || etag === '') return { actor: ctx.actor }
  return { actor: ctx.actor, precondition: (current, resource) => { assertIfMatch([etag], resource, represent(current)) } }
}

export function consolePage (method: ConsolePage['method'], url: string, handler: (ctx: PageContext) => Promise<PageAnswer>): ConsolePage {
  return { audience: 'admin', method, url, handler }
}

/** A developer portal page (issue 13 item 3): its handler acts as the signed-in developer. */
export function portalPage (method: ConsolePage['method'], url: string, handler: (ctx: DeveloperContext) => Promise<PageAnswer>): ConsolePage {
  return { audience: 'developer', method, url, handler }
}

/** Tyk's page and per_page, read as the API reads them; the page number for the pager. */
export function pageOf (ctx: PageContext): { readonly page: number; readonly perPage: number; readonly query: ListPage } {
  const query = parsePage(ctx.query) // validates page too
  return { page: ctx.query.page === undefined ? 1 : Number(ctx.query.page), perPage: query.limit, query }
}

/**
 * Runs a change; a refusal (a rule, a conflict, a changed resource, an IdP's answer) comes back as the
 * form again with the API's messages and status, the values kept. A 404 stays a 404 page.
 */
export async function showingErrors (run: () => Promise<PageAnswer>, again: (messages: readonly string[]) => Html | Promise<Html>): Promise<PageAnswer> {
  try {
    return await run()
  } catch (error) {
    if (!(error instanceof AppError) || error.code === 'not_found' || error.code === 'unavailable') throw error
    return { status: HTTP_STATUS[error.code], page: await again(error.messages) }
  }
}

/** The hidden If-Match of an edit form. */
export function etagField (representation: unknown): Html {
  return <input type='hidden' name='_etag' value={etagOf(representation)} />
}
