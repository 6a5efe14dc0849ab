// Issue 13 item 1: Tyk's organisations and their teams (tags "Organisations", "Teams"), on both dialects.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { assertNamed, startHarness, type Harness } from '../helpers/app.ts'

for (const dialect of dialects) {
  describe(`organisations and teams on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let counter = 0
    const fresh = (prefix: string) => `${prefix} ${++counter}`
    const createOrganisation = async (name = fresh('Org')) => {
      const reply = await h.call('POST', '/portal-api/organisations', { Name: name })
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body
    }
    const createTeam = async (organisation: number, name = fresh('Team')) => {
      const reply = await h.call('POST', `/portal-api/organisations/${organisation}/teams`, { Name: name })
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body
    }
    const createUser = async (organisation: number, teams?: number[]) => {
      const reply = await h.call('POST', '/portal-api/users', { Email: `${fresh('dev').replace(' ', '')}@acme.test`, OrganisationID: organisation, ...(teams === undefined ? {} : { Teams: teams }) })
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body
    }
    before(async () => { h = await startHarness(dialect) })
    after(async () => { await h.close() })

    it('starts, as a fresh Tyk portal, with the Default Organisation (ID 1) and its default team', async () => {
      const shown = await h.call('GET', '/portal-api/organisations/1')
      assert.equal(shown.status, 200)
      assert.deepEqual([shown.body.Name, shown.body.Teams, shown.body.Users], ['Default Organisation', [{ Default: true, ID: 1, Name: 'Default Organisation All users' }], []])
      assert.deepEqual((await h.call('GET', '/portal-api/organisations?per_page=1')).body, [{ ID: 1, Name: 'Default Organisation' }])
    })

    it('creates an organisation with 200 and Organisation-show: its default team made with it, no users yet', async () => {
      const created = await h.call('POST', '/portal-api/organisations', { Name: 'ACME Partners' })
      assert.equal(created.status, 200, JSON.stringify(created.body))
      const { ID, Teams, ...rest } = created.body
      assert.deepEqual(rest, { Name: 'ACME Partners', Users: [], CreatedAt: '2026-11-27 10:00', UpdatedAt: '2026-11-27 10:00' })
      assert.deepEqual(Teams.map(({ Default, Name }: { Default: boolean; Name: string }) => [Default, Name]), [[true, 'ACME Partners All users']])
      assert.deepEqual((await h.call('GET', `/portal-api/organisations/${ID}`)).body, created.body)
      assert.deepEqual((await h.call('GET', `/portal-api/organisations/${ID}/teams`)).body, Teams)
      const listed = (await h.call('GET', '/portal-api/organisations?per_page=1000')).body
      assert.deepEqual(listed.find((item: { ID: number }) => item.ID === ID), { ID, Name: 'ACME Partners' })
    })

    it('renames on PUT (only the name changes, as Tyk); GET-modify-PUT echoes Teams and Users back', async () => {
      const organisation = await createOrganisation()
      await createUser(organisation.ID)
      const read = (await h.call('GET', `/portal-api/organisations/${organisation.ID}`)).body
      h.clock.advance(60_000)
      const renamed = await h.call('PUT', `/portal-api/organisations/${organisation.ID}`, { ...read, Name: 'Renamed org', ID: 999 })
      assert.deepEqual([renamed.status, renamed.body], [200, { ...read, Name: 'Renamed org', UpdatedAt: '2026-11-27 10:01' }])
      h.clock.advance(-60_000)
      const unchanged = await h.call('PUT', `/portal-api/organisations/${organisation.ID}`, {})
      assert.equal(unchanged.body.Name, 'Renamed org', 'an omitted Name keeps it')
    })

    it('refuses a second organisation with the same name (409) and a bad body (400 naming the field)', async () => {
      const organisation = await createOrganisation()
      assertNamed(await h.call('POST', '/portal-api/organisations', { Name: organisation.Name }), 409, new RegExp(`^Name "${organisation.Name}" is already used by another organisation$`))
      assertNamed(await h.call('PUT', '/portal-api/organisations/1', { Name: organisation.Name }), 409, /is already used by another organisation/)
      assertNamed(await h.call('POST', '/portal-api/organisations', {}), 400, /^Name is required$/)
      assertNamed(await h.call('POST', '/portal-api/organisations', { Name: '  ' }), 400, /^Name must not be blank, got " {2}"$/)
      assertNamed(await h.call('PUT', `/portal-api/organisations/${organisation.ID}`, { Name: 7 }), 400, /Name must be a string, got 7/)
      assertNamed(await h.call('POST', '/portal-api/organisations', { Name: fresh('x'), Slug: 'x' }), 400, /unknown field "Slug"/)
    })

    it('deletes an organisation: its teams go, its users move to the Default Organisation and its default team', async () => {
      const organisation = await createOrganisation()
      const team = await createTeam(organisation.ID)
      const user = await createUser(organisation.ID, [team.ID])
      const deleted = await h.call('DELETE', `/portal-api/organisations/${organisation.ID}`)
      assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok' }])
      assert.equal((await h.call('GET', `/portal-api/organisations/${organisation.ID}`)).status, 404)
      assert.equal((await h.call('GET', `/portal-api/organisations/${organisation.ID}/teams/${team.ID}`)).status, 404)
      const moved = (await h.call('GET', `/portal-api/users/${user.ID}`)).body
      assert.deepEqual([moved.OrganisationID, moved.Organisation, moved.Teams.map((t: { ID: number }) => t.ID)], [1, 'Default Organisation', [1]])
      const audit = (await h.call('GET', '/portal-api/audit-log?per_page=1000')).body
        .filter((entry: { ResourceType: string; ResourceID: number }) => entry.ResourceType === 'organisation' && entry.ResourceID === organisation.ID)
      assert.deepEqual(audit.map((entry: { Action: string }) => entry.Action), ['delete', 'create'])
      assert.deepEqual(audit[0].Before.Users.map((u: { ID: number }) => u.ID), [user.ID], 'the audit entry says who moved')
    })

    it('keeps the Default Organisation and every default team (422 saying why)', async () => {
      assertNamed(await h.call('DELETE', '/portal-api/organisations/1'), 422, /^organisation 1 "Default Organisation" is the Default Organisation, where the users of a deleted organisation go: it cannot be deleted$/)
      const organisation = await createOrganisation()
      const defaultTeam = organisation.Teams[0].ID
      assertNamed(await h.call('DELETE', `/portal-api/organisations/${organisation.ID}/teams/${defaultTeam}`), 422, new RegExp(`is the default team of organisation ${organisation.ID}`))
    })

    for (const id of ['0', '-1', '1e3', 'abc', '999999', '2147483648']) {
      it(`answers 404 for organisation id ${id} on get, put, delete and its teams`, async () => {
        for (const reply of [
          await h.call('GET', `/portal-api/organisations/${id}`),
          await h.call('PUT', `/portal-api/organisations/${id}`, { Name: fresh('404') }),
          await h.call('DELETE', `/portal-api/organisations/${id}`),
          await h.call('GET', `/portal-api/organisations/${id}/teams`),
          await h.call('POST', `/portal-api/organisations/${id}/teams`, { Name: fresh('404') }),
          await h.call('GET', `/portal-api/organisations/${id}/teams/1`)
        ]) {
          assert.deepEqual([reply.status, reply.body], [404, { errors: [`Organisation Not found: organisation_id "${id}"`] }])
        }
      })
    }

    it('pages organisations by ID with page and per_page', async () => {
      for (let i = 0; i < 3; i++) await createOrganisation()
      const all = (await h.call('GET', '/portal-api/organisations?per_page=1000')).body.map((item: { ID: number }) => item.ID)
      assert.ok(all.length >= 4)
      assert.deepEqual((await h.call('GET', '/portal-api/organisations?per_page=2&page=2')).body.map((item: { ID: number }) => item.ID), all.slice(2, 4))
      assert.deepEqual((await h.call('GET', '/portal-api/organisations?page=1000')).body, [])
      assertNamed(await h.call('GET', '/portal-api/organisations?per_page=0'), 400, /query parameter per_page must be an integer from 1 to 1000, got "0"/)
    })

    it('creates a team with 200 and Team-show; names are unique within an organisation only', async () => {
      const organisation = await createOrganisation()
      const created = await h.call('POST', `/portal-api/organisations/${organisation.ID}/teams`, { Name: 'Partner Team A' })
      assert.equal(created.status, 200, JSON.stringify(created.body))
      const { ID, ...rest } = created.body
      assert.deepEqual(rest, { Name: 'Partner Team A', Users: [], CreatedAt: '2026-11-27 10:00', UpdatedAt: '2026-11-27 10:00' })
      assert.deepEqual((await h.call('GET', `/portal-api/organisations/${organisation.ID}/teams/${ID}`)).body, created.body)
      assertNamed(await h.call('POST', `/portal-api/organisations/${organisation.ID}/teams`, { Name: 'Partner Team A' }), 409, /^Name "Partner Team A" is already used by another team of this organisation$/)
      await createTeam((await createOrganisation()).ID, 'Partner Team A')
      const teams = (await h.call('GET', `/portal-api/organisations/${organisation.ID}/teams`)).body
      assert.deepEqual(teams.map(({ Default, Name }: { Default: boolean; Name: string }) => [Default, Name]), [[true, `${organisation.Name} All users`], [false, 'Partner Team A']])
    })

    it('sets a team\'s members on PUT (user IDs, or "User#6" as a GET answers); users of other organisations refused', async () => {
      const organisation = await createOrganisation()
      const team = await createTeam(organisation.ID)
      const [first, second] = [await createUser(organisation.ID), await createUser(organisation.ID)]
      const url = `/portal-api/organisations/${organisation.ID}/teams/${team.ID}`
      const set = await h.call('PUT', url, { Users: [second.ID, `User#${first.ID}`] })
      assert.deepEqual([set.status, set.body.Users, set.body.Name], [200, [`User#${first.ID}`, `User#${second.ID}`], team.Name])
      const read = (await h.call('GET', url)).body
      const renamed = await h.call('PUT', url, { ...read, Name: 'Renamed team' })
      assert.deepEqual([renamed.status, renamed.body.Users], [200, read.Users], 'GET-modify-PUT keeps the members')
      assert.deepEqual((await h.call('GET', `/portal-api/users/${first.ID}`)).body.Teams.map((t: { ID: number }) => t.ID).sort(), [organisation.Teams[0].ID, team.ID].sort())
      const stranger = await createUser(1)
      assertNamed(await h.call('PUT', url, { Users: [stranger.ID] }), 400, new RegExp(`^Users\\[0\\]: user ${stranger.ID} belongs to organisation 1, not to organisation ${organisation.ID}$`))
      assertNamed(await h.call('PUT', url, { Users: [first.ID, 999999] }), 400, /^Users\[1\] is not the ID of a user, got 999999$/)
      assertNamed(await h.call('PUT', url, { Users: [first.ID, `User#${first.ID}`] }), 400, new RegExp(`^Users lists user ${first.ID} more than once`))
      assertNamed(await h.call('PUT', url, { Users: ['first'] }), 400, /Users\[0\]/)
      assertNamed(await h.call('PUT', url, { Name: '' }), 400, /^Name must not be empty$/)
      assert.deepEqual((await h.call('GET', url)).body.Users, read.Users, 'a refused update changes nothing')
      assert.deepEqual((await h.call('PUT', url, { Users: null })).body.Users, [], 'null removes every member')
    })

    it('deletes a team: its members stay in the organisation, in its default team', async () => {
      const organisation = await createOrganisation()
      const team = await createTeam(organisation.ID)
      const member = await createUser(organisation.ID, [team.ID])
      assert.deepEqual(member.Teams.map((t: { ID: number }) => t.ID), [team.ID])
      const deleted = await h.call('DELETE', `/portal-api/organisations/${organisation.ID}/teams/${team.ID}`)
      assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok' }])
      const after = (await h.call('GET', `/portal-api/users/${member.ID}`)).body
      assert.deepEqual([after.OrganisationID, after.Teams.map((t: { ID: number }) => t.ID)], [organisation.ID, [organisation.Teams[0].ID]])
    })

    it('answers 404 for a team of another organisation, and for malformed team ids, naming both ids', async () => {
      const organisation = await createOrganisation()
      const other = await createOrganisation()
      const team = await createTeam(other.ID)
      for (const id of [String(team.ID), '0', 'abc', '999999']) {
        const url = `/portal-api/organisations/${organisation.ID}/teams/${id}`
        for (const reply of [await h.call('GET', url), await h.call('PUT', url, { Name: fresh('x') }), await h.call('DELETE', url)]) {
          assert.deepEqual([reply.status, reply.body], [404, { errors: [`Team Not found: team_id "${id}" of organisation_id "${organisation.ID}"`] }])
        }
      }
    })

    it('pages an organisation\'s teams by ID', async () => {
      const organisation = await createOrganisation()
      for (let i = 0; i < 3; i++) await createTeam(organisation.ID)
      const url = `/portal-api/organisations/${organisation.ID}/teams`
      const all = (await h.call('GET', url)).body.map((item: { ID: number }) => item.ID)
      assert.equal(all.length, 4)
      assert.deepEqual((await h.call('GET', `${url}?per_page=3&page=2`)).body.map((item: { ID: number }) => item.ID), all.slice(3))
      assert.deepEqual((await h.call('GET', `${url}?per_page=2&limit=1`)).body.map((item: { ID: number }) => item.ID), all.slice(0, 1))
    })
  })
}
