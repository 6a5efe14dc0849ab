// The admin console's Fastify glue (issue 12): security headers, the form parser, sessions, the admin
// guard, CSRF, and errors as pages. Pages call the same services as /portal-api, validate forms with
// the same schemas through the same compiler and messages, and show what the API would answer, in words.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Static, TSchema } from 'typebox'
import { AppError, HTTP_STATUS } from '../errors.ts'
import { describeValidation } from '../http/error-handler.ts'
import type { Actor } from '../shared/actor.ts'
import { parsePage, type Page as ListPage } from '../shared/pagination.ts'
import { assertIfMatch, etagOf, type WriteContext } from '../shared/precondition.ts'
import { Html, h, render } from './html.ts'
import { Page } from './layout.tsx'
import { sameCsrfToken, type Session, type Sessions } from './sessions.ts'
import { safeReturnTo, SIGN_IN_TTL_MS, type OidcSignIn } from './sign-in.ts'
import { ASSETS } from './assets.ts'

export interface ConsoleOptions {
  readonly sessions: Sessions
  /** Undefined: no identity provider to sign in with (PORTAL_EMBEDDED_IDP=false and no PORTAL_CONSOLE_OIDC_ISSUER). */
  readonly signIn: OidcSignIn | undefined
  /** The API port as browsers reach it (PORTAL_PUBLIC_URL). */
  readonly publicUrl: string
  /** The identity provider's origin: the sign-out form's answer redirects there (CSP form-action). */
  readonly issuerOrigin: string | undefined
  readonly pages: readonly ConsolePage[]
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

export interface ConsolePage {
  readonly method: 'GET' | 'POST'
  readonly url: string
  handler(ctx: PageContext): Promise<PageAnswer>
}

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
      return await sendPage(reply, status, messagePage(status === 404 ? 'Not found' : 'Something went wrong', messages, sessions.get(request)))
    })
    app.setNotFoundHandler(async (request, reply) => await sendPage(reply, 404, messagePage('Not found', [`There is no console page at ${request.url.split('?')[0] ?? ''}.`], sessions.get(request))))

    app.addHook('onRequest', async (request) => {
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

    app.get('/sign-in', async (request, reply) => {
      if (options.signIn === undefined) {
        return await sendPage(reply, 503, messagePage('Sign-in is not configured', [
          'The embedded IdP is off (PORTAL_EMBEDDED_IDP=false) and no other identity provider is named: set PORTAL_CONSOLE_OIDC_ISSUER, PORTAL_CONSOLE_OIDC_CLIENT_ID and PORTAL_CONSOLE_OIDC_CLIENT_SECRET.'
        ]))
      }
      const returnTo = (request.query as Record<string, unknown>).return_to
      const { url, cookie: pending } = await options.signIn.begin(safeReturnTo(typeof returnTo === 'string' ? returnTo : '/console/'))
      return await reply.header('set-cookie', cookie(SIGN_IN_COOKIE, pending, SIGN_IN_TTL_MS / 1000)).redirect(url, 303)
    })

    app.get('/callback', async (request, reply) => {
      const clear = cookie(SIGN_IN_COOKIE, '', 0)
      const query = request.query as Record<string, unknown>
      if (options.signIn === undefined) throw new AppError('not_found', 'sign-in is not configured')
      if (typeof query.error === 'string') {
        const description = typeof query.error_description === 'string' ? `: ${query.error_description}` : ''
        return await sendPage(reply.header('set-cookie', clear), 403, messagePage('Sign-in did not complete', [`The identity provider answered ${query.error}${description}.`], undefined, true))
      }
      let outcome
      try {
        outcome = await options.signIn.finish(new URL(request.url, options.publicUrl), readCookie(request, cookieName(SIGN_IN_COOKIE)))
      } catch (error) {
        request.log.warn({ err: error }, 'console sign-in failed')
        const message = error instanceof AppError ? error.messages : ['The identity provider\'s answer could not be checked (state, nonce or code). Sign in again.']
        return await sendPage(reply.header('set-cookie', clear), 400, messagePage('Sign-in did not complete', message, undefined, true))
      }
      const token = await options.sessions.start(outcome.person, outcome.idToken)
      void reply.header('set-cookie', [clear, cookie(SESSION_COOKIE, token, options.sessions.lifetimeSeconds)])
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

    app.get('/signed-out', async (_request, reply) => await sendPage(reply, 200, messagePage('Signed out', ['You are signed out of the console.'], undefined, true)))

    for (const page of options.pages) {
      app.route({
        method: page.method,
        url: page.url,
        handler: async (request, reply) => {
          const session = sessions.get(request)
          if (session === undefined) {
            const back = request.method === 'GET' ? request.url : '/console/'
            return await reply.redirect(`/console/sign-in?return_to=${encodeURIComponent(back)}`, 303)
          }
          if (!session.isAdmin) {
            return await sendPage(reply, 403, messagePage('Not an admin', [`You are signed in as ${session.username}, who is not a portal admin. Ask an admin to add you to the admin group, or sign out and sign in as another person.`], session))
          }
          const form = request.method === 'POST' ? formOf(request) : new URLSearchParams()
          if (request.method === 'POST') checkCsrf(request, session)
          const answer = await page.handler({
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
          })
          if (answer instanceof Html) return await sendPage(reply, 200, answer)
          if ('json' in answer) return await reply.type('application/json; charset=utf-8').send(JSON.stringify(answer.json))
          if ('redirect' in answer) return await reply.redirect(answer.notice === undefined ? answer.redirect : `${answer.redirect}${answer.redirect.includes('?') ? '&' : '?'}notice=${answer.notice}`, 303)
          return await sendPage(reply, answer.status, answer.page)
        }
      })
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
export function messagePage (title: string, messages: readonly string[], session?: Session, signInLink = false): Html {
  return (
    <Page title={title} session={session}>
      {messages.map((message) => <p>{message}</p>)}
      {signInLink ? <p><a href='/console/sign-in'>Sign in</a></p> : null}
      {session?.isAdmin === true ? <p><a href='/console/'>Back to the console</a></p> : null}
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

export function consolePage (method: ConsolePage['method'], url: string, handler: ConsolePage['handler']): ConsolePage {
  return { method, url, handler }
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
