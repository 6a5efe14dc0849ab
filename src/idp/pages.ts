// The embedded IdP's HTML pages (issue 12): sign-in, consent, sign-out and errors. Server-rendered,
// no script at all, one stylesheet inline and allowed by its hash, so the Content-Security-Policy has
// no 'unsafe-inline'. Every value is escaped where it is written.
import { createHash } from 'node:crypto'
import { PASSWORD_LENGTH, USERNAME_MAX } from './accounts.ts'
import type { KoaContext } from './koa-context.ts'
import { escapeHtml } from '../shared/escape-html.ts'

const CSS = 'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}' +
  'main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0003}' +
  'h1{font-size:1.5rem;margin-top:0}label{display:block;margin-top:1rem;font-weight:600}' +
  'input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:4px}' +
  'button{margin-top:1.25rem;padding:.5rem 1rem;font:inherit;border-radius:4px;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}' +
  'button.secondary{background:#fff;color:#1d4ed8}:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}' +
  '.alert{padding:.75rem;border-radius:4px;background:#fef2f2;border:1px solid #b91c1c;color:#7f1d1d}' +
  '.actions{display:flex;gap:.75rem;flex-wrap:wrap}.actions form{margin:0}' +
  '.field-error{color:#b91c1c;font-weight:600;margin:.25rem 0}'

/**
 * No script, no plugin, no framing, no base or form hijack; styles only the one inline stylesheet. No
 * form-action: browsers apply it to the redirects after a form post, and the sign-in form's answer
 * redirects on to the client's redirect URI (any origin).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  "img-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'"
].join('; ')

/** Writes a page with the security headers every page of the IdP carries. */
export function sendPage (ctx: KoaContext, status: number, title: string, body: string): void {
  ctx.status = status
  ctx.type = 'html'
  ctx.set('content-security-policy', CONTENT_SECURITY_POLICY)
  ctx.set('x-content-type-options', 'nosniff')
  ctx.set('x-frame-options', 'DENY')
  ctx.set('referrer-policy', 'no-referrer') // the interaction id is in the URL
  ctx.set('cache-control', 'no-store')
  ctx.body = layout(title, body)
}

function layout (title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`
}

/** Announced at once by screen readers (role="alert"); the same text for every failure. */
export function alert (id: string, message: string): string {
  return `<p class="alert" role="alert" id="${id}">${escapeHtml(message)}</p>`
}

export interface LoginForm {
  readonly action: string
  readonly csrf: string
  readonly clientName: string
  readonly username?: string
  readonly error?: string
  /** Where "Create an account" leads, when sign-up is open to this visitor. */
  readonly signUp?: string
}

export function loginBody (form: LoginForm): string {
  const described = form.error === undefined ? '' : ' aria-describedby="login-error" aria-invalid="true"'
  return `<p>Sign in to continue to ${escapeHtml(form.clientName)}.</p>
${form.error === undefined ? '' : alert('login-error', form.error)}
<form method="post" action="${escapeHtml(form.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="${USERNAME_MAX}" value="${escapeHtml(form.username ?? '')}"${described}${form.error === undefined ? ' autofocus' : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="${PASSWORD_LENGTH.max}"${described}${form.error === undefined ? '' : ' autofocus'}>
<button type="submit">Sign in</button>
</form>${form.signUp === undefined ? '' : `
<p>New here? <a href="${escapeHtml(form.signUp)}">Create an account</a></p>`}`
}

export interface SignUpForm {
  readonly action: string
  readonly csrf: string
  readonly clientName: string
  readonly values: { readonly username?: string; readonly name?: string; readonly email?: string; readonly invitation?: string }
  /** The email an invitation fixes. */
  readonly invitedEmail?: string
  /** Whether the visitor must give an invitation code. */
  readonly needsInvitation: boolean
  readonly errors: readonly string[]
  readonly note?: string
}

/** The account form: each message of the account rules shown, and tied to the field it names. */
export function signUpBody (form: SignUpForm): string {
  const field = (name: string, label: string, type: string, autocomplete: string, extra: string, value: string | undefined) => {
    const mine = form.errors.filter((message) => message.startsWith(`${name} `))
    const described = mine.length === 0 ? '' : ` aria-describedby="${name}-error" aria-invalid="true"`
    return `<label for="${name}">${escapeHtml(label)}</label>
${mine.length === 0 ? '' : `<p class="field-error" id="${name}-error">${escapeHtml(mine.join(' '))}</p>`}
<input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}"${extra}${described}${value === undefined ? '' : ` value="${escapeHtml(value)}"`}>`
  }
  const invitation = form.needsInvitation
    ? field('invitation', 'Invitation code', 'text', 'off', ' required spellcheck="false"', form.values.invitation)
    : form.values.invitation === undefined ? '' : `<input type="hidden" name="invitation" value="${escapeHtml(form.values.invitation)}">`
  const email = form.invitedEmail === undefined
    ? field('email', 'Email', 'email', 'email', ' maxlength="320"', form.values.email)
    : `<p>Email: <strong>${escapeHtml(form.invitedEmail)}</strong> (from your invitation)</p>`
  return `<p>Create an account to continue to ${escapeHtml(form.clientName)}.</p>
${form.note === undefined ? '' : `<p>${escapeHtml(form.note)}</p>`}
${form.errors.length === 0 ? '' : `<div class="alert" role="alert" id="sign-up-errors"><p>The account was not created:</p><ul>${form.errors.map((message) => `<li>${escapeHtml(message)}</li>`).join('')}</ul></div>`}
<form method="post" action="${escapeHtml(form.action)}" novalidate>
<input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
${invitation}
${field('username', 'Username', 'text', 'username', ` required maxlength="${USERNAME_MAX}" autocapitalize="none" spellcheck="false"`, form.values.username)}
${field('name', 'Full name', 'text', 'name', ' required maxlength="200"', form.values.name)}
${email}
${field('password', `Password (at least ${PASSWORD_LENGTH.min} characters)`, 'password', 'new-password', ` required minlength="${PASSWORD_LENGTH.min}" maxlength="${PASSWORD_LENGTH.max}"`, undefined)}
<button type="submit">Create the account</button>
</form>`
}

export interface ConsentForm {
  readonly confirm: string
  readonly abort: string
  readonly csrf: string
  readonly clientName: string
  readonly username: string
  readonly scopes: readonly string[]
}

const SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'Know who you are',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Keep access while you are not signed in'
}

export function consentBody (form: ConsentForm): string {
  const items = form.scopes.map((scope) => `<li>${SCOPE_WORDS[scope] === undefined ? `Use the scope <code>${escapeHtml(scope)}</code>` : escapeHtml(SCOPE_WORDS[scope])}</li>`)
  const csrf = `<input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">`
  return `<p>You are signed in as <strong>${escapeHtml(form.username)}</strong>. ${escapeHtml(form.clientName)} asks to:</p>
<ul>
${items.join('\n')}
</ul>
<div class="actions">
<form method="post" action="${escapeHtml(form.confirm)}">${csrf}<button type="submit">Allow</button></form>
<form method="post" action="${escapeHtml(form.abort)}">${csrf}<button type="submit" class="secondary">Deny</button></form>
</div>`
}

/** oidc-provider's end_session form (a hidden xsrf field, id "op.logoutForm") with our two buttons. */
export function logoutBody (host: string, form: string): string {
  return `<p>Do you want to sign out of ${escapeHtml(host)}?</p>
${form}
<div class="actions">
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>
</div>`
}

export function messageBody (message: string): string {
  return `<p>${escapeHtml(message)}</p>`
}
