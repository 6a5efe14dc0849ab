// Products and plans in the admin console, in Chromium (issue 12 item 2): a DCR product offering the
// embedded IdP's "Machine to machine" client type with a scope, a plan that waits for an admin, both
// edited, refused changes shown in the API's words with the field marked, offers stopped and made
// again, and both deleted through their question page. Every page visited passes axe.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { accessibilityChecker, adminApi, browserSkip, launchChromium, signInAtIdp, startConsoleService, step, type ConsoleService } from '../helpers/browser.ts'

describe('products and plans in the admin console', { skip: browserSkip }, () => {
  let service: ConsoleService
  let browser: Browser
  let page: Page

  const accessible = accessibilityChecker(() => page)

  const api = async (method: string, path: string, body?: unknown) => await adminApi(service, method, path, body)

  /** The id in the page's path, e.g. /console/products/7 → "7". */
  const shownId = () => new URL(page.url()).pathname.split('/')[3] ?? ''

  const main = () => page.locator('main')
  const notice = async () => await page.getByRole('status').innerText()
  const nav = (label: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true })
  const offered = () => page.getByRole('group', { name: 'Client types offered' }).getByRole('group', { name: 'Embedded IdP (Other)' })

  before(async () => {
    service = await startConsoleService()
    browser = await launchChromium()
    page = await (await browser.newContext()).newPage()
    page.setDefaultTimeout(10_000)
    // The provider is another page's business: connected through the API, as a script would.
    assert.equal((await api('POST', '/oauth-providers/embedded')).status, 200)
    await page.goto(`${service.baseUrl}/console/`)
    await signInAtIdp(page, 'admin', service.adminPassword)
    assert.equal(new URL(page.url()).pathname, '/console/')
  })
  after(async () => {
    await browser?.close()
    await service?.close()
  })

  it('products: a DCR product offering "Machine to machine" with a scope, refused changes in the API\'s words, offers stopped and made again, deleted after the question', async () => {
    // A plan holding a scope, for a refused change: plans are the other test's business.
    assert.equal((await api('POST', '/plans', { Name: 'gold_plan', ProviderID: 0, JWTScope: 'gold' })).status, 200)
    let id = ''

    await step('the empty products page says what to do', async () => {
      await nav('Products').click()
      assert.equal(new URL(page.url()).pathname, '/console/products')
      assert.match(await main().innerText(), /No product yet/)
      assert.equal(await nav('Products').getAttribute('aria-current'), 'page')
      await accessible()
    })

    await step('creates the product, each field explained in words', async () => {
      await page.getByRole('link', { name: 'Add a product' }).click()
      await accessible()
      assert.match(await page.locator('#field-DCREnabled').innerText(), /Approved requests get a client registered at the identity provider/)
      assert.match(await page.locator('#field-Templates').innerText(), /Web application/, 'every client type of the provider is a choice')
      await page.getByLabel('Name (required)').fill('payment_api')
      await page.getByLabel('Display name').fill('ACME Payment API')
      await page.getByRole('group', { name: 'Dynamic Client Registration' }).getByLabel('Register a client for each approved request').check()
      await page.getByLabel('Scopes', { exact: true }).fill('payments')
      await offered().getByLabel('Machine to machine', { exact: true }).check()
      await page.getByRole('button', { name: 'Add the product' }).click()
      assert.equal(await notice(), 'Created.')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'payment_api')
      const facts = await page.locator('.facts').innerText()
      assert.match(facts, /on: each approved request gets a client registered at the identity provider/)
      assert.match(facts, /payments/)
      assert.match(await page.locator('table').innerText(), /Machine to machine\s+Embedded IdP\s+client_credentials/)
      await accessible()
      id = shownId()
      // The API sees the same product.
      const product = await api('GET', `/products/${id}`)
      assert.deepEqual(product.body, { ...product.body as object, Name: 'payment_api', DisplayName: 'ACME Payment API', DCREnabled: true, Scopes: 'payments', Templates: ['Machine to machine'] })
    })

    await step('refuses a product named like another: the API\'s words, the field marked, the values kept', async () => {
      await nav('Products').click()
      await page.getByRole('link', { name: 'Add a product' }).click()
      await page.getByLabel('Name (required)').fill('payment_api')
      await page.getByLabel('Scopes', { exact: true }).fill('refunds')
      await page.getByRole('button', { name: 'Add the product' }).click()
      assert.match(await page.getByRole('alert').innerText(), /Name "payment_api" is already used by another product/)
      assert.equal(await page.locator('#field-Name').getAttribute('aria-invalid'), 'true')
      assert.match(await page.locator('#field-Name-error').innerText(), /already used by another product/)
      assert.equal(await page.getByLabel('Scopes', { exact: true }).inputValue(), 'refunds', 'what was typed is kept')
      await accessible('refused')
      assert.equal(((await api('GET', '/products')).body as unknown[]).length, 1, 'nothing was created')
    })

    await step('edits it: a scope a plan holds is refused naming the holder, then a good change is saved', async () => {
      await nav('Products').click()
      const row = page.locator('tr', { hasText: 'payment_api' })
      assert.match(await row.innerText(), /payment_api\s+on\s+Machine to machine \(Embedded IdP\)\s+payments\s+\d{4}-\d\d-\d\d \d\d:\d\d/)
      await row.getByRole('link', { name: 'payment_api' }).click()
      await page.getByRole('link', { name: 'Edit' }).click()
      await accessible()
      assert.equal(await offered().getByLabel('Machine to machine', { exact: true }).isChecked(), true, 'the offered client type is checked')
      await page.getByLabel('Scopes', { exact: true }).fill('payments gold')
      await page.getByRole('button', { name: 'Save' }).click()
      assert.match(await page.getByRole('alert').innerText(), /Scopes "gold" is already used by plan \d+ "gold_plan": a scope belongs to one product or plan/)
      assert.equal(await page.locator('#field-Scopes').getAttribute('aria-invalid'), 'true')
      await accessible('refused')
      await page.getByLabel('Scopes', { exact: true }).fill('payments clients')
      await offered().getByLabel('Web application', { exact: true }).check()
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await notice(), 'Saved.')
      assert.match(await page.locator('.facts').innerText(), /payments clients/)
      const product = await api('GET', `/products/${id}`)
      assert.deepEqual(product.body, { ...product.body as object, Scopes: 'payments,clients', Templates: ['Machine to machine', 'Web application'], DisplayName: 'ACME Payment API' })
    })

    await step('stops offering a client type and offers it again, one at a time', async () => {
      await page.getByRole('button', { name: 'Stop offering Web application' }).click()
      assert.equal(await notice(), 'The client type is no longer offered.')
      assert.doesNotMatch(await page.locator('table').innerText(), /Web application/)
      await page.getByRole('button', { name: 'Offer it' }).click()
      assert.match(await page.getByRole('alert').innerText(), /ID is required/, 'nothing chosen: the API\'s words')
      assert.equal(await page.locator('#field-ID').getAttribute('class'), 'field invalid')
      await accessible('refused')
      await page.getByRole('group', { name: 'Client type to offer' }).getByLabel('Web application', { exact: true }).check()
      await page.getByRole('button', { name: 'Offer it' }).click()
      assert.equal(await notice(), 'The client type is offered now.')
      assert.deepEqual((await api('GET', `/products/${id}/client_types`)).body, [{ ID: 1, Name: 'Machine to machine' }, { ID: 2, Name: 'Web application' }])
    })

    await step('deletes it after the question page, which says what follows', async () => {
      await page.getByRole('link', { name: 'Delete…' }).click()
      const question = await main().innerText()
      assert.match(question, /The 2 client types it offers stop being offered by it; they stay at their provider/)
      assert.match(question, /Its scopes \(payments, clients\) are freed/)
      await accessible()
      await page.getByRole('button', { name: 'Delete the product' }).click()
      assert.equal(await notice(), 'Deleted.')
      assert.match(await main().innerText(), /No product yet/)
      assert.equal((await api('GET', `/products/${id}`)).status, 404)
      assert.equal((await api('GET', '/oauth-providers/1/client-types/1')).status, 200, 'the client type stays at its provider')
    })
  })

  it('plans: one whose requests wait for an admin, a bad scope refused in the API\'s words, edited, deleted after the question', async () => {
    let id = ''

    await step('creates the plan, auto-approval explained in words and left off', async () => {
      await nav('Plans').click()
      assert.equal(await nav('Plans').getAttribute('aria-current'), 'page')
      await accessible()
      await page.getByRole('link', { name: 'Add a plan' }).click()
      await accessible()
      assert.match(await page.locator('#field-AutoApproveAccessRequests').innerText(), /Requests on this plan are approved at once/)
      await page.getByLabel('Name (required)').fill('free_plan')
      await page.getByLabel('JWT scope').fill('free-plan')
      assert.equal(await page.getByLabel('Approve access requests at once').isChecked(), false)
      await page.getByRole('button', { name: 'Add the plan' }).click()
      assert.equal(await notice(), 'Created.')
      assert.match(await page.locator('.facts').innerText(), /Access requests\s+wait for an admin to approve them/)
      await accessible()
      id = shownId()
      const plan = await api('GET', `/plans/${id}`)
      assert.deepEqual(plan.body, { ...plan.body as object, Name: 'free_plan', JWTScope: 'free-plan', AutoApproveAccessRequests: false, ProviderID: 0 })
    })

    await step('edits it: a bad scope is refused in the API\'s words, the field marked, then a good change is saved', async () => {
      await nav('Plans').click()
      assert.match(await page.locator('tr', { hasText: 'free_plan' }).innerText(), /free_plan\s+free-plan\s+approved by an admin/)
      await page.getByRole('link', { name: 'free_plan' }).click()
      await page.getByRole('link', { name: 'Edit' }).click()
      await accessible()
      await page.getByLabel('JWT scope').fill('free"plan')
      await page.getByLabel('Display name').fill('Free plan')
      await page.getByRole('button', { name: 'Save' }).click()
      assert.match(await page.getByRole('alert').innerText(), /JWTScope has an invalid scope "free\\"plan"/)
      assert.equal(await page.locator('#field-JWTScope').getAttribute('aria-invalid'), 'true')
      assert.equal(await page.getByLabel('Display name').inputValue(), 'Free plan', 'what was typed is kept')
      await accessible('refused')
      await page.getByLabel('JWT scope').fill('free-plan basic')
      await page.getByLabel('Rate limit', { exact: true }).fill('5')
      await page.getByLabel('Per (seconds)').fill('10')
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await notice(), 'Saved.')
      assert.match(await page.locator('.facts').innerText(), /5 per 10 s/)
      const plan = await api('GET', `/plans/${id}`)
      assert.deepEqual(plan.body, { ...plan.body as object, DisplayName: 'Free plan', JWTScope: 'free-plan,basic', RateLimit: 5, Per: 10, AutoApproveAccessRequests: false })
    })

    await step('deletes it after the question page, which says what follows', async () => {
      await page.getByRole('link', { name: 'Delete…' }).click()
      assert.match(await main().innerText(), /Its JWT scope \(free-plan, basic\) is freed/)
      await accessible()
      await page.getByRole('button', { name: 'Delete the plan' }).click()
      assert.equal(await notice(), 'Deleted.')
      assert.equal((await api('GET', `/plans/${id}`)).status, 404)
    })
  })
})
