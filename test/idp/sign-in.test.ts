// People sign in at the embedded IdP (issue 12 item 1), over loopback on every dialect, without a
// browser: the real HTTP flow driven with undici and a cookie jar kept by hand, openid-client as the
// relying party. A client registered through DCR signs a user in (authorization code + PKCE), gets an
// ID token with the user's claims, refreshes, and logs out.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import * as client from 'openid-client'
import { Agent, fetch } from 'undici'
import type { Database } from '../../src/db/database.ts'
import { startEmbeddedIdp, type EmbeddedIdp } from '../../src/idp/embedded-idp.ts'
import { ADMIN_PASSWORD_FILE, type FirstAdmin } from '../../src/idp/first-admin.ts'
import { LOGIN_FAILED } from '../../src/idp/interactions.ts'
import { createLogger } from '../../src/logger.ts'
import { TEST_SECRET_BOX } from '../helpers/app.ts'
import { dialects } from '../helpers/dialects.ts'

const REDIRECT_URI = 'http://127.0.0.1:9/callback' // never fetched: the flow stops at its redirect
const POST_LOGOUT_URI = 'http://127.0.0.1:9/signed-out'
const WEB_CLIENT = {
  client_name: 'Shop web app',
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [POST_LOGOUT_URI],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic'
}
const ALICE = { username: 'Alice', name: 'Alice Liddell', email: 'alice@example.test', emailVerified: true, password: 'correct horse battery staple' }

/** A browser's cookies, as far as this flow needs: by name and path, dropped when expired. */
class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>()

  header (url: URL): string {
    return [...this.cookies.values()].filter((cookie) => url.pathname.startsWith(cookie.path)).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ')
  }

  store (setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const name = pair.slice(0, pair.indexOf('='))
      const value = pair.slice(pair.indexOf('=') + 1)
      const cookiePath = attributes.find((attribute) => /^path=/i.test(attribute))?.slice(5) ?? '/'
      const expired = attributes.some((attribute) => /^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) <= Date.now()) || value === ''
      if (expired) this.cookies.delete(`${name};${cookiePath}`)
      else this.cookies.set(`${name};${cookiePath}`, { name, value, path: cookiePath })
    }
  }
}

interface Page { readonly status: number; readonly url: URL; readonly location: string | undefined; readonly body: string; readonly headers: Headers; readonly setCookies: readonly string[] }

