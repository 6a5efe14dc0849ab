// Issue 13 item 1: Tyk's users (tag "Users"): admin users and API consumers in organisations and teams, on
// both dialects; deleting a user deletes their apps, at the IdP first, `force` as Tyk documents it.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { assertNamed, startHarness, type Harness } from '../helpers/app.ts'
import { startProxied, type Proxied } from '../helpers/proxied.ts'

const PASSWORD_SENTINEL = 'SENTINEL-users-password-7f3a'

for (const dialect of dialects) {
  describe(`users on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let counter = 0
    const email = () => `dev${++counter}@acme.test`
    const createUser = async (body: Record<string, unknown> = {}) => {
      const reply = await h.call('POST', '/portal-api/users', { Email: email(), ...body })
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body
    }
    const createOrganisation = async () => (await h.call('POST', '/portal-api/organisations', { Name: `Org ${++counter}` })).body
    before(async () => { h = await startHarness(dialect) })
    after(async () => { await h.close() })

    it('creates a developer with 200 and User-show: in the Default Organisation and its default team unless told otherwise', async () => {
      const created = await h.call('POST', '/portal-api/users', { Email: 'jane@acme.test', First: 'Jane', Last: 'Doe', Active: true })
      assert.equal(created.status, 200, JSON.stringify(created.body))
      const { ID, Teams, ...rest } = created.body
      assert.deepEqual(rest, {
        Active: true, Email: 'jane@acme.test', First: 'Jane', Last: 'Doe', OrganisationID: 1, Role: 'consumer-team-member', Provider: 'password',
        Organisation: 'Default Organisation', ResetPassword: false, CreatedAt: '2026-11-27 10:00', UpdatedAt: '2026-11-27 10:00'
      })
      assert.deepEqual(Teams.map((team: { ID: number; Name: string }) => [team.ID, team.Name]), [[1, 'Default Organisation All users']])
      assert.ok(Teams[0].Users.includes(`User#${ID}`), 'each team answers its members as "User#<id>"')
      assert.deepEqual((await h.call('GET', `/portal-api/users/${ID}`)).body, created.body)
      const listed = (await h.call('GET', '/portal-api/users?per_page=1000')).body.find((item: { ID: number }) => item.ID === ID)
      assert.deepEqual(listed, { ID, Active: true, Email: 'jane@acme.test', First: 'Jane', Last: 'Doe', OrganisationID: 1, Role: 'consumer-team-member', Provider: 'password' })
      const organisation = (await h.call('GET', '/portal-api/organisations/1')).body
      assert.ok(organisation.Users.some((user: { ID: number }) => user.ID === ID), 'listed among its organisation\'s users')
    })

    it('fills Go\'s zero values: Active false, ResetPassword false, First and Last ""', async () => {
      const created = await createUser()
      assert.deepEqual([created.Active, created.ResetPassword, created.First, created.Last, created.Provider], [false, false, '', '', 'password'])
    })

    it('puts a consumer in the organisation and teams named (IDs, as strings too, or the objects a GET answered)', async () => {
      const organisation = await createOrganisation()
      const team = (await h.call('POST', `/portal-api/organisations/${organisation.ID}/teams`, { Name: 'Partners' })).body
      const created = await createUser({ OrganisationID: organisation.ID, Role: 'consumer-admin', Teams: [String(team.ID), { ID: organisation.Teams[0].ID, Name: 'echoed' }] })
      assert.deepEqual([created.OrganisationID, created.Organisation, created.Role], [organisation.ID, organisation.Name, 'consumer-admin'])
      assert.deepEqual(created.Teams.map((t: { ID: number }) => t.ID), [organisation.Teams[0].ID, team.ID])
      assert.deepEqual((await h.call('GET', `/portal-api/organisations/${organisation.ID}/teams/${team.ID}`)).body.Users, [`User#${created.ID}`])
      const bare = await createUser({ OrganisationID: organisation.ID })
      assert.deepEqual(bare.Teams.map((t: { ID: number }) => t.ID), [organisation.Teams[0].ID], 'the organisation\'s default team')
    })

    it('creates admin users (super-admin, provider-admin) in no organisation: OrganisationID 0, no teams', async () => {
      for (const role of ['super-admin', 'provider-admin']) {
        const admin = await createUser({ Role: role, Active: true })
        assert.deepEqual([admin.Role, admin.OrganisationID, admin.Organisation, admin.Teams], [role, 0, '', []])
      }
    })

    it('never takes a password: refused with 422 saying why, the value never echoed, logged or audited', async () => {
      const refused = await h.call('POST', '/portal-api/users', { Email: email(), Password: PASSWORD_SENTINEL })
      assertNamed(refused, 422, /^Password is not accepted: this service keeps no password for portal users; they sign in through OpenID Connect/)
      const user = await createUser()
      assertNamed(await h.call('PUT', `/portal-api/users/${user.ID}`, { Password: PASSWORD_SENTINEL }), 422, /^Password is not accepted/)
      assert.equal(JSON.stringify(h.responses).includes(PASSWORD_SENTINEL), false)
      assert.equal(h.logs.join('').includes(PASSWORD_SENTINEL), false)
      assert.equal(JSON.stringify(await h.database.db.selectFrom('audit_log').selectAll().execute()).includes(PASSWORD_SENTINEL), false)
    })

    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a missing Email', { Email: undefined }, /^Email is required$/],
      ['an Email that is no address', { Email: 'jane at acme' }, /^Email must be an email address \(name@domain\), got "jane at acme"$/],
      ['an unknown Role', { Role: 'developer' }, /^Role must be one of "super-admin", "provider-admin", "consumer-admin", "consumer-team-member", got "developer"$/],
      ['an admin in an organisation', { Role: 'provider-admin', OrganisationID: 1 }, /^OrganisationID must be 0 for an admin user \(Role "provider-admin"\), got 1$/],
      ['an admin in a team', { Role: 'super-admin', Teams: [1] }, /^Teams must be empty for an admin user/],
      ['an unknown organisation', { OrganisationID: 999999 }, /^OrganisationID is not the ID of an organisation, got 999999$/],
      ['an unknown team', { Teams: [999999] }, /^Teams\[0\] is not the ID of a team, got 999999$/],
      ['a team named by something else than its ID', { Teams: ['team-id-1'] }, /^Teams\[0\] must be a team ID, got "team-id-1"$/],
      ['a team twice', { Teams: [1, '1'] }, /^Teams lists team 1 more than once, got "1" at position 2$/],
      ['a string Active', { Active: 'true' }, /^Active must be a boolean \(true or false\), got "true"$/],
      ['a negative OrganisationID', { OrganisationID: -1 }, /^OrganisationID must be >= 0, got -1$/],
      ['an unknown field', { Username: 'jane' }, /unknown field "Username"/]
    ]
    for (const [name, change, expected] of invalid) {
      it(`refuses ${name} with 422 naming the field and value (create and update)`, async () => {
        const user = await createUser()
        const body = JSON.parse(JSON.stringify({ Email: email(), ...change }))
        assertNamed(await h.call('POST', '/portal-api/users', body), 422, expected)
        if (!name.includes('missing')) assertNamed(await h.call('PUT', `/portal-api/users/${user.ID}`, body), 422, expected)
        assert.deepEqual((await h.call('GET', `/portal-api/users/${user.ID}`)).body, user, 'a refused update changes nothing')
      })
    }

    it('refuses a second user with the same Email, ignoring case (409)', async () => {
      const user = await createUser({ Email: 'Taken@Acme.test' })
      assertNamed(await h.call('POST', '/portal-api/users', { Email: 'taken@acme.TEST' }), 409, /^Email "taken@acme.TEST" is already used by another user/)
      const other = await createUser()
      assertNamed(await h.call('PUT', `/portal-api/users/${other.ID}`, { Email: 'TAKEN@acme.test' }), 409, /is already used by another user/)
      assert.equal((await h.call('PUT', `/portal-api/users/${user.ID}`, { Email: 'taken@acme.test' })).status, 200, 'its own address, in another case')
    })

    it('decodes PUT onto the stored user; GET-modify-PUT works; moving organisation moves to its default team', async () => {
      const user = await createUser({ First: 'Ann', Active: true })
      const read = (await h.call('GET', `/portal-api/users/${user.ID}`)).body
      h.clock.advance(60_000)
      const renamed = await h.call('PUT', `/portal-api/users/${user.ID}`, { ...read, Last: 'Smith', ID: 42 })
      assert.deepEqual([renamed.status, renamed.body], [200, { ...read, Last: 'Smith', UpdatedAt: '2026-11-27 10:01' }])
      h.clock.advance(-60_000)
      const partial = await h.call('PUT', `/portal-api/users/${user.ID}`, { Active: false })
      assert.deepEqual([partial.body.First, partial.body.Last, partial.body.Active, partial.body.Teams.length], ['Ann', 'Smith', false, 1])
      const organisation = await createOrganisation()
      const moved = await h.call('PUT', `/portal-api/users/${user.ID}`, { OrganisationID: organisation.ID })
      assert.deepEqual([moved.body.Organisation, moved.body.Teams.map((t: { ID: number }) => t.ID)], [organisation.Name, [organisation.Teams[0].ID]])
      assert.deepEqual((await h.call('PUT', `/portal-api/users/${user.ID}`, { Teams: [] })).body.Teams, [], '[] leaves every team')
      const admin = await h.call('PUT', `/portal-api/users/${user.ID}`, { Role: 'provider-admin', OrganisationID: 0 })
      assert.deepEqual([admin.status, admin.body.OrganisationID, admin.body.Teams], [200, 0, []])
      assertNamed(await h.call('PUT', `/portal-api/users/${user.ID}`, { Role: 'consumer-team-member', Teams: [organisation.Teams[0].ID] }), 422,
        new RegExp(`^Teams\\[0\\]: team ${organisation.Teams[0].ID} is a team of organisation ${organisation.ID}, not of the user's organisation 1$`))
    })

    it('deletes a user with their apps (Tyk: "Delete a user and all their applications")', async () => {
      const user = await createUser()
      const app = (await h.call('POST', '/portal-api/apps', { Name: 'Owned', UserID: user.ID })).body
      const kept = (await h.call('POST', '/portal-api/apps', { Name: 'Not theirs' })).body
      const deleted = await h.call('DELETE', `/portal-api/users/${user.ID}`)
      assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok' }])
      assert.equal((await h.call('GET', `/portal-api/users/${user.ID}`)).status, 404)
      assert.equal((await h.call('GET', `/portal-api/apps/${app.ID}`)).status, 404)
      assert.equal((await h.call('GET', `/portal-api/apps/${kept.ID}`)).status, 200)
      const audit = (await h.call('GET', '/portal-api/audit-log?per_page=1000')).body
      assert.deepEqual(audit.filter((entry: { ResourceType: string; ResourceID: number }) => entry.ResourceType === 'user' && entry.ResourceID === user.ID).map((entry: { Action: string }) => entry.Action), ['delete', 'create'])
      assert.ok(audit.some((entry: { ResourceType: string; ResourceID: number; Action: string }) => entry.ResourceType === 'app' && entry.ResourceID === app.ID && entry.Action === 'delete'))
    })

    it('gives apps to real users only: an unknown UserID is refused (422 naming it)', async () => {
      assertNamed(await h.call('POST', '/portal-api/apps', { Name: 'Orphan', UserID: 999999 }), 422, /^UserID 999999 is not the ID of a user$/)
      const app = (await h.call('POST', '/portal-api/apps', { Name: 'Adopted' })).body
      assertNamed(await h.call('PUT', `/portal-api/apps/${app.ID}`, { UserID: 999999 }), 422, /^UserID 999999 is not the ID of a user$/)
      const user = await createUser()
      assert.equal((await h.call('PUT', `/portal-api/apps/${app.ID}`, { UserID: user.ID })).body.UserID, user.ID)
    })

    it('reads ?force with Go\'s boolean spellings only', async () => {
      const user = await createUser()
      assertNamed(await h.call('DELETE', `/portal-api/users/${user.ID}?force=yes`), 400, /force must be one of/)
      assert.equal((await h.call('DELETE', `/portal-api/users/${user.ID}?force=True`)).status, 200)
    })

    for (const id of ['0', '-1', '1e3', 'abc', '999999', '2147483648']) {
      it(`answers 404 for user id ${id} on get, put and delete`, async () => {
        for (const reply of [
          await h.call('GET', `/portal-api/users/${id}`),
          await h.call('PUT', `/portal-api/users/${id}`, { First: 'x' }),
          await h.call('DELETE', `/portal-api/users/${id}`)
        ]) {
          assert.deepEqual([reply.status, reply.body], [404, { errors: [`User Not found: user_id "${id}"`] }])
        }
      })
    }

    it('pages users by ID', async () => {
      for (let i = 0; i < 3; i++) await createUser()
      const all = (await h.call('GET', '/portal-api/users?per_page=1000')).body.map((item: { ID: number }) => item.ID)
      assert.deepEqual((await h.call('GET', '/portal-api/users?per_page=2&page=2')).body.map((item: { ID: number }) => item.ID), all.slice(2, 4))
      assertNamed(await h.call('GET', '/portal-api/users?page=x'), 400, /^query parameter page has the wrong format .*, got "x"$/)
    })
  })

  describe(`deleting a user whose credentials the IdP cannot revoke, on ${dialect.name}`, { skip: dialect.skip }, () => {
    let proxied: Proxied
    before(async () => { proxied = await startProxied(dialect, 2000) })
    after(async () => { await proxied.close() })

    it('answers the IdP\'s failure and keeps the user without force; with ?force=true deletes it and leaves the client to the reconciler', async () => {
      const { h, proxy, machineType } = proxied
      const product = (await h.call('POST', '/portal-api/products', { Name: 'forced', DCREnabled: true, Scopes: 'forced' })).body
      await h.call('POST', `/portal-api/products/${product.ID}/client_types`, { ID: machineType })
      const plan = (await h.call('POST', '/portal-api/plans', { Name: 'forced plan', ProviderID: 1, AutoApproveAccessRequests: true })).body
      const user = (await h.call('POST', '/portal-api/users', { Email: 'leaving@acme.test' })).body
      const app = (await h.call('POST', '/portal-api/apps', { Name: 'Leaving app', UserID: user.ID })).body
      const provisioned = await h.call('PUT', `/portal-api/apps/${app.ID}/provision`, { PlanID: plan.ID, ProductIDs: [product.ID], DCRTemplateID: machineType })
      assert.equal(provisioned.status, 200, JSON.stringify(provisioned.body))
      const clientId = (await h.call('GET', `/portal-api/apps/${app.ID}/access-requests/${provisioned.body.ID}/credentials`)).body[0].OAuthClientID as string

      proxy.fault = (method) => method === 'DELETE' ? { kind: 'answer', status: 503, body: { error: 'temporarily_unavailable' } } : undefined
      const refused = await h.call('DELETE', `/portal-api/users/${user.ID}`)
      assert.equal(refused.status, 502, JSON.stringify(refused.body))
      assert.match(refused.body.errors[0], new RegExp(`^user ${user.ID} is not deleted: deleting one of their apps failed \\(delete with \\?force=true`))
      assert.equal((await h.call('GET', `/portal-api/users/${user.ID}`)).status, 200)
      assert.equal((await h.call('GET', `/portal-api/apps/${app.ID}`)).status, 200)
      assert.ok((await proxied.idpClients()).includes(clientId))

      const forced = await h.call('DELETE', `/portal-api/users/${user.ID}?force=true`)
      assert.deepEqual([forced.status, forced.body], [200, { status: 'ok' }])
      assert.equal((await h.call('GET', `/portal-api/users/${user.ID}`)).status, 404)
      assert.equal((await h.call('GET', `/portal-api/apps/${app.ID}`)).status, 404)
      const deletion = (await h.call('GET', '/portal-api/idp-operations')).body.Deletions.find((d: { ClientID: string }) => d.ClientID === clientId)
      assert.ok(deletion, 'the client the IdP did not delete is kept for the reconciler')
      assert.ok((await proxied.idpClients()).includes(clientId))

      proxy.fault = undefined
      assert.equal((await h.app.reconciler.runOnce())?.deleted, 1)
      assert.equal((await proxied.idpClients()).includes(clientId), false, 'deleted at the IdP once it answers')
    })
  })
}
