// Issue 13, "Done when" 1: a Tyk-style bootstrap (as tyk-demo's scripts run against a fresh Tyk portal) works
// unchanged against a fresh service: an OAuth2.0 provider, an organisation, a team, a developer, a catalogue with a
// DCR product and plan, then an app for that developer, provisioned; product reads answer catalogue names.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness } from '../helpers/app.ts'

for (const dialect of dialects) {
  describe(`a Tyk-style bootstrap on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    before(async () => { h = await startHarness(dialect, { embeddedIdp: true }) })
    after(async () => { await h.close() })

    /** One call of the script: Tyk's path and body, the status Tyk documents for it. */
    const step = async (method: 'GET' | 'POST' | 'PUT', path: string, status: number, body?: unknown) => {
      const reply = await h.call(method, `/portal-api${path}`, body)
      assert.equal(reply.status, status, `${method} ${path}: ${JSON.stringify(reply.body)}`)
      return reply.body
    }

    it('creates organisation, team, developer, catalogue, DCR product and plan, provisions the developer\'s app, and gets a token', async () => {
      const idp = h.idp!
      const provider = (await step('POST', '/oauth-providers', 200, { Name: 'ACME IdP', Type: 'Other', WellKnownURL: idp.wellKnownUrl, RegistrationAccessToken: idp.initialAccessToken })).ID
      const clientType = (await step('POST', `/oauth-providers/${provider}/client-types`, 200, { Name: 'Machine to machine', ResponseTypes: 'token', GrantType: 'client_credentials', TokenEndpointAuthMethod: 'client_secret_basic' })).ID

      const organisation = (await step('POST', '/organisations', 200, { Name: 'ACME Partners' })).ID
      assert.equal(organisation, 2, 'a fresh portal holds the Default Organisation: the first created is 2, as Tyk\'s examples expect')
      const team = (await step('POST', `/organisations/${organisation}/teams`, 200, { Name: 'ACME Developers' })).ID
      const developer = (await step('POST', '/users', 200, { Email: 'dev@acme.test', First: 'Dana', Last: 'Dev', Role: 'consumer-team-member', OrganisationID: organisation, Active: true, Provider: 'password' })).ID
      await step('PUT', `/organisations/${organisation}/teams/${team}`, 200, { Name: 'ACME Developers', Users: [developer] })
      const catalogue = (await step('POST', '/catalogues', 200, { Name: 'Partner catalogue', VisibilityStatus: 'Private', OrgCatalogues: [{ OrganisationID: organisation, TeamID: team }] })).ID

      const product = (await step('POST', '/products', 201, { Name: 'payment_api', DisplayName: 'ACME Payment API', DCREnabled: true, Scopes: 'payments', ProviderID: 1, Catalogues: [catalogue] })).ID
      await step('POST', `/products/${product}/client_types`, 201, { ID: clientType })
      const plan = (await step('POST', '/plans', 200, { Name: 'free_plan', ProviderID: 1, JWTScope: 'free-plan', AutoApproveAccessRequests: true, Catalogues: [catalogue] })).ID
      const app = (await step('POST', '/apps', 200, { Name: 'Payment App', UserID: developer })).ID
      const provisioned = await step('PUT', `/apps/${app}/provision`, 200, { PlanID: plan, ProductIDs: [product], DCRTemplateID: clientType })
      assert.equal(provisioned.message, `access request ${provisioned.ID as number} created and approved`)

      // Product reads answer catalogue names (Tyk's Product-show), in the list as in the item.
      assert.deepEqual((await step('GET', `/products/${product}`, 200)).Catalogues, ['Partner catalogue'])
      assert.deepEqual((await step('GET', '/products', 200)).find((item: { ID: number }) => item.ID === product).Catalogues, ['Partner catalogue'])
      const shown = await step('GET', `/catalogues/${catalogue}`, 200)
      assert.deepEqual([shown.Products, shown.Plans, shown.OrgCatalogues.map((audience: { Name: string; Organisation: string }) => [audience.Organisation, audience.Name])],
        [['payment_api'], ['free_plan'], [['ACME Partners', 'ACME Developers']]])
      const user = await step('GET', `/users/${developer}`, 200)
      assert.deepEqual([user.Organisation, user.Teams.map((t: { Name: string }) => t.Name).sort()], ['ACME Partners', ['ACME Developers', 'ACME Partners All users']])

      // The app belongs to the developer, and its access request carries them (Tyk's User "User#<id>").
      assert.equal((await step('GET', `/apps/${app}`, 200)).UserID, developer)
      const request = await step('GET', `/access_requests/${provisioned.ID as number}`, 200)
      assert.deepEqual([request.User, request.Status, request.Client], [`User#${developer}`, 'approved', 'Payment App'])
      const [credential] = await step('GET', `/apps/${app}/access-requests/${provisioned.ID as number}/credentials`, 200)
      const token = await fetch(`${idp.issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${credential.OAuthClientID as string}:${credential.OAuthClientSecret as string}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'payments free-plan' })
      })
      assert.equal(token.status, 200)
      assert.equal(((await token.json()) as { scope: string }).scope, 'payments free-plan')
    })
  })
}