describe('signing people in at the embedded IdP', () => {
  for (const dialect of dialects) {
    describe(dialect.name, { skip: dialect.skip }, () => {
      let database: Database
      let dataDir: string
      let idp: EmbeddedIdp
      let agent: Agent
      let announced: FirstAdmin[]
      const logs: string[] = []
      const logger = createLogger('trace', new Writable({ write (chunk, _encoding, done) { logs.push(String(chunk)); done() } }))

      /** One request, no redirect followed, cookies sent and kept. */
      const request = async (jar: CookieJar, url: string | URL, form?: Record<string, string>): Promise<Page> => {
        const target = new URL(url, idp.issuer)
        const headers: Record<string, string> = { accept: 'text/html', cookie: jar.header(target) }
        if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded'
        const response = await fetch(target, { method: form === undefined ? 'GET' : 'POST', headers, redirect: 'manual', dispatcher: agent, ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }) })
        const setCookies = response.headers.getSetCookie()
        jar.store(setCookies)
        return { status: response.status, url: target, location: response.headers.get('location') ?? undefined, body: await response.text(), headers: response.headers as unknown as Headers, setCookies }
      }
      /** Follows redirects within the IdP; stops at a page, or at a redirect that leaves it (to the client). */
      const browse = async (jar: CookieJar, url: string | URL, form?: Record<string, string>): Promise<Page> => {
        let page = await request(jar, url, form)
        while (page.location !== undefined && new URL(page.location, page.url).origin === new URL(idp.issuer).origin) {
          page = await request(jar, new URL(page.location, page.url))
        }
        return page
      }
      const formOf = (page: Page, index = 0): { action: string; csrf: string } => {
        const forms = [...page.body.matchAll(/<form method="post" action="([^"]+)">(?:<input type="hidden" name="csrf" value="([^"]+)">|\n<input type="hidden" name="csrf" value="([^"]+)">)/g)]
        const form = forms[index]
        assert.ok(form !== undefined, `form ${index} on:\n${page.body}`)
        return { action: form[1]!, csrf: form[2] ?? form[3]! }
      }
      const alertOf = (page: Page): string | undefined => /role="alert"[^>]*>([^<]*)</.exec(page.body)?.[1]

      const register = async (metadata: object = WEB_CLIENT): Promise<{ client_id: string; client_secret: string }> => {
        const response = await fetch(`${idp.issuer}/reg`, { method: 'POST', headers: { authorization: `Bearer ${idp.initialAccessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(metadata), dispatcher: agent })
        assert.equal(response.status, 201, await response.clone().text())
        return await response.json() as { client_id: string; client_secret: string }
      }
      const relyingParty = async (registered: { client_id: string; client_secret: string }): Promise<client.Configuration> =>
        await client.discovery(new URL(idp.issuer), registered.client_id, undefined, client.ClientSecretBasic(registered.client_secret), {
          execute: [client.allowInsecureRequests],
          // @ts-expect-error -- undici's Response type is not the DOM one openid-client declares; they are the same at runtime
          [client.customFetch]: (url: string, options: object) => fetch(url, { ...options, dispatcher: agent })
        })
      /** An authorization request with PKCE (S256), state and nonce: what a web app sends the browser to. */
      const authorization = async (config: client.Configuration, extra: Record<string, string> = {}) => {
        const verifier = client.randomPKCECodeVerifier()
        const state = client.randomState()
        const nonce = client.randomNonce()
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: REDIRECT_URI, scope: 'openid profile email offline_access', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce, prompt: 'consent', ...extra
        })
        return { url, verifier, state, nonce }
      }
      const signIn = async (jar: CookieJar, page: Page, username: string, password: string): Promise<Page> => {
        const { action, csrf } = formOf(page)
        return await browse(jar, new URL(action, page.url), { csrf, username, password })
      }

      before(async () => {
        agent = new Agent()
        announced = []
        database = await dialect.open()
        dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-sign-in-'))
        idp = await startEmbeddedIdp({
          db: database.db, secretBox: TEST_SECRET_BOX, host: '127.0.0.1', port: 0, dataDir, logger,
          loginFailures: { perAddress: 1000, perAccount: 3, windowMs: 60_000 },
          announceFirstAdmin: (admin) => announced.push(admin)
        })
        await idp.accounts.create(ALICE)
      })
      after(async () => {
        await idp?.close()
        await agent?.close()
        await database?.close()
        fs.rmSync(dataDir, { recursive: true, force: true })
      })

      it('signs a user in for a client registered through DCR: code + PKCE, ID token claims, refresh, userinfo, logout', async () => {
        const registered = await register()
        const config = await relyingParty(registered)
        const jar = new CookieJar()
        const { url, verifier, state, nonce } = await authorization(config)

        const login = await browse(jar, url)
        assert.equal(login.status, 200)
        assert.match(login.url.pathname, /^\/interaction\/[\w-]+$/)
        assert.match(login.body, /Sign in to continue to Shop web app\./)

        const consent = await signIn(jar, login, 'alice', ALICE.password) // usernames ignore case
        assert.equal(consent.status, 200, consent.body)
        assert.match(consent.body, /<h1>Allow access\?<\/h1>/)
        assert.match(consent.body, /signed in as <strong>Alice<\/strong>/)
        assert.match(consent.body, /See your email address/)

        const { action, csrf } = formOf(consent, 0)
        assert.match(action, /\/confirm$/)
        const callback = await browse(jar, new URL(action, consent.url), { csrf })
        assert.equal(callback.status, 303)
        const landed = callback.location ?? ''
        assert.ok(landed.startsWith(`${REDIRECT_URI}?`), landed)
        assert.ok(new URL(landed).searchParams.has('code'))

        const tokens = await client.authorizationCodeGrant(config, new URL(landed), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })
        const claims = tokens.claims()
        const alice = (await database.db.selectFrom('idp_accounts').select('id').where('username', '=', 'Alice').executeTakeFirstOrThrow()).id
        assert.equal(claims?.sub, alice)
        assert.equal(claims?.email, ALICE.email)
        assert.equal(claims?.email_verified, true)
        assert.equal(claims?.name, ALICE.name)
        assert.equal(claims?.preferred_username, 'Alice')
        assert.equal(typeof tokens.refresh_token, 'string', 'offline_access with prompt=consent issues a refresh token')
        assert.deepEqual(tokens.scope?.split(' ').sort(), ['email', 'offline_access', 'openid', 'profile'])

        const userinfo = await client.fetchUserInfo(config, tokens.access_token, alice)
        assert.equal(userinfo.email, ALICE.email)

        const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
        assert.equal(typeof refreshed.access_token, 'string')
        assert.notEqual(refreshed.access_token, tokens.access_token)
        assert.equal(refreshed.claims()?.sub, alice)

        // A second authorization in the same browser: signed in and consented, straight back with a code.
        const again = await authorization(config, { prompt: '', scope: 'openid email' })
        const back = await browse(jar, again.url)
        assert.ok(back.location?.startsWith(`${REDIRECT_URI}?`), `no prompt expected, got ${back.status} ${back.body}`)

        // RP-initiated logout: the IdP asks, the browser confirms, and lands on the post-logout URI.
        const endSession = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'bye' })
        const ask = await browse(jar, endSession)
        assert.equal(ask.status, 200)
        assert.match(ask.body, /<h1>Sign out<\/h1>/)
        const logoutAction = /<form id="op\.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"\/>/.exec(ask.body)
        assert.ok(logoutAction !== null, ask.body)
        const out = await browse(jar, new URL(logoutAction[1]!, ask.url), { xsrf: logoutAction[2]!, logout: 'yes' })
        assert.equal(out.location, `${POST_LOGOUT_URI}?state=bye`)
        // Signed out: the next authorization asks for the password again.
        const afterLogout = await browse(jar, (await authorization(config, { prompt: '' })).url)
        assert.match(afterLogout.body, /<h1>Sign in<\/h1>/)
      })

      it('serves accessible pages with a script-free Content-Security-Policy and SameSite=Lax cookies', async () => {
        const config = await relyingParty(await register())
        const jar = new CookieJar()
        const first = await request(jar, (await authorization(config)).url)
        assert.ok(first.setCookies.length > 0)
        for (const cookie of first.setCookies) {
          assert.match(cookie, /; samesite=lax/i, cookie)
          assert.match(cookie, /; httponly/i, cookie)
        }
        const login = await browse(jar, new URL(first.location!, first.url))
        const csp = login.headers.get('content-security-policy') ?? ''
        assert.match(csp, /default-src 'none'/)
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
        assert.doesNotMatch(csp, /script-src/, 'no script allowed at all: default-src none covers scripts')
        assert.equal(login.headers.get('x-frame-options'), 'DENY')
        assert.equal(login.headers.get('referrer-policy'), 'no-referrer')
        assert.equal(login.headers.get('cache-control'), 'no-store')
        assert.match(login.body, /^<!doctype html>\n<html lang="en">/)
        assert.equal(login.body.match(/<h1>/g)?.length, 1)
        assert.doesNotMatch(login.body, /<script|\son\w+=/i)
        for (const id of ['username', 'password']) assert.match(login.body, new RegExp(`<label for="${id}">[^<]+</label>\\s*<input id="${id}"`))
        assert.match(login.body, /autocomplete="current-password"/)

        const failed = await signIn(jar, login, 'Alice', 'not the password')
        assert.equal(alertOf(failed), LOGIN_FAILED)
        assert.match(failed.body, /aria-describedby="login-error"/)
        assert.equal(failed.headers.get('content-security-policy'), csp)
      })

      it('answers a wrong password and an unknown user identically', async () => {
        await idp.accounts.create({ username: 'known', name: 'Known', password: 'the right one' })
        const config = await relyingParty(await register())
        const jar = new CookieJar()
        const login = await browse(jar, (await authorization(config)).url)
        const wrongPassword = await signIn(jar, login, 'known', 'wrong password 1')
        const unknownUser = await signIn(jar, login, 'unknown', 'wrong password 1')
        for (const page of [wrongPassword, unknownUser]) {
          assert.equal(page.status, 403)
          assert.equal(alertOf(page), LOGIN_FAILED)
          assert.equal(page.headers.get('retry-after'), null)
        }
        // Byte for byte, but for the username typed back into its field.
        const blank = (page: Page, name: string) => page.body.replace(`value="${name}"`, 'value="…"')
        assert.equal(blank(wrongPassword, 'known'), blank(unknownUser, 'unknown'), 'the same page whether the account exists or not')
        assert.doesNotMatch(unknownUser.body, /wrong password/, 'the password is never sent back')
      })

      it('refuses a form without its token, and one posted by a browser that did not start the interaction', async () => {
        const config = await relyingParty(await register())
        const jar = new CookieJar()
        const login = await browse(jar, (await authorization(config)).url)
        const { action, csrf } = formOf(login)
        const target = new URL(action, login.url)
        for (const token of [undefined, 'forged', csrf.slice(0, -1)]) {
          const page = await request(jar, target, { username: 'Alice', password: ALICE.password, ...(token === undefined ? {} : { csrf: token }) })
          assert.equal(page.status, 403, token)
          assert.match(page.body, /<h1>Form expired<\/h1>/)
        }
        // The right token, but without the interaction cookie (a cross-site post under SameSite=Lax carries none).
        const foreign = await request(new CookieJar(), target, { csrf, username: 'Alice', password: ALICE.password })
        assert.equal(foreign.status, 400)
        assert.match(foreign.body, /<h1>Sign-in expired<\/h1>/)
        // The page still works for its own browser afterwards.
        const consent = await signIn(jar, login, 'Alice', ALICE.password)
        assert.match(consent.body, /<h1>Allow access\?<\/h1>/)
      })

      it('denies access when the user says no (access_denied at the redirect URI)', async () => {
        const config = await relyingParty(await register())
        const jar = new CookieJar()
        const consent = await signIn(jar, await browse(jar, (await authorization(config)).url), 'Alice', ALICE.password)
        const { action, csrf } = formOf(consent, 1)
        assert.match(action, /\/abort$/)
        const denied = await browse(jar, new URL(action, consent.url), { csrf })
        assert.equal(new URL(denied.location!).searchParams.get('error'), 'access_denied')
      })

      it('requires PKCE, also for a confidential client (RFC 9700 §2.1.1)', async () => {
        const config = await relyingParty(await register())
        const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 'x' })
        const page = await request(new CookieJar(), url)
        const error = new URL(page.location!).searchParams
        assert.equal(error.get('error'), 'invalid_request')
        assert.match(error.get('error_description') ?? '', /requires PKCE/)
      })

      it('slows guessing per account: past the limit, 429 with Retry-After and the same message, even with the right password', async () => {
        await idp.accounts.create({ username: 'target', name: 'Target', password: 'the real password' })
        const config = await relyingParty(await register())
        const jar = new CookieJar()
        const login = await browse(jar, (await authorization(config)).url)
        for (let attempt = 1; attempt <= 3; attempt++) assert.equal((await signIn(jar, login, 'target', `guess ${attempt}`)).status, 403)
        const limited = await signIn(jar, login, 'TARGET', 'the real password') // the same account, whatever the case
        assert.equal(limited.status, 429)
        assert.match(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
        assert.equal(alertOf(limited), LOGIN_FAILED)
        // Another account from the same address is not affected.
        assert.match((await signIn(jar, login, 'Alice', ALICE.password)).body, /<h1>Allow access\?<\/h1>/)
      })

      it('created the first account "admin" once, its password kept 0600 and never logged', async () => {
        assert.equal(announced.length, 1)
        const [admin] = announced as [FirstAdmin]
        assert.equal(admin.username, 'admin')
        assert.equal(admin.file, path.join(dataDir, ADMIN_PASSWORD_FILE))
        assert.equal(fs.readFileSync(admin.file, 'utf8').trim(), admin.generatedPassword)
        assert.equal(fs.statSync(admin.file).mode & 0o777, 0o600)
        assert.ok((admin.generatedPassword ?? '').length >= 24)

        const config = await relyingParty(await register())
        const jar = new CookieJar()
        const consent = await signIn(jar, await browse(jar, (await authorization(config)).url), 'admin', admin.generatedPassword!)
        assert.match(consent.body, /signed in as <strong>admin<\/strong>/)

        const again = await startEmbeddedIdp({ db: database.db, secretBox: TEST_SECRET_BOX, host: '127.0.0.1', port: 0, dataDir, logger, announceFirstAdmin: (made) => announced.push(made) })
        await again.close()
        assert.equal(announced.length, 1, 'a restart creates and announces nothing')

        const text = logs.join('')
        assert.ok(text.includes('first account created'), 'the creation itself is logged')
        for (const secret of [admin.generatedPassword!, ALICE.password, 'the real password', 'wrong password 1']) assert.ok(!text.includes(secret), 'no password in the logs')
        assert.doesNotMatch(text, /password_hash|\$argon2/)
      })
    })
  }
})

describe('signing in: the per-address limit', () => {
  it('answers 429 to an address that failed too often, whichever usernames it tries', async () => {
    const database = await dialects[0]!.open()
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-sign-in-'))
    const agent = new Agent()
    const idp = await startEmbeddedIdp({
      db: database.db, secretBox: TEST_SECRET_BOX, host: '127.0.0.1', port: 0, dataDir, logger: createLogger('silent'),
      loginFailures: { perAddress: 2, perAccount: 100, windowMs: 60_000 }
    })
    try {
      const reg = await fetch(`${idp.issuer}/reg`, { method: 'POST', headers: { authorization: `Bearer ${idp.initialAccessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(WEB_CLIENT), dispatcher: agent })
      const { client_id: clientId } = await reg.json() as { client_id: string }
      const jar = new CookieJar()
      const get = async (url: string) => {
        const response = await fetch(new URL(url, idp.issuer), { headers: { cookie: jar.header(new URL(url, idp.issuer)) }, redirect: 'manual', dispatcher: agent })
        jar.store(response.headers.getSetCookie())
        return { location: response.headers.get('location'), body: await response.text() }
      }
      const auth = await get(`/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`)
      const interaction = new URL(auth.location!, idp.issuer)
      const page = await get(interaction.href)
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!
      const post = async (username: string) => await fetch(new URL(`${interaction.pathname}/login`, idp.issuer), {
        method: 'POST', headers: { cookie: jar.header(interaction), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, username, password: 'guess guess' }).toString(), redirect: 'manual', dispatcher: agent
      })
      assert.equal((await post('one')).status, 403)
      assert.equal((await post('two')).status, 403)
      const limited = await post('three')
      assert.equal(limited.status, 429)
      assert.match(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
      assert.ok((await limited.text()).includes(LOGIN_FAILED))
    } finally {
      await idp.close()
      await agent.close()
      await database.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
