// The admin console in Chromium, as an admin uses it (issue 12 item 4): sign in at the embedded IdP,
// connect it, define a client type with the seed's values, edit it, see a refused change explained in
// words, and sign out (at the IdP too). Every page visited passes axe's serious/critical rules.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { browserSkip, describeViolations, launchChromium, seriousViolations, signInAtIdp, startConsoleService, type ConsoleService } from '../helpers/browser.ts'

describe('the admin console in Chromium', { skip: browserSkip }, () => {
  let service: ConsoleService
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const visited = new Set<string>()

  /** Checks the page now shown with axe, once per path. */
  async function accessible (): Promise<void> {
    const path = new URL(page.url()).pathname.replace(/\d+/g, ':id')
    if (visited.has(path)) return
    visited.add(path)
    const violations = await seriousViolations(page)
    assert.deepEqual(violations, [], `${path}:\n${describeViolations(violations)}`)
  }

  before(async () => {
    service = await startConsoleService()
    browser = await launchChromium()
    context = await browser.newContext()
    page = await context.newPage()
    page.setDefaultTimeout(10_000)
  })
  after(async () => {
    await browser?.close()
    await service?.close()
  })

  it('sends a visitor to the embedded IdP to sign in, and back to the console as the admin', async () => {
    await page.goto(`${service.baseUrl}/`)
    assert.equal(new URL(page.url()).origin, service.idpOrigin, 'the sign-in page is the IdP\'s')
    assert.equal(await page.title(), 'Sign in')
    await signInAtIdp(page, 'admin', 'not the password')
    assert.match(await page.getByRole('alert').innerText(), /username or password is incorrect/)
    await signInAtIdp(page, 'admin', service.adminPassword)
    assert.equal(new URL(page.url()).pathname, '/console/')
    assert.match(await page.locator('header').innerText(), /Signed in as Administrator \(admin\)/)
    const cookies = await context.cookies(service.baseUrl)
    const session = cookies.find((cookie) => cookie.name === 'portal_console')
    assert.ok(session !== undefined, 'a session cookie')
    assert.equal(session.httpOnly, true)
    assert.equal(session.sameSite, 'Lax')
    await accessible()
  })

  it('connects the embedded IdP in one click from the empty providers page', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'OAuth2.0 providers' }).click()
    assert.match(await page.locator('main').innerText(), /No identity provider yet/)
    await accessible()
    await page.getByRole('button', { name: 'Connect the embedded IdP' }).click()
    assert.equal(await page.getByRole('status').innerText(), 'The embedded IdP is connected.')
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Embedded IdP')
    const types = await page.locator('table').innerText()
    assert.match(types, /Machine to machine/)
    assert.match(types, /Web application/)
    await accessible()
  })

  it('creates a client type with the seed\'s values, the allowed values offered as choices', async () => {
    await page.getByRole('link', { name: 'Add a client type' }).click()
    await accessible()
    await page.getByLabel('Name (required)').fill('Server-side application')
    await page.getByLabel('Description').fill('Use this client configuration to create server-side applications that don\'t act on behalf of end-users')
    for (const value of ['code', 'token']) await page.getByRole('group', { name: 'Response types' }).getByLabel(value, { exact: true }).check()
    for (const value of ['authorization_code', 'refresh_token', 'password']) await page.getByRole('group', { name: 'Grant types' }).getByLabel(value, { exact: true }).check()
    await page.getByRole('group', { name: 'Token endpoint authentication' }).getByLabel('client_secret_basic', { exact: true }).check()
    await page.getByRole('group', { name: 'Okta application type' }).getByLabel('web', { exact: true }).check()
    await page.getByRole('button', { name: 'Add the client type' }).click()
    assert.equal(await page.getByRole('status').innerText(), 'Created.')
    const row = page.locator('tr', { hasText: 'Server-side application' })
    assert.match(await row.innerText(), /authorization_code, refresh_token, password/)
    assert.match(await row.innerText(), /code, token/)
  })

  it('edits it, and a refused change comes back with the API\'s words, the field marked and the values kept', async () => {
    await page.getByRole('link', { name: 'Edit Server-side application' }).click()
    await accessible()
    const grants = page.getByRole('group', { name: 'Grant types' })
    for (const value of ['authorization_code', 'refresh_token', 'password']) await grants.getByLabel(value, { exact: true }).uncheck()
    await page.getByLabel('Name (required)').fill('Server application')
    await page.getByRole('button', { name: 'Save' }).click()
    const summary = await page.getByRole('alert').innerText()
    assert.match(summary, /GrantType must list at least one value/)
    assert.equal(await page.locator('#field-GrantType').getAttribute('class'), 'field invalid')
    assert.equal(await page.getByLabel('Name (required)').inputValue(), 'Server application', 'what was typed is kept')
    await accessible()
    await grants.getByLabel('client_credentials', { exact: true }).check()
    await page.getByRole('button', { name: 'Save' }).click()
    assert.equal(await page.getByRole('status').innerText(), 'Saved.')
    assert.match(await page.locator('tr', { hasText: 'Server application' }).innerText(), /client_credentials/)
    // The API sees the same client type.
    const provider = await (await fetch(`${service.baseUrl}/portal-api/oauth-providers/1`, { headers: { authorization: service.adminToken } })).json() as { ClientTypes: Array<{ Name: string; GrantType: string }> }
    assert.equal(provider.ClientTypes.find((type) => type.Name === 'Server application')?.GrantType, 'client_credentials')
  })

  it('refuses a form posted without the page\'s CSRF token', async () => {
    const answer = await page.request.post(`${service.baseUrl}/console/providers/embedded`, { form: { _csrf: 'forged' } })
    assert.equal(answer.status(), 422)
    assert.match(await answer.text(), /This form was not sent from its page/)
  })

  it('signs out of the console and of the IdP', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    // RP-initiated logout: the IdP asks, then ends its own session.
    assert.equal(new URL(page.url()).origin, service.idpOrigin)
    await page.getByRole('button', { name: 'Sign out' }).click()
    assert.equal(new URL(page.url()).pathname, '/console/signed-out')
    await accessible()
    await page.goto(`${service.baseUrl}/console/providers`)
    assert.equal(new URL(page.url()).origin, service.idpOrigin, 'signed out: the console asks to sign in again, at the IdP')
    assert.equal(await page.title(), 'Sign in', 'and the IdP asks for the password again')
  })
})
