// Users, organisations, teams, catalogues and settings in the admin console, in Chromium (issue 13 items
// 2, 4 and 5): users added, edited, refused in the API's words with the field marked, activated after
// waiting for approval, deleted after the question; a developer invited, the link shown once and its code
// accepted by the IdP's sign-up under "by invitation only"; organisations and teams with what deleting
// them moves; a private catalogue with an audience; an admin user's API token created, used on
// /portal-api, and revoked. Every page visited passes axe.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { openDatabase, type Database } from '../../src/db/database.ts'
import { accessibilityChecker, adminApi, browserSkip, launchChromium, signInAtIdp, startConsoleService, step, type ConsoleService } from '../helpers/browser.ts'

describe('users, organisations, catalogues and settings in the admin console', { skip: browserSkip }, () => {
  let service: ConsoleService
  let browser: Browser
  let page: Page
  let database: Database

  const accessible = accessibilityChecker(() => page)
  const api = async (method: string, url: string, body?: unknown) => await adminApi(service, method, url, body)
  /** An API call that must succeed: its body. */
  const ok = async (method: string, url: string, body?: unknown) => {
    const answer = await api(method, url, body)
    assert.ok(answer.status < 300, `${method} ${url}: ${answer.status} ${JSON.stringify(answer.body)}`)
    return answer.body
  }
  const main = async () => await page.locator('main').innerText()
  const notice = async () => await page.locator('main').getByRole('status').first().innerText()
  const nav = (label: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true })
  const group = (name: string) => page.getByRole('group', { name, exact: true })
  /** The id in the page's path, e.g. /console/users/7 → 7. */
  const shownId = () => Number(new URL(page.url()).pathname.split('/')[3])
  /** What the audit log says of a resource, newest first: "actor action". */
  const audited = async (type: string, id: number) =>
    ((await ok('GET', `/audit-log?resource_type=${type}&resource_id=${id}`)) as Array<{ Actor: string; Action: string }>).map((entry) => `${entry.Actor} ${entry.Action}`)

  before(async () => {
    service = await startConsoleService()
    database = await openDatabase({ dialect: 'sqlite', file: path.join(service.dataDir, 'portal.db') })
    browser = await launchChromium()
    const context = await browser.newContext()
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.baseUrl })
    page = await context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(`${service.baseUrl}/console/`)
    await signInAtIdp(page, 'admin', service.adminPassword)
    assert.equal(new URL(page.url()).pathname, '/console/')
  })
  after(async () => {
    await browser?.close()
    await database?.close()
    await service?.close()
  })

  it('users: added, edited, a refused change in the API\'s words with the field marked, a waiting user activated, deleted after the question', async () => {
    let dana = 0

    await step('the users page offers adding and inviting', async () => {
      await nav('Users').click()
      assert.equal(new URL(page.url()).pathname, '/console/users')
      assert.equal(await nav('Users').getAttribute('aria-current'), 'page')
      await accessible()
    })

    await step('adds a developer: the Default Organisation and its default team unless told otherwise', async () => {
      await page.getByRole('link', { name: 'Add a user' }).click()
      await accessible()
      assert.equal(await group('Organisation').getByLabel('Default Organisation', { exact: true }).isChecked(), true)
      assert.equal(await group('Role').getByLabel('Consumer team member', { exact: true }).isChecked(), true)
      await page.getByLabel('Email (required)').fill('dana@acme.test')
      await page.getByLabel('First name').fill('Dana')
      await page.getByLabel('Last name').fill('Dev')
      await page.getByRole('button', { name: 'Add the user' }).click()
      assert.equal(await notice(), 'Created.')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Dana Dev')
      assert.match(await page.locator('.facts').innerText(), /Default Organisation All users/)
      assert.doesNotMatch(await main(), /API token/, 'a developer has no API token')
      await accessible()
      dana = shownId()
      const shown = await ok('GET', `/users/${dana}`)
      assert.deepEqual([shown.Email, shown.Active, shown.Role, shown.OrganisationID, shown.Teams.map((team: { ID: number }) => team.ID)], ['dana@acme.test', true, 'consumer-team-member', 1, [1]])
    })

    await step('refuses an admin role in an organisation, in the API\'s words, the fields marked, the values kept', async () => {
      await page.getByRole('link', { name: 'Edit' }).click()
      await accessible()
      await group('Role').getByLabel('Super admin', { exact: true }).check()
      await page.getByLabel('Last name').fill('Developer')
      await page.getByRole('button', { name: 'Save' }).click()
      const alert = await page.getByRole('alert').innerText()
      assert.match(alert, /OrganisationID must be 0 for an admin user \(Role "super-admin"\), got 1/)
      assert.match(alert, /Teams must be empty for an admin user \(Role "super-admin"\)/)
      assert.match(await page.locator('#field-OrganisationID').getAttribute('class') ?? '', /invalid/)
      assert.match(await page.locator('#field-OrganisationID-error').innerText(), /must be 0 for an admin user/)
      assert.equal(await group('Role').getByLabel('Super admin', { exact: true }).isChecked(), true, 'what was chosen is kept')
      assert.equal(await page.getByLabel('Last name').inputValue(), 'Developer')
      await accessible('refused')
      assert.equal((await ok('GET', `/users/${dana}`)).Role, 'consumer-team-member', 'nothing was changed')
      await group('Role').getByLabel('Consumer admin', { exact: true }).check()
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await notice(), 'Saved.')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Dana Developer')
      assert.match(await page.locator('.facts').innerText(), /Consumer admin \(consumer-admin\)/)
    })

    await step('activates a developer waiting for approval, from the list of those waiting', async () => {
      // Under "approval required", a new developer waits inactive: made here through the API.
      const waiting = await ok('POST', '/users', { Email: 'walt@acme.test', First: 'Walt', Last: 'Waiting', Active: false })
      await nav('Users').click()
      await page.getByRole('link', { name: 'Waiting for approval (inactive)' }).click()
      assert.match(await page.locator('tr', { hasText: 'walt@acme.test' }).innerText(), /Walt Waiting\s+walt@acme.test\s+Consumer team member\s+Default Organisation\s+no/)
      assert.doesNotMatch(await main(), /dana@acme\.test/, 'only those waiting')
      await accessible()
      await page.getByRole('button', { name: 'Activate Walt Waiting' }).click()
      assert.equal(await notice(), 'Activated: the user may use the portal now.')
      assert.match(await main(), /Nobody is waiting for approval/)
      assert.equal((await ok('GET', `/users/${waiting.ID}`)).Active, true)
    })

    await step('deletes the user after the question, which says their apps go too', async () => {
      await ok('POST', '/apps', { Name: 'Dana App', UserID: dana })
      await page.goto(`${service.baseUrl}/console/users/${dana}`)
      await page.getByRole('link', { name: 'Delete…' }).click()
      await accessible()
      const question = await main()
      assert.match(question, /This deletes the user dana@acme\.test and the 1 app they own/)
      assert.match(question, /deleted at the identity provider first/)
      assert.equal(await group('If the identity provider fails to delete a client of their apps').getByLabel('Do not delete the user').isChecked(), true)
      await page.getByRole('button', { name: 'Delete the user' }).click()
      assert.equal(await notice(), 'Deleted.')
      assert.equal((await api('GET', `/users/${dana}`)).status, 404)
      assert.deepEqual(((await ok('GET', '/apps')) as Array<{ Name: string }>).filter((app) => app.Name === 'Dana App'), [])
      assert.deepEqual((await audited('user', dana)).slice(0, 1), ['person:admin delete'])
    })
  })

  it('settings and invitations: "by invitation only" chosen in words, a developer invited, the link shown once, its code accepted by the IdP\'s sign-up', async () => {
    let code = ''
    let erin = 0

    await step('switches the sign-up policy, each explained, audited as a setting', async () => {
      await nav('Settings').click()
      await accessible()
      const policies = group('Developer sign-up')
      assert.equal(await policies.getByLabel('Open', { exact: true }).isChecked(), true)
      assert.match(await policies.innerText(), /Approval required\s+Anyone can create an account, then waits, inactive, until an admin activates them/)
      await policies.getByLabel('By invitation only').check()
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await notice(), 'Saved.')
      assert.equal(await group('Developer sign-up').getByLabel('By invitation only').isChecked(), true)
      const [entry] = await ok('GET', '/audit-log?resource_type=setting&resource_id=1') as Array<{ Actor: string; Before: unknown; After: unknown }>
      assert.deepEqual([entry?.Actor, entry?.Before, entry?.After], ['person:admin', { DeveloperSignUp: 'open' }, { DeveloperSignUp: 'invitation' }])
    })

    await step('invites a developer: the user made active, the invitation link shown once with a copy button', async () => {
      await ok('POST', '/organisations', { Name: 'Invited Org' })
      await nav('Users').click()
      await page.getByRole('link', { name: 'Invite a developer' }).click()
      await accessible()
      await page.getByLabel('Email (required)').fill('erin@acme.test')
      await page.getByLabel('First name').fill('Erin')
      await group('Organisation').getByLabel('Invited Org', { exact: true }).check()
      await page.getByRole('button', { name: 'Invite' }).click()
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Invitation for erin@acme.test')
      assert.match(await main(), /Copy the invitation link now: it will not be shown again/)
      assert.match(await main(), /Sign-up is by invitation only: this link is the only way for them to create an account/)
      const link = new URL(await page.locator('#invitation-link').innerText())
      assert.equal(`${link.origin}${link.pathname}`, `${service.baseUrl}/portal/invitation`)
      code = link.searchParams.get('code') ?? ''
      assert.match(code, /^[A-Za-z0-9_-]{32}$/)
      await page.getByRole('button', { name: 'Copy' }).click()
      await page.locator('#invitation-link-copied', { hasText: 'Copied.' }).waitFor() // the clipboard answers asynchronously
      assert.equal(await page.evaluate(async () => await navigator.clipboard.readText()), link.href)
      await accessible()
      const user = ((await ok('GET', '/users?per_page=1000')) as Array<{ ID: number; Email: string; Active: boolean; OrganisationID: number }>).find((candidate) => candidate.Email === 'erin@acme.test')
      assert.ok(user?.Active === true, 'created active: the invitation is the approval')
      erin = user.ID
      assert.deepEqual((await audited('user', erin)), ['person:admin invite', 'person:admin create'])
      const stored = await database.db.selectFrom('invitations').select(['email', 'created_by', 'code_hash']).execute()
      assert.deepEqual(stored.map((row) => [row.email, row.created_by]), [['erin@acme.test', 'person:admin']])
      assert.equal(JSON.stringify(stored).includes(code), false, 'only its hash is kept')
    })

    await step('shows the link nowhere else', async () => {
      await page.goto(`${service.baseUrl}/console/users/${erin}`)
      assert.equal((await page.content()).includes(code), false)
      await nav('Users').click()
      assert.equal((await page.content()).includes(code), false)
      await nav('Audit log').click()
      assert.equal((await page.content()).includes(code), false)
    })

    await step('the code creates the invited account at the IdP, where sign-up is closed to anyone else', async () => {
      const visitor = await (await browser.newContext()).newPage()
      visitor.setDefaultTimeout(10_000)
      await visitor.goto(`${service.baseUrl}/console/`)
      assert.equal(await visitor.getByRole('link', { name: 'Create an account' }).count(), 0, 'sign-up is not offered')
      await visitor.goto(visitor.url().replace(/\/interaction\/([^/?]+).*$/, '/interaction/$1/register'))
      for (const [label, value] of Object.entries({ 'Invitation code': code, Username: 'erin', 'Full name': 'Erin', 'Password (at least 8 characters)': 'erin-password-1' })) {
        await visitor.getByLabel(label, { exact: true }).fill(value)
      }
      await visitor.getByRole('button', { name: 'Create the account' }).click()
      assert.match(await visitor.locator('main').innerText(), /signed in as erin/)
      const account = await database.db.selectFrom('idp_accounts').select(['email']).where('username', '=', 'erin').executeTakeFirstOrThrow()
      assert.equal(account.email, 'erin@acme.test', 'the invited address')
      await visitor.context().close()
    })

    await step('opens sign-up again', async () => {
      await nav('Settings').click()
      await group('Developer sign-up').getByLabel('Open', { exact: true }).check()
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await notice(), 'Saved.')
    })
  })

  it('organisations and teams: the default team explained, members moved as the API moves them, said first in words', async () => {
    let acme = 0
    let member = 0

    await step('lists the Default Organisation, which cannot be deleted', async () => {
      await nav('Organisations').click()
      await accessible()
      await page.getByRole('link', { name: 'Default Organisation', exact: true }).click()
      assert.match(await page.locator('.facts').innerText(), /developers go here unless told otherwise/)
      assert.match(await main(), /The default team: new developers of the organisation join it/)
      assert.equal(await page.getByRole('link', { name: 'Delete…' }).count(), 0)
      await accessible()
    })

    await step('adds an organisation; a taken name is refused in the API\'s words', async () => {
      await nav('Organisations').click()
      await page.getByRole('link', { name: 'Add an organisation' }).click()
      await accessible()
      await page.getByLabel('Name (required)').fill('ACME Partners')
      await page.getByRole('button', { name: 'Add the organisation' }).click()
      assert.equal(await notice(), 'Created.')
      acme = shownId()
      assert.match(await page.locator('table').first().innerText(), /ACME Partners All users/)
      await nav('Organisations').click()
      await page.getByRole('link', { name: 'Add an organisation' }).click()
      await page.getByLabel('Name (required)').fill('ACME Partners')
      await page.getByRole('button', { name: 'Add the organisation' }).click()
      assert.match(await page.getByRole('alert').innerText(), /Name "ACME Partners" is already used by another organisation/)
      assert.equal(await page.locator('#field-Name').getAttribute('aria-invalid'), 'true')
      await accessible('refused')
    })

    await step('adds a team and gives it a member of the organisation', async () => {
      member = (await ok('POST', '/users', { Email: 'mo@acme.test', First: 'Mo', Last: 'Member', OrganisationID: acme, Active: true })).ID
      await page.goto(`${service.baseUrl}/console/organisations/${acme}`)
      await page.getByRole('link', { name: 'Add a team' }).click()
      await accessible()
      await page.getByLabel('Name (required)').fill('Partner Team A')
      await page.getByRole('button', { name: 'Add the team' }).click()
      assert.equal(await notice(), 'Created.')
      await page.getByRole('link', { name: 'Edit Partner Team A' }).click()
      await accessible()
      await group('Members').getByLabel('Mo Member').check()
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await notice(), 'Saved.')
      assert.match(await page.locator('tr', { hasText: 'Partner Team A' }).innerText(), /Partner Team A\s+1/)
      assert.match(await page.locator('tr', { hasText: 'mo@acme.test' }).innerText(), /Mo Member\s+mo@acme.test\s+Consumer team member\s+yes/)
    })

    await step('deletes the team: the question says where its member goes', async () => {
      await page.getByRole('link', { name: 'Delete Partner Team A' }).click()
      await accessible()
      assert.match(await main(), /Its 1 member stays in ACME Partners and moves to the team ACME Partners All users/)
      await page.getByRole('button', { name: 'Delete the team' }).click()
      assert.equal(await notice(), 'Deleted.')
      assert.deepEqual((await ok('GET', `/users/${member}`)).Teams.map((team: { Name: string }) => team.Name), ['ACME Partners All users'])
    })

    await step('renames, then deletes the organisation: its user moves to the Default Organisation', async () => {
      await page.getByRole('link', { name: 'Rename' }).click()
      await accessible()
      await page.getByLabel('Name (required)').fill('ACME Partners Ltd')
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'ACME Partners Ltd')
      await page.getByRole('link', { name: 'Delete…' }).click()
      await accessible()
      assert.match(await main(), /Its 1 user stays: they move to the Default Organisation, into its default team\. Its 1 team is deleted/)
      await page.getByRole('button', { name: 'Delete the organisation' }).click()
      assert.equal(await notice(), 'Deleted.')
      const moved = await ok('GET', `/users/${member}`)
      assert.deepEqual([moved.OrganisationID, moved.Organisation], [1, 'Default Organisation'])
      assert.deepEqual(await audited('organisation', acme), ['person:admin delete', 'person:admin update', 'person:admin create'])
    })
  })

  it('catalogues: a private catalogue offering a product and a plan to a team, refused in the API\'s words, its audience changed, deleted after the question', async () => {
    const product = await ok('POST', '/products', { Name: 'payment_api', DisplayName: 'Payment API' })
    const plan = await ok('POST', '/plans', { Name: 'free_plan', ProviderID: 0 })
    const beta = await ok('POST', '/organisations', { Name: 'Beta Org' })
    const betaTeam = await ok('POST', `/organisations/${beta.ID}/teams`, { Name: 'Beta Team' })
    let id = 0

    await step('the empty list says what a catalogue is for', async () => {
      await nav('Catalogues').click()
      assert.match(await main(), /developers see no product until a catalogue offers it/)
      await accessible()
    })

    await step('refuses a slug that is no slug, in the API\'s words, the field marked', async () => {
      await page.getByRole('link', { name: 'Add a catalogue' }).click()
      await accessible()
      await page.getByLabel('Name (required)').fill('Partner catalogue')
      await page.getByLabel('Slug').fill('Partner Catalogue!')
      await page.getByRole('button', { name: 'Add the catalogue' }).click()
      assert.match(await page.getByRole('alert').innerText(), /NameWithSlug must be a URL slug .*got "Partner Catalogue!"/)
      assert.equal(await page.locator('#field-NameWithSlug').getAttribute('aria-invalid'), 'true')
      await accessible('refused')
    })

    await step('creates it private, offering the product and the plan to a team', async () => {
      await page.getByLabel('Slug').fill('')
      assert.equal(await group('Shown to').getByLabel('Private').isChecked(), true)
      await group('Products offered').getByLabel('payment_api').check()
      await group('Plans offered').getByLabel('free_plan').check()
      await group('Audience').getByRole('group', { name: 'Beta Org' }).getByLabel('Beta Team').check()
      await page.getByRole('button', { name: 'Add the catalogue' }).click()
      assert.equal(await notice(), 'Created.')
      id = shownId()
      const facts = await page.locator('.facts').innerText()
      assert.match(facts, /the teams of its audience \(Private\)/)
      assert.match(facts, /partner-catalogue/)
      assert.match(await page.locator('tr', { hasText: 'Beta Team' }).innerText(), /Beta Team\s+Beta Org/)
      await accessible()
      const shown = await ok('GET', `/catalogues/${id}`)
      assert.deepEqual([shown.VisibilityStatus, shown.Products, shown.Plans, shown.OrgCatalogues.map((audience: { TeamID: number }) => audience.TeamID)], ['Private', ['payment_api'], ['free_plan'], [betaTeam.ID]])
      assert.deepEqual((await ok('GET', `/products/${product.ID}`)).Catalogues, ['Partner catalogue'])
      assert.ok(plan.ID > 0)
    })

    await step('adds the Default Organisation\'s default team to the audience and removes Beta Team', async () => {
      await group('Add a team to the audience').getByRole('group', { name: 'Default Organisation' }).getByLabel('Default Organisation All users').check()
      await page.getByRole('button', { name: 'Add to the audience' }).click()
      assert.equal(await notice(), 'The team is in the audience now.')
      await page.getByRole('button', { name: 'Remove Beta Team from the audience' }).click()
      assert.equal(await notice(), 'The team is no longer in the audience.')
      assert.deepEqual((await ok('GET', `/catalogues/${id}`)).OrgCatalogues.map((audience: { Name: string }) => audience.Name), ['Default Organisation All users'])
      assert.deepEqual((await audited('catalogue', id)).slice(0, 2), ['person:admin remove_audience', 'person:admin add_audience'])
    })

    await step('makes it public, then deletes it after the question', async () => {
      await page.getByRole('link', { name: 'Edit' }).click()
      await accessible()
      await group('Shown to').getByLabel('Public').check()
      await page.getByRole('button', { name: 'Save' }).click()
      assert.equal(await notice(), 'Saved.')
      assert.match(await page.locator('.facts').innerText(), /every developer \(Public\)/)
      await page.getByRole('link', { name: 'Delete…' }).click()
      await accessible()
      assert.match(await main(), /Its audience of 1 team goes with it\. The products and plans it offered stay/)
      await page.getByRole('button', { name: 'Delete the catalogue' }).click()
      assert.equal(await notice(), 'Deleted.')
      assert.equal((await api('GET', `/catalogues/${id}`)).status, 404)
      assert.deepEqual((await ok('GET', `/products/${product.ID}`)).Catalogues, [])
    })
  })

  it('an admin user\'s API token: created and shown once, used on /portal-api as that user, revoked to 401', async () => {
    const ops = await ok('POST', '/users', { Email: 'ops@acme.test', First: 'Olga', Last: 'Ops', Role: 'provider-admin', Active: true })
    let token = ''
    const withToken = async (method: string, url: string, body?: unknown) => {
      const answer = await fetch(`${service.baseUrl}/portal-api${url}`, {
        method, headers: { authorization: token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      return { status: answer.status, body: await answer.json() }
    }

    await step('creates the token on the user\'s page and shows it once', async () => {
      await page.goto(`${service.baseUrl}/console/users/${ops.ID}`)
      assert.match(await main(), /No API token\./)
      assert.match(await main(), /recorded in the audit log as user:ops@acme\.test/)
      await accessible()
      await page.getByRole('button', { name: 'Create an API token' }).click()
      assert.match(await main(), /Copy the API token now: it will not be shown again/)
      token = await page.locator('#api-token').innerText()
      assert.match(token, /^[A-Za-z0-9_-]{43}$/)
      await page.getByRole('button', { name: 'Copy' }).click()
      await page.locator('#api-token-copied', { hasText: 'Copied.' }).waitFor()
      assert.equal(await page.evaluate(async () => await navigator.clipboard.readText()), token)
      await accessible()
      await page.getByRole('link', { name: 'Back to Olga Ops' }).click()
      assert.match(await main(), /A token created \d{4}-\d\d-\d\d \d\d:\d\d UTC by person:admin/)
      assert.equal((await page.content()).includes(token), false, 'not shown again')
    })

    await step('the token works on /portal-api, and its changes name the user', async () => {
      assert.equal((await withToken('GET', '/users')).status, 200)
      const created = await withToken('POST', '/organisations', { Name: 'Made with a token' })
      assert.equal(created.status, 200, JSON.stringify(created.body))
      assert.deepEqual(await audited('organisation', created.body.ID as number), ['user:ops@acme.test create'])
      assert.deepEqual((await audited('user', ops.ID)).slice(0, 1), ['person:admin create_api_token'])
    })

    await step('revokes it after the question: 401 from the next call on', async () => {
      await page.getByRole('link', { name: 'Revoke the API token…' }).click()
      await accessible()
      assert.match(await main(), /Every script or tool that uses this token gets 401 from the next call on/)
      await page.getByRole('button', { name: 'Revoke the API token' }).click()
      assert.equal(await notice(), 'The API token is revoked: it no longer works.')
      assert.match(await main(), /No API token\./)
      assert.deepEqual(await withToken('GET', '/users'), { status: 401, body: { errors: ['invalid admin API token in the Authorization header'] } })
      assert.deepEqual((await audited('user', ops.ID)).slice(0, 1), ['person:admin revoke_api_token'])
    })
  })
})
