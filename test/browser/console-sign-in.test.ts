// Who may use the console, and how its sign-in resists misuse (issue 12 item 2), in Chromium against
// the real service: a person outside the admin group is refused every page; the sign-in's state,
// nonce and PKCE cannot be replayed or forged; return_to never leaves the console; a form posted from
// another origin or without the session's token changes nothing; signing out ends the session.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { openDatabase } from '../../src/db/database.ts'
import { IdpAccounts } from '../../src/idp/accounts.ts'
import { browserSkip, describeViolations, launchChromium, seriousViolations, signInAtIdp, startConsoleService, type ConsoleService } from '../helpers/browser.ts'

const BOB = { username: 'bob', name: 'Bob Developer', password: 'bob-password-123' }

describe('signing in to the console', { skip: browserSkip }, () => {
  let service: ConsoleService
  let browser: Browser

  before(async () => {
    service = await startConsoleService()
    // A second person at the embedded IdP, not in the admin group: written to the service's own database.
    const database = await openDatabase({ dialect: 'sqlite', file: path.join(service.dataDir, 'portal.db') })
    try {
      await new IdpAccounts({ db: database.db }).create(BOB)
    } finally {
      await database.close()
    }
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await service?.close()
  })

  it('refuses a person outside the admin group on every page, in words, and lets them sign out', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(`${service.baseUrl}/console/providers`)
    await signInAtIdp(page, BOB.username, BOB.password)
    assert.equal(new URL(page.url()).pathname, '/console/providers', 'back where they were going')
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Not an admin')
    assert.match(await page.locator('main').innerText(), /signed in as bob, who is not a portal admin/)
    assert.equal(await page.getByRole('navigation', { name: 'Console' }).count(), 0, 'no navigation to pages they may not use')
    const violations = await seriousViolations(page)
    assert.deepEqual(violations, [], describeViolations(violations))
    const post = await page.request.post(`${service.baseUrl}/console/providers/embedded`, { form: { _csrf: 'x' }, maxRedirects: 0 })
    assert.equal(post.status(), 403, 'no change either')
    const providers = await (await fetch(`${service.baseUrl}/portal-api/oauth-providers`, { headers: { authorization: service.adminToken } })).json()
    assert.deepEqual(providers, [])
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign out' }).click()
    assert.equal(new URL(page.url()).pathname, '/console/signed-out')
    await context.close()
  })

  it('never redirects outside the console after sign-in, whatever return_to says', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(`${service.baseUrl}/console/sign-in?return_to=${encodeURIComponent('//evil.example/console')}`)
    await signInAtIdp(page, 'admin', service.adminPassword)
    assert.equal(page.url(), `${service.baseUrl}/console/`)
    await context.close()
  })

  it('refuses a callback replayed, or one whose sign-in cookie is missing or forged', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    let callback = ''
    page.on('request', (request) => { if (request.url().includes('/console/callback')) callback = request.url() })
    await page.goto(`${service.baseUrl}/console/`)
    await signInAtIdp(page, 'admin', service.adminPassword)
    assert.match(callback, /code=/)
    // The same code and state again: the sign-in cookie is gone, and the code is spent.
    const replay = await page.request.get(callback, { maxRedirects: 0 })
    assert.equal(replay.status(), 400)
    assert.match(await replay.text(), /this sign-in has expired or was started in another browser: sign in again/)
    // A fresh sign-in whose cookie is swapped for a forged one.
    const started = await page.request.get(`${service.baseUrl}/console/sign-in`, { maxRedirects: 0 })
    assert.equal(started.status(), 303)
    await context.addCookies([{ name: 'portal_console_sign_in', value: 'v1.forged.value', url: service.baseUrl }])
    const forged = await page.request.get(`${service.baseUrl}/console/callback?code=abc&state=def`, { maxRedirects: 0 })
    assert.equal(forged.status(), 400)
    assert.doesNotMatch((forged.headers()['set-cookie'] ?? ''), /portal_console=[^;]/, 'no session')
    // An error answer in the URL is told in the console's words: a crafted link cannot put its own text there.
    const crafted = await page.request.get(`${service.baseUrl}/console/callback?error=access_denied&error_description=${encodeURIComponent('Call +1 555 0100 to restore your account')}`, { maxRedirects: 0 })
    assert.equal(crafted.status(), 403)
    const text = await crafted.text()
    assert.match(text, /The sign-in was cancelled, or access was refused\./)
    assert.doesNotMatch(text, /555/)
    assert.match(await (await page.request.get(`${service.baseUrl}/console/callback?error=constructor`, { maxRedirects: 0 })).text(), /The identity provider refused the sign-in\./)
    await context.close()
  })

  it('refuses a form from another origin, or without the session\'s token, and changes nothing', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(`${service.baseUrl}/console/`)
    await signInAtIdp(page, 'admin', service.adminPassword)
    const csrf = await page.locator('input[name=_csrf]').first().inputValue()
    const foreign = await page.request.post(`${service.baseUrl}/console/providers/embedded`, { form: { _csrf: csrf }, headers: { origin: 'http://evil.example' }, maxRedirects: 0 })
    assert.equal(foreign.status(), 422)
    const missing = await page.request.post(`${service.baseUrl}/console/providers/embedded`, { form: {}, maxRedirects: 0 })
    assert.equal(missing.status(), 422)
    const providers = await (await fetch(`${service.baseUrl}/portal-api/oauth-providers`, { headers: { authorization: service.adminToken } })).json()
    assert.deepEqual(providers, [], 'nothing was connected')
    // The right token from the right origin works.
    const genuine = await page.request.post(`${service.baseUrl}/console/providers/embedded`, { form: { _csrf: csrf }, headers: { origin: service.baseUrl }, maxRedirects: 0 })
    assert.equal(genuine.status(), 303)
    await context.close()
  })

  it('ends the session on sign-out: the old cookie opens nothing', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(`${service.baseUrl}/console/`)
    await signInAtIdp(page, 'admin', service.adminPassword)
    const session = (await context.cookies(service.baseUrl)).find((cookie) => cookie.name === 'portal_console')
    assert.ok(session !== undefined)
    await page.getByRole('button', { name: 'Sign out' }).click()
    const stale = await fetch(`${service.baseUrl}/console/providers`, { headers: { cookie: `portal_console=${session.value}` }, redirect: 'manual' })
    assert.equal(stale.status, 303)
    assert.match(stale.headers.get('location') ?? '', /^\/console\/sign-in/)
    await context.close()
  })
})
