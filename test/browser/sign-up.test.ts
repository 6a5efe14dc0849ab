// Signing up at the embedded IdP (issue 13 item 2), in Chromium against the real service: open sign-up
// creates the account and signs the person in; the account rules answer in words, tied to the field;
// "by invitation" hides the link and refuses a wrong code; an invitation's code creates the account
// with the invited address, once.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { openDatabase, type Database } from '../../src/db/database.ts'
import { createInvitation, writeSignUpPolicy } from '../../src/db/sign-up.ts'
import { browserSkip, describeViolations, launchChromium, seriousViolations, startConsoleService, type ConsoleService } from '../helpers/browser.ts'

describe('signing up at the embedded IdP', { skip: browserSkip }, () => {
  let service: ConsoleService
  let browser: Browser
  let database: Database

  before(async () => {
    service = await startConsoleService()
    database = await openDatabase({ dialect: 'sqlite', file: path.join(service.dataDir, 'portal.db') })
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await database?.close()
    await service?.close()
  })

  async function signUpPage (): Promise<Page> {
    const page = await (await browser.newContext()).newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(`${service.baseUrl}/console/`)
    return page
  }

  async function fill (page: Page, values: Record<string, string>): Promise<void> {
    for (const [label, value] of Object.entries(values)) await page.getByLabel(label, { exact: true }).fill(value)
    await page.getByRole('button', { name: 'Create the account' }).click()
  }

  it('creates an account, answering the account rules in words, and signs the person in', async () => {
    const page = await signUpPage()
    await page.getByRole('link', { name: 'Create an account' }).click()
    assert.equal(await page.title(), 'Create an account')
    const violations = await seriousViolations(page)
    assert.deepEqual(violations, [], describeViolations(violations))
    await fill(page, { Username: 'carol smith', 'Full name': 'Carol Smith', Email: 'carol@example.test', 'Password (at least 8 characters)': 'short' })
    const alert = await page.getByRole('alert').innerText()
    assert.match(alert, /username "carol smith" must be 1 to 64 characters: letters, digits and \. _ @ \+ -/)
    assert.match(alert, /password must be 8 to 1024 characters/)
    assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), 'true')
    assert.equal(await page.getByLabel('Full name').inputValue(), 'Carol Smith', 'what was typed is kept')
    await fill(page, { Username: 'carol', 'Password (at least 8 characters)': 'carol-password-1' })
    // Signed in: the console answers, and carol is no admin.
    assert.equal(new URL(page.url()).origin, service.baseUrl)
    assert.match(await page.locator('main').innerText(), /signed in as carol, who is not a portal admin/)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.goto(`${service.baseUrl}/console/`)
    await page.getByRole('link', { name: 'Create an account' }).click()
    await fill(page, { Username: 'Carol', 'Full name': 'Another Carol', Email: '', 'Password (at least 8 characters)': 'carol-password-2' })
    assert.match(await page.getByRole('alert').innerText(), /username "Carol" is already taken \(usernames ignore case\)/)
  })

  it('by invitation only: no link, a wrong code refused, a right one creates the invited account once', async () => {
    await writeSignUpPolicy(database.db, 'invitation')
    const code = await createInvitation(database.db, { email: 'dave@example.test', createdBy: 'person:admin', now: new Date(), days: 7 })
    const page = await signUpPage()
    assert.equal(await page.getByRole('link', { name: 'Create an account' }).count(), 0, 'sign-up is not offered')
    // The sign-up address itself asks for a code.
    await page.goto(page.url().replace(/\/interaction\/([^/?]+).*$/, '/interaction/$1/register'))
    await fill(page, { 'Invitation code': 'not-a-code', Username: 'dave', 'Full name': 'Dave', 'Password (at least 8 characters)': 'dave-password-1' })
    assert.match(await page.getByRole('alert').innerText(), /invitation code is not valid/)
    await fill(page, { 'Invitation code': code, 'Password (at least 8 characters)': 'dave-password-1' })
    assert.match(await page.locator('main').innerText(), /signed in as dave/)
    const account = await database.db.selectFrom('idp_accounts').select(['email']).where('username', '=', 'dave').executeTakeFirstOrThrow()
    assert.equal(account.email, 'dave@example.test', 'the invited address')
    const second = await signUpPage()
    await second.goto(second.url().replace(/\/interaction\/([^/?]+).*$/, '/interaction/$1/register'))
    await fill(second, { 'Invitation code': code, Username: 'eve', 'Full name': 'Eve', 'Password (at least 8 characters)': 'eve-password-1' })
    assert.match(await second.getByRole('alert').innerText(), /invitation code is not valid/, 'spent')
    await writeSignUpPolicy(database.db, 'open')
  })
})
