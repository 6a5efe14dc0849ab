// The admin console in Chromium, as a new admin uses it (issue 12 "Done when"): from a fresh `npm start`,
// open `/`, sign in at the embedded IdP with the printed password, connect it, define a client type with
// the seed's values and edit it (a refused change explained in words), make a DCR product and a plan,
// add an app, request access, approve it, and use the secret shown once for a real token; then sign out
// of the console and of the IdP. Every page visited passes axe. With PORTAL_SCREENSHOTS_DIR set
// (`npm run screenshots`) it also saves the README's screenshots.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { accessibilityChecker, browserSkip, launchChromium, screenshot, signInAtIdp, startConsoleService, step, type ConsoleService } from '../helpers/browser.ts'

describe('the admin console in Chromium', { skip: browserSkip }, () => {
  let service: ConsoleService
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const accessible = accessibilityChecker(() => page)
  const nav = (label: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true })
  const notice = async () => await page.getByRole('status').first().innerText()
  const heading = async () => await page.getByRole('heading', { level: 1 }).innerText()

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

  it('takes a new admin from a fresh service to a working token, using only the browser', async () => {
    await step('opening / sends the visitor to the embedded IdP; a wrong password is refused in words', async () => {
      await page.goto(`${service.baseUrl}/`)
      assert.equal(new URL(page.url()).origin, service.idpOrigin, 'the sign-in page is the IdP\'s')
      assert.equal(await page.title(), 'Sign in')
      await signInAtIdp(page, 'admin', 'not the password')
      assert.match(await page.getByRole('alert').innerText(), /username or password is incorrect/)
    })

    await step('the printed password signs the admin in, with an http-only SameSite=Lax session', async () => {
      await signInAtIdp(page, 'admin', service.adminPassword)
      assert.equal(new URL(page.url()).pathname, '/console/')
      assert.match(await page.locator('header').innerText(), /Signed in as Administrator \(admin\)/)
      const session = (await context.cookies(service.baseUrl)).find((cookie) => cookie.name === 'portal_console')
      assert.ok(session !== undefined, 'a session cookie')
      assert.equal(session.httpOnly, true)
      assert.equal(session.sameSite, 'Lax')
      await accessible()
      await screenshot(page, 'console-home')
    })

    await step('connects the embedded IdP in one click from the empty providers page', async () => {
      await nav('OAuth2.0 providers').click()
      assert.match(await page.locator('main').innerText(), /No identity provider yet/)
      await accessible()
      await page.getByRole('button', { name: 'Connect the embedded IdP' }).click()
      assert.equal(await notice(), 'The embedded IdP is connected.')
      assert.equal(await heading(), 'Embedded IdP')
      const types = await page.locator('table').innerText()
      assert.match(types, /Machine to machine/)
      assert.match(types, /Web application/)
      await accessible()
      await screenshot(page, 'console-provider')
    })

    await step('creates a client type with the seed\'s values, the allowed values offered as choices', async () => {
      await page.getByRole('link', { name: 'Add a client type' }).click()
      await accessible()
      await page.getByLabel('Name (required)').fill('Server-side application')
      await page.getByLabel('Description').fill('Use this client configuration to create server-side applications that don\'t act on behalf of end-users')
      for (const value of ['code', 'token']) await page.getByRole('group', { name: 'Response types' }).getByLabel(value, { exact: true }).check()
      for (const value of ['authorization_code', 'refresh_token', 'password']) await page.getByRole('group', { name: 'Grant types' }).getByLabel(value, { exact: true }).check()
      await page.getByRole('group', { name: 'Token endpoint authentication' }).getByLabel('client_secret_basic', { exact: true }).check()
      await page.getByRole('group', { name: 'Okta application type' }).getByLabel('web', { exact: true }).check()
      await screenshot(page, 'console-client-type')
      await page.getByRole('button', { name: 'Add the client type' }).click()
      assert.equal(await notice(), 'Created.')
      const row = page.locator('tr', { hasText: 'Server-side application' })
      assert.match(await row.innerText(), /authorization_code, refresh_token, password/)
      assert.match(await row.innerText(), /code, token/)
    })

    await step('edits it: a refused change comes back in the API\'s words, the field marked, the values kept', async () => {
      await page.getByRole('link', { name: 'Edit Server-side application' }).click()
      await accessible()
      const grants = page.getByRole('group', { name: 'Grant types' })
      for (const value of ['authorization_code', 'refresh_token', 'password']) await grants.getByLabel(value, { exact: true }).uncheck()
      await page.getByLabel('Name (required)').fill('Server application')
      await page.getByRole('button', { name: 'Save' }).click()
      assert.match(await page.getByRole('alert').innerText(), /GrantType must list at least one value/)
      assert.equal(await page.locator('#field-GrantType').getAttribute('class'), 'field invalid')
      assert.equal(await page.getByLabel('Name (required)').inputValue(), 'Server application', 'what was typed is kept')
      await accessible('refused')
      await screenshot(page, 'console-refused-change')
      await grants.getByLabel('client_credentials', { exact: true }).check()
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await notice(), 'Saved.')
      assert.match(await page.locator('tr', { hasText: 'Server application' }).innerText(), /client_credentials/)
    })

    await step('creates a DCR product offering "Machine to machine" with a scope', async () => {
      await nav('Products').click()
      await page.getByRole('link', { name: 'Add a product' }).click()
      await page.getByLabel('Name (required)').fill('payments_api')
      await page.getByRole('group', { name: 'Dynamic Client Registration' }).getByLabel('Register a client for each approved request').check()
      await page.getByLabel('Scopes', { exact: true }).fill('payments')
      await page.getByRole('group', { name: 'Client types offered' }).getByRole('group', { name: 'Embedded IdP (Other)' }).getByLabel('Machine to machine', { exact: true }).check()
      await page.getByRole('button', { name: 'Add the product' }).click()
      assert.equal(await notice(), 'Created.')
      await accessible()
    })

    await step('creates a plan that waits for an admin\'s approval', async () => {
      await nav('Plans').click()
      await page.getByRole('link', { name: 'Add a plan' }).click()
      await page.getByLabel('Name (required)').fill('free_plan')
      await page.getByRole('button', { name: 'Add the plan' }).click()
      assert.equal(await notice(), 'Created.')
      await accessible()
    })

    await step('adds an app and requests access to the product on the plan with the client type', async () => {
      await nav('Apps').click()
      await page.getByRole('link', { name: 'Add an app' }).click()
      await page.getByLabel('Name (required)').fill('Shop backend')
      await page.getByRole('button', { name: 'Add the app' }).click()
      assert.equal(await notice(), 'Created.')
      await page.getByRole('link', { name: 'Request access' }).click()
      await accessible()
      await page.getByRole('group', { name: 'Plan' }).getByLabel('free_plan').check()
      await page.getByRole('group', { name: 'Products' }).getByLabel('payments_api').check()
      await page.getByRole('group', { name: 'Client type' }).getByLabel('Machine to machine').check()
      await page.getByRole('button', { name: 'Request access' }).click()
      assert.match(await notice(), /waits in the queue/)
    })

    let clientId = ''
    let secret = ''
    await step('approves it from the queue, after seeing what will be registered; the secret is shown once', async () => {
      await nav('Access requests').click()
      await accessible()
      await screenshot(page, 'console-queue')
      await page.getByRole('link', { name: /^Access request \d+ of Shop backend$/ }).click()
      assert.match(await page.locator('main').innerText(), /client_credentials/, 'what approval will register')
      await accessible()
      await screenshot(page, 'console-approval-preview')
      await page.getByRole('button', { name: 'Approve' }).click()
      assert.match(await heading(), /^Access request \d+ is approved$/)
      assert.match(await page.locator('main').innerText(), /it will not be shown again/)
      secret = (await page.locator('[id^="client-secret-"]').first().innerText()).trim()
      clientId = (await page.locator('code[id^="client-id-"]').first().innerText()).trim()
      await accessible()
    })

    await step('the secret gets a real client_credentials token at the embedded IdP', async () => {
      const discovery = await (await fetch(`${service.idpOrigin}/.well-known/openid-configuration`)).json() as { token_endpoint: string }
      const answer = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'payments' })
      })
      const token = await answer.json() as { access_token?: string }
      assert.equal(answer.status, 200, JSON.stringify(token))
      assert.equal(typeof token.access_token, 'string')
    })

    await step('the other pages answer, and pass axe', async () => {
      for (const [label, name] of [['Audit log', 'console-audit'], ['IdP operations', ''], ['API reference', '']] as const) {
        await nav(label).click()
        await accessible()
        if (name !== '') await screenshot(page, name)
      }
    })

    await step('signs out of the console and of the IdP', async () => {
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
})
