// The developer portal in Chromium (issue 13 "Done when"), against the real service: a new developer signs
// up at the embedded IdP (open policy), lands in the portal, sees the catalogue an admin set up through the
// API, creates an app, requests access on a plan that approves at once, gets credentials, obtains a
// client-credentials token with them, rotates (the old secret refused, the new one working); a second
// developer can neither see nor touch the first one's app, request or credential, by URL (GET and POST)
// or through /portal-api with the portal's cookie; under the "approval" policy a new developer waits until
// an admin activates them through the API; an invitation link pre-fills the IdP's sign-up and links the
// invited user. Every developer page visited passes axe.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { openDatabase, type Database } from '../../src/db/database.ts'
import { createInvitation, writeSignUpPolicy } from '../../src/db/sign-up.ts'
import { accessibilityChecker, adminApi, browserSkip, launchChromium, screenshot, startConsoleService, step, type ConsoleService } from '../helpers/browser.ts'

const PASSWORD = 'developer-password-1'

describe('the developer portal in Chromium', { skip: browserSkip }, () => {
  let service: ConsoleService
  let browser: Browser
  let database: Database
  let page: Page
  let tokenEndpoint: string
  const accessible = accessibilityChecker(() => page)
  const main = async (of: Page = page) => await of.locator('main').innerText()
  const heading = async (of: Page = page) => await of.getByRole('heading', { level: 1 }).innerText()
  const nav = (label: string) => page.getByRole('navigation', { name: 'Developer portal' }).getByRole('link', { name: label, exact: true })
  /** What the first developer made: the pages a second developer tries. */
  const dana = { appName: 'Dana\'s payments', appId: 0, clientId: '', secret: '', urls: {} as Record<string, string>, cookie: '' }

  /** RFC 6749 §4.4 at the embedded IdP's token endpoint, the secret in the Authorization header (client_secret_basic). */
  async function clientCredentials (clientId: string, secret: string, scope: string): Promise<{ status: number; body: { access_token?: string } }> {
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope })
    })
    return { status: response.status, body: await response.json() as { access_token?: string } }
  }

  /** A new browser whose person signs up at the embedded IdP from `start`, as a developer would. */
  async function signUp (context: BrowserContext, start: string, username: string, onSignUpPage?: (tab: Page) => Promise<void>): Promise<Page> {
    const tab = await context.newPage()
    tab.setDefaultTimeout(10_000)
    await tab.goto(`${service.baseUrl}${start}`)
    assert.equal(new URL(tab.url()).origin, service.idpOrigin, 'the sign-in page is the IdP\'s')
    await tab.getByRole('link', { name: 'Create an account' }).click()
    await onSignUpPage?.(tab)
    await tab.getByLabel('Username', { exact: true }).fill(username)
    await tab.getByLabel('Full name', { exact: true }).fill(`${username[0]!.toUpperCase()}${username.slice(1)} Developer`)
    await tab.getByLabel('Email', { exact: true }).fill(`${username}@example.test`)
    await tab.getByLabel('Password (at least 8 characters)', { exact: true }).fill(PASSWORD)
    await tab.getByRole('button', { name: 'Create the account' }).click()
    return tab
  }

  before(async () => {
    service = await startConsoleService()
    database = await openDatabase({ dialect: 'sqlite', file: path.join(service.dataDir, 'portal.db') })
    browser = await launchChromium()
    // What an admin sets up through the API: the embedded IdP, a DCR product offering "Machine to machine",
    // a plan that approves at once, both in a Public catalogue; and a Private catalogue for another organisation.
    const provider = (await adminApi(service, 'POST', '/oauth-providers/embedded')).body
    const machine = provider.ClientTypes.find((type: { Name: string }) => type.Name === 'Machine to machine')
    const product = await adminApi(service, 'POST', '/products', { Name: 'payment_api', DisplayName: 'ACME Payment API', Description: 'Take card payments.', DCREnabled: true, Scopes: 'payments' })
    assert.equal(product.status, 201, JSON.stringify(product.body))
    assert.equal((await adminApi(service, 'POST', `/products/${product.body.ID}/client_types`, { ID: machine.ID })).status, 201)
    const plan = await adminApi(service, 'POST', '/plans', { Name: 'free_plan', ProviderID: 1, JWTScope: 'free-plan', AutoApproveAccessRequests: true })
    assert.equal(plan.status, 200, JSON.stringify(plan.body))
    const open = await adminApi(service, 'POST', '/catalogues', { Name: 'Public APIs', VisibilityStatus: 'Public', Products: [product.body.ID], Plans: [plan.body.ID] })
    assert.equal(open.status, 200, JSON.stringify(open.body))
    const partners = (await adminApi(service, 'POST', '/organisations', { Name: 'Partners' })).body
    const hidden = await adminApi(service, 'POST', '/products', { Name: 'partner_api', DisplayName: 'Partner-only API', DCREnabled: false, Scopes: 'partners' })
    await adminApi(service, 'POST', '/catalogues', { Name: 'Partner APIs', Products: [hidden.body.ID], Plans: [plan.body.ID], OrgCatalogues: [{ OrganisationID: partners.ID }] })
    tokenEndpoint = `${service.idpOrigin}/token`
  })
  after(async () => {
    await browser?.close()
    await database?.close()
    await service?.close()
  })

  it('takes a new developer from sign-up to a working token and a rotation; a second developer can neither see nor touch any of it', async () => {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] })

    await step('signs up at the embedded IdP and lands in the portal\'s catalogue, as a portal user', async () => {
      page = await signUp(context, '/portal/', 'dana')
      assert.equal(new URL(page.url()).pathname, '/portal/')
      assert.equal(await heading(), 'Catalogue')
      assert.match(await page.locator('header').innerText(), /Signed in as Dana Developer \(dana\)/)
      const users = (await adminApi(service, 'GET', '/users?per_page=1000')).body as Array<{ Email: string; Role: string; Active: boolean; OrganisationID: number }>
      const user = users.find((candidate) => candidate.Email === 'dana@example.test')
      assert.deepEqual(user && [user.Role, user.Active, user.OrganisationID], ['consumer-team-member', true, 1], 'an active developer of the Default Organisation')
      await accessible()
    })

    await step('the catalogue shows the Public catalogue\'s product, plan and client type in words, not the other organisation\'s', async () => {
      const text = await main()
      assert.match(text, /ACME Payment API/)
      assert.match(text, /Take card payments\./)
      assert.match(text, /Machine to machine: Your server calls the API with its own identity, no person signing in\. It gets a client ID and a secret/)
      assert.match(text, /free_plan\s+at once\s+free-plan/)
      assert.doesNotMatch(text, /Partner/, 'a Private catalogue of another organisation is not shown')
      await screenshot(page, 'portal-catalogue')
    })

    await step('creates an app: a refused redirect URL answers the API\'s words, the field marked', async () => {
      await nav('My apps').click()
      assert.match(await main(), /You have no app yet/)
      await accessible()
      await page.getByRole('link', { name: 'Create an app' }).click()
      await accessible()
      await page.getByLabel('Name (required)').fill(dana.appName)
      await page.getByLabel('Redirect URLs').fill('http://example.test/callback')
      await page.getByRole('button', { name: 'Create the app' }).click()
      assert.match(await page.getByRole('alert').innerText(), /RedirectURLs/)
      assert.equal(await page.getByLabel('Redirect URLs').getAttribute('aria-invalid'), 'true')
      assert.equal(await page.getByLabel('Name (required)').inputValue(), dana.appName, 'the values are kept')
      await accessible('refused')
      await page.getByLabel('Redirect URLs').fill('')
      await page.getByRole('button', { name: 'Create the app' }).click()
      assert.equal(await heading(), dana.appName)
      assert.equal(await page.getByRole('status').first().innerText(), 'Created.')
      dana.appId = Number(new URL(page.url()).pathname.split('/').pop())
      dana.urls.app = `${service.baseUrl}/portal/apps/${dana.appId}`
      const owner = (await adminApi(service, 'GET', `/apps/${dana.appId}`)).body.UserID
      const users = (await adminApi(service, 'GET', '/users?per_page=1000')).body as Array<{ ID: number; Email: string }>
      assert.equal(owner, users.find((user) => user.Email === 'dana@example.test')?.ID, 'the app is the developer\'s (Tyk\'s UserID)')
      await accessible()
    })

    await step('edits the app', async () => {
      await page.getByRole('link', { name: 'Edit' }).click()
      dana.urls.edit = page.url()
      await accessible()
      await page.getByLabel('Description').fill('Charges cards for the shop.')
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await page.getByRole('status').first().innerText(), 'Saved.')
      assert.match(await main(), /Charges cards for the shop\./)
      await page.getByRole('link', { name: 'Delete…' }).click()
      dana.urls.delete = page.url()
      assert.match(await main(), /This deletes the app and its 0 access requests/)
      await accessible()
      await page.getByRole('link', { name: 'Cancel' }).click()
    })

    await step('requests access on the plan that approves at once: the credential and its secret come on the answer, once', async () => {
      await page.getByRole('link', { name: 'Request access' }).click()
      dana.urls.request = page.url()
      await accessible()
      await page.getByRole('group', { name: 'Products' }).getByLabel('ACME Payment API').check()
      await page.getByRole('group', { name: 'Plan' }).getByLabel('free_plan').check()
      assert.equal(await page.getByRole('group', { name: 'Kind of client' }).getByLabel('Machine to machine').isChecked(), true, 'the one kind offered is chosen')
      await page.getByRole('button', { name: 'Request access' }).click()
      assert.equal(await heading(), 'Access is granted')
      assert.match(await main(), /Copy the client secret now: it will not be shown again/)
      dana.secret = (await page.locator('#client-secret-1').innerText()).trim()
      dana.clientId = (await page.locator('code[id^="client-id-"]').innerText()).trim()
      const curl = await page.locator('code[id^="curl-"]').innerText()
      assert.equal(curl, `curl -s -u '${dana.clientId}:${dana.secret}' -d grant_type=client_credentials -d 'scope=payments free-plan' '${tokenEndpoint}'`)
      assert.match(await main(), /The identity provider registered what the portal asked for/)
      await accessible()
      await screenshot(page, 'portal-credential')
      await page.getByRole('button', { name: 'Copy', exact: true }).first().click()
      await page.locator('#client-secret-1-copied', { hasText: 'Copied.' }).waitFor()
      assert.equal(await page.evaluate(async () => await navigator.clipboard.readText()), dana.secret)
    })

    await step('obtains a client_credentials token with them', async () => {
      const token = await clientCredentials(dana.clientId, dana.secret, 'payments free-plan')
      assert.equal(token.status, 200, JSON.stringify(token.body))
      assert.equal(typeof token.body.access_token, 'string')
    })

    await step('sees the credential without its secret, the curl with a placeholder, and the request granted', async () => {
      await page.getByRole('link', { name: 'Open the credential' }).click()
      dana.urls.credential = page.url()
      assert.equal(await heading(), `Credential ${dana.clientId}`)
      assert.match(await main(), new RegExp(`Token endpoint\\s+${tokenEndpoint.replace(/[.]/g, '\\.')}`))
      assert.match(await main(), /Scopes\s+payments, free-plan/)
      assert.match(await page.locator('code[id^="curl-"]').innerText(), /-u '[^:]+:<client secret>'/)
      assert.equal((await page.content()).includes(dana.secret), false, 'the secret is never shown again')
      await accessible()
      await page.getByRole('link', { name: /^access request \d+$/ }).click()
      dana.urls.accessRequest = page.url()
      assert.match(await main(), /Granted\. Your app may use these products/)
      await accessible()
      await page.goto(dana.urls.credential)
    })

    await step('rotates: says first what stops working; the old secret is refused and the new one works', async () => {
      await page.getByRole('link', { name: 'Rotate the secret…' }).click()
      dana.urls.rotate = page.url()
      assert.match(await main(), /the current client ID and secret stop working/)
      await accessible()
      await page.getByRole('button', { name: 'Rotate the secret' }).click()
      assert.equal(await heading(), 'The secret is rotated')
      const secret = (await page.locator('#client-secret').innerText()).trim()
      const clientId = (await page.locator('code[id^="client-id-"]').innerText()).trim()
      assert.notEqual(secret, dana.secret)
      assert.match(await page.locator('code[id^="curl-"]').innerText(), new RegExp(`-u '${clientId}:${secret.replace(/[-]/g, '\\-')}'`))
      await accessible()
      assert.equal((await clientCredentials(dana.clientId, dana.secret, 'payments')).status, 401, 'the old client and secret are refused')
      const token = await clientCredentials(clientId, secret, 'payments')
      assert.equal(token.status, 200, JSON.stringify(token.body))
      Object.assign(dana, { clientId, secret })
      await page.getByRole('link', { name: 'Open the credential' }).click()
      await page.getByRole('link', { name: 'Delete…' }).click()
      dana.urls.credentialDelete = page.url()
      assert.match(await main(), /its client ID and secret stop working at once/)
      await accessible()
    })

    await step('the developer\'s cookie opens nothing in /portal-api, which takes admin tokens only', async () => {
      const cookies = await context.cookies(service.baseUrl)
      dana.cookie = cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ')
      const answer = await fetch(`${service.baseUrl}/portal-api/apps`, { headers: { cookie: dana.cookie } })
      assert.equal(answer.status, 401)
    })

    // One flow with the above: the second developer tries what the first one made.
    const other = await browser.newContext()
    await step('a second developer signs up from a portal page and comes back to it', async () => {
      page = await signUp(other, '/portal/apps', 'eve')
      assert.equal(new URL(page.url()).pathname, '/portal/apps', 'return_to takes portal paths')
      assert.match(await main(), /You have no app yet/)
      assert.doesNotMatch(await main(), new RegExp(dana.appName), 'another\'s app is not listed')
    })

    await step('every page of the first developer\'s app answers 404, GET and POST, and changes nothing', async () => {
      const csrf = await page.locator('input[name=_csrf]').first().inputValue()
      for (const [name, url] of Object.entries(dana.urls)) {
        const shown = await page.goto(url)
        assert.equal(shown?.status(), 404, `GET ${name}`)
        assert.equal(await heading(), 'Not found', `GET ${name}`)
        assert.doesNotMatch(await main(), new RegExp(`${dana.appName}|${dana.clientId}`), `GET ${name} shows nothing of it`)
        await accessible()
        const posted = await page.request.post(url, { form: { _csrf: csrf, Name: 'Taken over', PlanID: '1', ProductIDs: '1', DCRTemplateID: '1' }, headers: { origin: service.baseUrl }, maxRedirects: 0 })
        assert.equal(posted.status(), 404, `POST ${name}`)
      }
      const app = await adminApi(service, 'GET', `/apps/${dana.appId}`)
      assert.equal(app.body.Name, dana.appName, 'the app is unchanged')
      assert.equal(app.body.AccessRequests.length, 1, 'no access request was added')
      assert.equal((await clientCredentials(dana.clientId, dana.secret, 'payments')).status, 200, 'the credential still works')
    })

    await step('an unknown id answers the same 404 as another\'s, so ids are not confirmed', async () => {
      const shown = await page.goto(dana.urls.app!.replace(/\d+$/, '999999'))
      assert.equal(shown?.status(), 404)
      assert.match(await main(), /Application Not found: app_id "999999"/)
      await page.goto(dana.urls.app!)
      assert.match(await main(), new RegExp(`Application Not found: app_id "${dana.appId}"`))
    })

    await step('/portal-api refuses the second developer\'s cookie', async () => {
      const cookie = (await other.cookies(service.baseUrl)).map((c) => `${c.name}=${c.value}`).join('; ')
      for (const [method, url] of [['GET', `/portal-api/apps/${dana.appId}`], ['GET', '/portal-api/users'], ['DELETE', `/portal-api/apps/${dana.appId}`]] as const) {
        const answer = await fetch(`${service.baseUrl}${url}`, { method, headers: { cookie } })
        assert.equal(answer.status, 401, `${method} ${url}`)
      }
      assert.equal((await adminApi(service, 'GET', `/apps/${dana.appId}`)).status, 200)
    })
    await other.close()
    await context.close()
  })

  it('under the approval policy, a new developer waits until an admin activates them through the API', async () => {
    await writeSignUpPolicy(database.db, 'approval')
    try {
      const context = await browser.newContext()
      await step('signs up and sees only that their account waits for approval', async () => {
        page = await signUp(context, '/portal/', 'walt')
        assert.equal(await heading(), 'Your account waits for an admin\'s approval')
        assert.equal(await page.getByRole('navigation', { name: 'Developer portal' }).count(), 0, 'nothing else')
        assert.doesNotMatch(await main(), /ACME/)
        await accessible('waiting')
        const apps = await page.goto(`${service.baseUrl}/portal/apps`)
        assert.equal(apps?.status(), 403)
        assert.equal(await heading(), 'Your account waits for an admin\'s approval')
      })
      await step('an admin activates the user (PUT /users/{id} Active true): the catalogue opens', async () => {
        const users = (await adminApi(service, 'GET', '/users?per_page=1000')).body as Array<{ ID: number; Email: string; Active: boolean }>
        const walt = users.find((user) => user.Email === 'walt@example.test')
        assert.equal(walt?.Active, false)
        assert.equal((await adminApi(service, 'PUT', `/users/${walt.ID}`, { Active: true })).status, 200)
        await page.goto(`${service.baseUrl}/portal/`)
        assert.equal(await heading(), 'Catalogue')
        assert.match(await main(), /ACME Payment API/)
      })
      await context.close()
    } finally {
      await writeSignUpPolicy(database.db, 'open')
    }
  })

  it('an invitation link pre-fills the IdP\'s sign-up and links the user an admin created for that address', async () => {
    const invited = await adminApi(service, 'POST', '/users', { Email: 'ivy@example.test', First: 'Ivy', Active: true })
    assert.equal(invited.status, 200, JSON.stringify(invited.body))
    await writeSignUpPolicy(database.db, 'invitation')
    try {
      const code = await createInvitation(database.db, { email: 'ivy@example.test', createdBy: 'person:admin', now: new Date(), days: 7 })
      const context = await browser.newContext()
      await step('the link leads to the IdP, whose sign-up carries the code', async () => {
        page = await signUp(context, `/portal/invitation?code=${code}`, 'ivy', async (signUpPage) => {
          assert.equal(await signUpPage.locator('input[name=invitation]').inputValue(), code, 'the code rides along')
          assert.equal(await signUpPage.getByLabel('Invitation code').count(), 0, 'nobody has to type it')
        })
        assert.equal(new URL(page.url()).pathname, '/portal/')
        assert.equal(await heading(), 'Catalogue')
      })
      await step('the invited user is the one signed in: no second user, the app is theirs', async () => {
        const users = (await adminApi(service, 'GET', '/users?per_page=1000')).body as Array<{ ID: number; Email: string }>
        assert.deepEqual(users.filter((user) => user.Email === 'ivy@example.test').map((user) => user.ID), [invited.body.ID])
        await nav('My apps').click()
        await page.getByRole('link', { name: 'Create an app' }).click()
        await page.getByLabel('Name (required)').fill('Ivy\'s app')
        await page.getByRole('button', { name: 'Create the app' }).click()
        const appId = Number(new URL(page.url()).pathname.split('/').pop())
        assert.equal((await adminApi(service, 'GET', `/apps/${appId}`)).body.UserID, invited.body.ID)
      })
      const damaged = await (await context.newPage()).goto(`${service.baseUrl}/portal/invitation?code=${encodeURIComponent('<script>')}`)
      assert.equal(damaged?.status(), 400)
      await context.close()
    } finally {
      await writeSignUpPolicy(database.db, 'open')
    }
  })
})
