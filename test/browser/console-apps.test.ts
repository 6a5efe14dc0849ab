// Apps, access requests and credentials in the console, in Chromium (issue 12 items 2 and 4, and its "Done
// when"): an admin finds a request in the queue, sees what approval will register at the embedded IdP,
// approves, copies the secret shown once, and that secret gets a real token; rotation stops the old one,
// deletion the new one; a web-application client approved here signs a person in at the IdP (code + PKCE)
// and the app gets an ID token with the person's claims. Every console page visited passes axe.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import * as oidc from 'openid-client'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { accessibilityChecker, browserSkip, launchChromium, signInAtIdp, startConsoleService, step, type ConsoleService } from '../helpers/browser.ts'
import { okService } from '../helpers/process.ts'

describe('apps, access requests and credentials in the console, in Chromium', { skip: browserSkip }, () => {
  let service: ConsoleService
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let tokenEndpoint: string
  const ids = { machine: 0, web: 0, plan: 0, user: 0, paymentApp: 0, paid: 0, refused: 0 }
  const issued = { clientId: '', secret: '', credentialUrl: '' }

  const api = async (method: string, url: string, body?: unknown) => await okService(service.service, service.adminToken, method, `/portal-api${url}`, body)
  const accessible = accessibilityChecker(() => page)
  const main = async () => await page.locator('main').innerText()
  /** RFC 6749 §4.4 at the embedded IdP's token endpoint, the secret in the Authorization header (client_secret_basic). */
  const clientCredentials = async (clientId: string, secret: string, scope: string) => {
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope })
    })
    return { status: response.status, body: await response.json() as { access_token?: string; scope?: string; error?: string } }
  }

  before(async () => {
    service = await startConsoleService()
    tokenEndpoint = (await (await fetch(`${service.idpOrigin}/.well-known/openid-configuration`)).json() as { token_endpoint: string }).token_endpoint
    // What the console does not own here, through the API: the embedded IdP, a DCR product offering
    // "Machine to machine", a plan that waits for approval, two apps and their requests.
    const provider = await api('POST', '/oauth-providers/embedded')
    ids.machine = provider.ClientTypes.find((type: { Name: string }) => type.Name === 'Machine to machine').ID
    ids.web = provider.ClientTypes.find((type: { Name: string }) => type.Name === 'Web application').ID
    const product = await api('POST', '/products', { Name: 'payments_api', DisplayName: 'Payments API', DCREnabled: true, Scopes: 'payments' })
    await api('POST', `/products/${product.ID}/client_types`, { ID: ids.machine })
    ids.plan = (await api('POST', '/plans', { Name: 'Free plan', ProviderID: 1, JWTScope: 'free-plan', AutoApproveAccessRequests: false })).ID
    ids.user = (await api('POST', '/users', { Email: 'pat@payments.test', First: 'Pat', Last: 'Payer', Active: true })).ID
    ids.paymentApp = (await api('POST', '/apps', { Name: 'Payment App', UserID: ids.user })).ID
    ids.paid = (await api('PUT', `/apps/${ids.paymentApp}/provision`, { PlanID: ids.plan, ProductIDs: [product.ID], DCRTemplateID: ids.machine })).ID
    const other = (await api('POST', '/apps', { Name: 'Unwanted App' })).ID
    ids.refused = (await api('PUT', `/apps/${other}/provision`, { PlanID: ids.plan, ProductIDs: [product.ID], DCRTemplateID: ids.machine })).ID

    browser = await launchChromium()
    context = await browser.newContext()
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.baseUrl })
    page = await context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(`${service.baseUrl}/`)
    await signInAtIdp(page, 'admin', service.adminPassword)
  })
  after(async () => {
    await browser?.close()
    await service?.close()
  })

  it('takes a request from the queue to a token: preview, approval, the secret once, rotation, deletion, and a rejection', async () => {
    await step('finds the request in the queue of pending requests, with who asked for what', async () => {
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Access requests' }).click()
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Access requests')
      const row = await page.locator('tr', { hasText: 'Payment App' }).innerText()
      for (const expected of [`#${ids.paid}`, /Pat Payer \(pat@payments\.test\)/, 'payments_api', 'Free plan', 'Machine to machine', 'pending', /\d+ minutes?/]) {
        assert.match(row, expected instanceof RegExp ? expected : new RegExp(expected), row)
      }
      assert.match(await main(), /Unwanted App/)
      await accessible()
      await page.getByRole('link', { name: 'Approved', exact: true }).click()
      assert.match(await main(), /No approved access request/)
      await accessible()
      await page.getByRole('link', { name: 'Pending', exact: true }).click()
    })

    await step('shows what approval will register at the IdP, as the approval builds it', async () => {
      await page.getByRole('link', { name: `Access request ${ids.paid} of Payment App` }).click()
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Access request ${ids.paid}`)
      assert.match(await main(), /registers a new client for the app at Embedded IdP/)
      const registered = page.getByRole('table')
      const value = async (label: string) => await registered.locator('tr', { has: page.locator('td', { hasText: new RegExp(`^${label}$`) }) }).locator('td').nth(2).innerText()
      assert.equal(await value('Grant types'), 'client_credentials')
      assert.equal(await value('Response types'), 'none')
      assert.equal(await value('Redirect URIs'), 'none')
      assert.equal(await value('Scopes'), 'payments, free-plan')
      assert.equal(await value('Token endpoint authentication'), 'client_secret_basic')
      assert.match(await value('Client name'), /^Payment App \[portal:\d+:\d+:…\]$/)
      await accessible()
    })

    await step('approves; the answer shows the credential and its secret once, which gets a real token', async () => {
      // A second tab shows the same request, still pending, for the refused approval below.
      const stale = await context.newPage()
      await stale.goto(page.url())
      await page.getByRole('button', { name: 'Approve' }).click()
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Access request ${ids.paid} is approved`)
      assert.match(await main(), /Copy the client secret now: it will not be shown again/)
      issued.secret = (await page.locator('#client-secret-1').innerText()).trim()
      issued.clientId = (await page.locator('code[id^="client-id-"]').innerText()).trim()
      assert.match(await main(), new RegExp(`Token endpoint\\s+${tokenEndpoint.replace(/[.]/g, '\\.')}`))
      assert.match(await main(), /The identity provider registered what the portal asked for/)
      await accessible()
      await page.getByRole('button', { name: 'Copy' }).first().click()
      await page.locator('#client-secret-1-copied', { hasText: 'Copied.' }).waitFor() // the clipboard answers asynchronously
      assert.equal(await page.evaluate(async () => await navigator.clipboard.readText()), issued.secret)

      const token = await clientCredentials(issued.clientId, issued.secret, 'payments free-plan')
      assert.equal(token.status, 200, JSON.stringify(token.body))
      assert.equal(typeof token.body.access_token, 'string')

      // The same approval again, from the page that still showed the request pending: the API's reason, in words.
      await stale.getByRole('button', { name: 'Approve' }).click()
      assert.match(await stale.getByRole('alert').innerText(), new RegExp(`access request ${ids.paid} is approved, not pending`))
      await stale.close()
    })

    await step('shows the credential without its secret: client id, token endpoint, scopes', async () => {
      await page.getByRole('link', { name: 'Open the credential' }).click()
      issued.credentialUrl = page.url()
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Credential ${issued.clientId}`)
      const text = await main()
      assert.match(text, /Scopes\s+payments, free-plan/)
      assert.match(text, new RegExp(`Token endpoint\\s+${tokenEndpoint.replace(/[.]/g, '\\.')}`))
      assert.match(text, /Client secret\s+shown only on the page of the approval or rotation that issued it/)
      assert.equal((await page.content()).includes(issued.secret), false, 'the secret is never shown again')
      await accessible()
    })

    await step('rotates: says first what stops working; the old secret is refused and the new one works', async () => {
      await page.getByRole('link', { name: 'Rotate the secret…' }).click()
      assert.match(await main(), /registers a replacement client .* then deletes the current client at the identity provider: from that moment the current client ID and secret stop working/)
      await accessible()
      await page.getByRole('button', { name: 'Rotate the secret' }).click()
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'The secret is rotated')
      assert.match(await main(), /it will not be shown again/)
      assert.match(await main(), new RegExp(`Client ${issued.clientId} is replaced by client`))
      assert.match(await main(), new RegExp(`client ${issued.clientId} is deleted at the IdP`))
      const secret = (await page.locator('#client-secret').innerText()).trim()
      const clientId = (await page.locator('code[id^="client-id-"]').innerText()).trim()
      assert.notEqual(secret, issued.secret)
      await accessible()

      assert.equal((await clientCredentials(issued.clientId, issued.secret, 'payments')).status, 401, 'the old client and secret are refused')
      const token = await clientCredentials(clientId, secret, 'payments')
      assert.equal(token.status, 200, JSON.stringify(token.body))
      Object.assign(issued, { clientId, secret })
    })

    await step('deletes the credential, saying that it deletes the client at the IdP', async () => {
      await page.goto(issued.credentialUrl)
      await page.getByRole('link', { name: 'Delete…' }).click()
      assert.match(await main(), new RegExp(`This deletes client ${issued.clientId} at the identity provider: its client ID and secret stop working at once`))
      await accessible()
      await page.getByRole('button', { name: 'Delete the credential and its client' }).click()
      assert.match(await page.getByRole('status').innerText(), new RegExp(`client ${issued.clientId} is deleted at the IdP`))
      await accessible()
      assert.equal((await clientCredentials(issued.clientId, issued.secret, 'payments')).status, 401)
    })

    await step('rejects another request, after saying what rejecting does', async () => {
      await page.goto(`${service.baseUrl}/console/access-requests`)
      await page.getByRole('link', { name: `Access request ${ids.refused} of Unwanted App` }).click()
      await page.getByRole('link', { name: 'Reject…' }).click()
      assert.match(await main(), /nothing changes at the identity provider/)
      await accessible()
      await page.getByRole('button', { name: 'Reject the request' }).click()
      assert.equal(await page.getByRole('status').innerText(), 'Rejected.')
      assert.match(await main(), /Status\s+rejected/)
      await page.goto(`${service.baseUrl}/console/access-requests?status=rejected`)
      assert.match(await page.locator('tr', { hasText: 'Unwanted App' }).innerText(), /rejected/)
      assert.equal((await api('GET', `/access_requests/${ids.refused}`)).Status, 'rejected', 'the API sees the same')
    })
  })

  it('adds an app, refusing a redirect URL as the API does with the field marked, asks for access, edits and deletes it', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Apps' }).click()
    assert.match(await page.locator('tr', { hasText: 'Payment App' }).innerText(), new RegExp(`user ${ids.user}`))
    await accessible()
    await page.getByRole('link', { name: 'Add an app' }).click()
    await accessible()
    await page.getByLabel('Name (required)').fill('Inventory App')
    await page.getByLabel('Redirect URLs').fill('http://inventory.example.com/cb')
    await page.getByRole('button', { name: 'Add the app' }).click()
    assert.match(await page.getByRole('alert').innerText(), /RedirectURLs has a URL that uses http with a host other than 127\.0\.0\.1, \[::1\] or localhost \(use https\)/)
    assert.equal(await page.getByLabel('Redirect URLs').getAttribute('aria-invalid'), 'true')
    assert.equal(await page.getByLabel('Name (required)').inputValue(), 'Inventory App', 'what was typed is kept')
    await accessible()
    await page.getByLabel('Redirect URLs').fill('https://inventory.example.com/cb')
    await page.getByRole('button', { name: 'Add the app' }).click()
    assert.equal(await page.getByRole('status').innerText(), 'Created.')
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Inventory App')
    await accessible()

    await page.getByRole('link', { name: 'Request access' }).click()
    await accessible()
    await page.getByRole('group', { name: 'Plan' }).getByLabel('Free plan').check()
    await page.getByRole('group', { name: 'Products' }).getByLabel('payments_api').check()
    await page.getByRole('button', { name: 'Request access' }).click()
    assert.match(await page.getByRole('alert').innerText(), /DCRTemplateID is required for DCR products/)
    await accessible()
    await page.getByRole('group', { name: 'Client type' }).getByLabel('Machine to machine').check()
    await page.getByRole('button', { name: 'Request access' }).click()
    assert.match(await page.getByRole('status').innerText(), /waits in the queue/)
    assert.match(await main(), /App\s+Inventory App/)

    await page.getByRole('link', { name: 'Inventory App' }).click()
    await page.getByRole('link', { name: 'Edit' }).click()
    await accessible()
    await page.getByLabel('Description').fill('Stock levels')
    await page.getByRole('button', { name: 'Save' }).click()
    assert.equal(await page.getByRole('status').innerText(), 'Saved.')
    assert.match(await main(), /Description\s+Stock levels/)
    assert.match(await page.locator('tr', { hasText: 'payments_api' }).innerText(), /pending/)

    await page.getByRole('link', { name: 'Delete…' }).click()
    assert.match(await main(), /This deletes the app, its 1 access request and 0 credentials/)
    await accessible()
    await page.getByRole('button', { name: 'Delete the app' }).click()
    assert.equal(await page.getByRole('status').innerText(), 'Deleted.')
    assert.equal(await page.locator('main').getByText('Inventory App').count(), 0)
  })

  it('approves a web application in the console, which then signs a person in at the embedded IdP with code + PKCE (the issue\'s "Done when")', async () => {
    // The app's callback: a loopback server of the test's own, which receives the authorization response.
    const callbacks: URL[] = []
    const callbackServer = http.createServer((request, response) => {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`)
      if (url.pathname === '/callback') callbacks.push(url) // not the browser's /favicon.ico
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>Signed in</title><h1>Signed in</h1></html>')
    })
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve))
    const redirectUri = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`
    try {
      // OpenID Connect's scopes on the product: the IdP lets a registered client ask only for the scopes it holds.
      const product = await api('POST', '/products', { Name: 'shop_api', DCREnabled: true, Scopes: 'openid profile email shop' })
      await api('POST', `/products/${product.ID}/client_types`, { ID: ids.web })
      const app = await api('POST', '/apps', { Name: 'Shop', RedirectURLs: redirectUri })
      const requestId = (await api('PUT', `/apps/${app.ID}/provision`, { PlanID: ids.plan, ProductIDs: [product.ID], DCRTemplateID: ids.web })).ID

      await page.goto(`${service.baseUrl}/console/access-requests/${requestId}`)
      const text = await main()
      assert.match(text, /Grant types\s+grant_types\s+authorization_code, refresh_token/)
      assert.match(text, /Response types\s+response_types\s+code/)
      assert.match(text, new RegExp(`Redirect URIs\\s+redirect_uris\\s+${redirectUri.replace(/[.]/g, '\\.')}`))
      await page.getByRole('button', { name: 'Approve' }).click()
      const clientId = (await page.locator('code[id^="client-id-"]').innerText()).trim()
      const secret = (await page.locator('#client-secret-1').innerText()).trim()

      // The app, as a relying party: openid-client with the client id and secret the console issued.
      const config = await oidc.discovery(new URL(service.idpOrigin), clientId, undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] })
      const verifier = oidc.randomPKCECodeVerifier()
      const state = oidc.randomState()
      const nonce = oidc.randomNonce()
      const authorizationUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: 'openid profile email', state, nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256'
      })

      // A person, in a browser of their own (no session at the IdP yet): sign in, consent, back to the app.
      const person = await browser.newContext()
      const tab = await person.newPage()
      tab.setDefaultTimeout(10_000)
      await tab.goto(authorizationUrl.href)
      assert.equal(await tab.title(), 'Sign in')
      await signInAtIdp(tab, 'admin', service.adminPassword)
      assert.match(await tab.locator('body').innerText(), /Shop/, 'the consent page names the app')
      await tab.getByRole('button', { name: 'Allow' }).click()
      await tab.waitForURL((url) => url.href.startsWith(redirectUri))
      await person.close()

      assert.equal(callbacks.length, 1)
      const callback = callbacks[0]!
      assert.equal(callback.searchParams.get('state'), state)
      assert.ok(callback.searchParams.get('code'), 'the callback received a code')
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })
      const claims = tokens.claims()
      assert.ok(claims !== undefined, 'an ID token')
      assert.equal(typeof claims.sub, 'string')
      assert.equal(claims.name, 'Administrator')
      assert.equal(claims.preferred_username, 'admin')
      assert.equal(claims.email, undefined, 'the admin account has no email, so no email claim')
      assert.equal(claims.aud, clientId)
    } finally {
      await new Promise((resolve) => callbackServer.close(resolve))
    }
  })
})
