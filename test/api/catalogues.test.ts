// Issue 13 item 1: Tyk's catalogues and their audiences (tags "Catalogues", "Catalogue audiences"), and the
// Catalogues of products and plans they name (IDs on write, names on read), on both dialects.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { LIST_BLOCK } from '../../src/db/list-positions.ts'
import { dialects } from '../helpers/dialects.ts'
import { assertNamed, startHarness, type Harness } from '../helpers/app.ts'

for (const dialect of dialects) {
  describe(`catalogues on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let counter = 0
    const fresh = (prefix: string) => `${prefix} ${++counter}`
    const createCatalogue = async (body: Record<string, unknown> = {}) => {
      const reply = await h.call('POST', '/portal-api/catalogues', { Name: fresh('Catalogue'), ...body })
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body
    }
    const createProduct = async (body: Record<string, unknown> = {}) => (await h.call('POST', '/portal-api/products', { Name: fresh('product'), ...body })).body
    const createPlan = async (body: Record<string, unknown> = {}) => (await h.call('POST', '/portal-api/plans', { Name: fresh('plan'), ProviderID: 1, ...body })).body
    const createOrganisation = async () => (await h.call('POST', '/portal-api/organisations', { Name: fresh('Org') })).body
    before(async () => { h = await startHarness(dialect) })
    after(async () => { await h.close() })

    it('creates a catalogue with 200 and Catalogue-show: products, plans and audiences by name, Private by default', async () => {
      const product = await createProduct({ Name: 'payment_api' })
      const plan = await createPlan({ Name: 'free_plan' })
      const organisation = await createOrganisation()
      const created = await h.call('POST', '/portal-api/catalogues', {
        Name: 'Partner APIs', Products: [product.ID], Plans: ['free_plan'], OrgCatalogues: [{ OrganisationID: organisation.ID, TeamID: organisation.Teams[0].ID }]
      })
      assert.equal(created.status, 200, JSON.stringify(created.body))
      const { ID, OrgCatalogues, ...rest } = created.body
      assert.deepEqual(rest, {
        Name: 'Partner APIs', NameWithSlug: 'partner-apis', VisibilityStatus: 'Private', Products: ['payment_api'], Plans: ['free_plan'],
        CreatedAt: '2026-11-27 10:00', UpdatedAt: '2026-11-27 10:00'
      })
      assert.deepEqual(OrgCatalogues.map(({ ID: _, ...audience }: Record<string, unknown>) => audience), [{
        Catalogue: 'Partner APIs', Name: `${organisation.Name} All users`, Organisation: organisation.Name, OrganisationID: organisation.ID, TeamID: organisation.Teams[0].ID
      }])
      assert.deepEqual((await h.call('GET', `/portal-api/catalogues/${ID}`)).body, created.body)
      const listed = (await h.call('GET', '/portal-api/catalogues?per_page=1000')).body.find((item: { ID: number }) => item.ID === ID)
      assert.deepEqual(listed, { ID, Name: 'Partner APIs', NameWithSlug: 'partner-apis', VisibilityStatus: 'Private' })
      // Products answer the names of their catalogues (Tyk's Product-show), plans their IDs (Tyk's Plan, the plan routes' schema).
      assert.deepEqual((await h.call('GET', `/portal-api/products/${product.ID}`)).body.Catalogues, ['Partner APIs'])
      assert.deepEqual((await h.call('GET', `/portal-api/plans/${plan.ID}`)).body.Catalogues, [ID])
    })

    it('is one relation seen from both sides: a product\'s Catalogues and a catalogue\'s Products agree, renames included', async () => {
      const catalogue = await createCatalogue({ VisibilityStatus: 'Public', NameWithSlug: 'shop' })
      const product = await createProduct({ Catalogues: [catalogue.ID] })
      const plan = await createPlan({ Catalogues: [catalogue.Name] })
      const url = `/portal-api/catalogues/${catalogue.ID}`
      assert.deepEqual([(await h.call('GET', url)).body.Products, (await h.call('GET', url)).body.Plans], [[product.Name], [plan.Name]])
      const renamed = await h.call('PUT', url, { Name: 'Shop window' })
      assert.deepEqual([renamed.status, renamed.body.NameWithSlug, renamed.body.VisibilityStatus, renamed.body.Products], [200, 'shop', 'Public', [product.Name]], 'PUT keeps what it omits')
      assert.deepEqual((await h.call('GET', `/portal-api/products/${product.ID}`)).body.Catalogues, ['Shop window'])
      const emptied = await h.call('PUT', url, { Products: null, Plans: [] })
      assert.deepEqual([emptied.body.Products, emptied.body.Plans], [[], []], 'null or [] removes all (Tyk: null)')
      assert.deepEqual((await h.call('GET', `/portal-api/plans/${plan.ID}`)).body.Catalogues, [])
      await h.call('PUT', `/portal-api/products/${product.ID}`, { Catalogues: ['Shop window'] })
      assert.deepEqual((await h.call('GET', url)).body.Products, [product.Name])
      assert.equal((await h.call('DELETE', `/portal-api/products/${product.ID}`)).status, 200)
      assert.deepEqual((await h.call('GET', url)).body.Products, [], 'a deleted product leaves its catalogues')
    })

    it('supports GET-modify-PUT: Products and Plans come back as names, OrgCatalogues as shown', async () => {
      const organisation = await createOrganisation()
      const catalogue = await createCatalogue({ Products: [(await createProduct()).ID], Plans: [(await createPlan()).ID], OrgCatalogues: [{ OrganisationID: organisation.ID }] })
      const read = (await h.call('GET', `/portal-api/catalogues/${catalogue.ID}`)).body
      h.clock.advance(60_000)
      const updated = await h.call('PUT', `/portal-api/catalogues/${catalogue.ID}`, { ...read, VisibilityStatus: 'Public' })
      assert.deepEqual([updated.status, updated.body], [200, { ...read, VisibilityStatus: 'Public', UpdatedAt: '2026-11-27 10:01' }])
      h.clock.advance(-60_000)
    })

    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a blank Name', { Name: ' ' }, /^Name must not be blank, got " "$/],
      ['a NameWithSlug that is no slug', { NameWithSlug: 'Partner APIs' }, /^NameWithSlug must be a URL slug .*got "Partner APIs"$/],
      ['an unknown VisibilityStatus', { VisibilityStatus: 'Custom' }, /^VisibilityStatus must be one of "Private", "Public", got "Custom"$/],
      ['an unknown product ID', { Products: [999999] }, /^Products\[0\] is not the ID of a product, got 999999$/],
      ['an unknown plan name', { Plans: ['gold'] }, /^Plans\[0\] is not the name of a plan, got "gold"$/],
      ['a string Products', { Products: '1' }, /^Products must be an array or null, got "1"$/],
      ['an unknown field', { Visibility: 'Public' }, /unknown field "Visibility"/]
    ]
    for (const [name, change, expected] of invalid) {
      it(`refuses ${name} with 400 naming the field and value (create and update)`, async () => {
        const catalogue = await createCatalogue()
        assertNamed(await h.call('POST', '/portal-api/catalogues', { Name: fresh('invalid'), ...change }), 400, expected)
        assertNamed(await h.call('PUT', `/portal-api/catalogues/${catalogue.ID}`, change), 400, expected)
        assert.deepEqual((await h.call('GET', `/portal-api/catalogues/${catalogue.ID}`)).body, catalogue, 'a refused update changes nothing')
      })
    }

    it('refuses a missing Name, a product named twice, audiences naming no team, and a taken Name (409)', async () => {
      assertNamed(await h.call('POST', '/portal-api/catalogues', {}), 400, /^Name is required$/)
      const product = await createProduct()
      assertNamed(await h.call('POST', '/portal-api/catalogues', { Name: fresh('twice'), Products: [product.ID, product.Name] }), 400,
        new RegExp(`^Products lists product ${product.ID} more than once, got "${product.Name}" at position 2$`))
      const organisation = await createOrganisation()
      const refused = await h.call('POST', '/portal-api/catalogues', { Name: fresh('audiences'), OrgCatalogues: [{ TeamID: 999999 }, { OrganisationID: 1, TeamID: organisation.Teams[0].ID }, {}] })
      assertNamed(refused, 400, /^OrgCatalogues\[0\]\.TeamID is not the ID of a team, got 999999$/)
      assertNamed(refused, 400, new RegExp(`^OrgCatalogues\\[1\\]\\.TeamID ${organisation.Teams[0].ID} is a team of organisation ${organisation.ID}, not of OrgCatalogues\\[1\\]\\.OrganisationID 1$`))
      assertNamed(refused, 400, /^OrgCatalogues\[2\]\.TeamID \(a team\) or OrgCatalogues\[2\]\.OrganisationID \(its default team\) is required$/)
      const taken = await createCatalogue()
      assertNamed(await h.call('POST', '/portal-api/catalogues', { Name: taken.Name }), 409, new RegExp(`^Name "${taken.Name}" is already used by another catalogue$`))
    })

    it('deletes a catalogue with its audiences; its products and plans stay', async () => {
      const product = await createProduct()
      const catalogue = await createCatalogue({ Products: [product.ID], OrgCatalogues: [{ OrganisationID: 1 }] })
      const audience = catalogue.OrgCatalogues[0].ID
      const deleted = await h.call('DELETE', `/portal-api/catalogues/${catalogue.ID}`)
      assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok' }])
      assert.equal((await h.call('GET', `/portal-api/catalogues/${catalogue.ID}`)).status, 404)
      assert.equal((await h.call('GET', `/portal-api/catalogues/${catalogue.ID}/audiences/${audience}`)).status, 404)
      assert.deepEqual((await h.call('GET', `/portal-api/products/${product.ID}`)).body.Catalogues, [])
      const audit = (await h.call('GET', '/portal-api/audit-log?per_page=1000')).body
        .filter((entry: { ResourceType: string; ResourceID: number }) => entry.ResourceType === 'catalogue' && entry.ResourceID === catalogue.ID)
      assert.deepEqual(audit.map((entry: { Action: string }) => entry.Action), ['delete', 'create'])
      assert.deepEqual(audit[0].Before.Products, [product.Name])
    })

    for (const id of ['0', '-1', '1e3', 'abc', '999999', '2147483648']) {
      it(`answers 404 for catalogue id ${id} on get, put, delete and its audiences`, async () => {
        for (const reply of [
          await h.call('GET', `/portal-api/catalogues/${id}`),
          await h.call('PUT', `/portal-api/catalogues/${id}`, { Name: fresh('404') }),
          await h.call('DELETE', `/portal-api/catalogues/${id}`),
          await h.call('GET', `/portal-api/catalogues/${id}/audiences`),
          await h.call('POST', `/portal-api/catalogues/${id}/audiences`, { OrganisationID: 1 }),
          await h.call('GET', `/portal-api/catalogues/${id}/audiences/1`),
          await h.call('DELETE', `/portal-api/catalogues/${id}/audiences/abc`)
        ]) {
          assert.deepEqual([reply.status, reply.body], [404, { errors: [`Catalogue Not found: catalogue_id "${id}"`] }])
        }
      })
    }

    it('pages catalogues by ID', async () => {
      for (let i = 0; i < 3; i++) await createCatalogue()
      const all = (await h.call('GET', '/portal-api/catalogues?per_page=1000')).body.map((item: { ID: number }) => item.ID)
      assert.deepEqual((await h.call('GET', '/portal-api/catalogues?per_page=2&page=2')).body.map((item: { ID: number }) => item.ID), all.slice(2, 4))
      assertNamed(await h.call('GET', '/portal-api/catalogues?limit=0'), 400, /query parameter limit must be an integer from 1 to 1000, got "0"/)
    })

    it('adds audiences with 201 (a team, or an organisation\'s default team), once each; lists, gets and removes them', async () => {
      const catalogue = await createCatalogue()
      const organisation = await createOrganisation()
      const team = (await h.call('POST', `/portal-api/organisations/${organisation.ID}/teams`, { Name: 'Partners' })).body
      const base = `/portal-api/catalogues/${catalogue.ID}/audiences`
      const added = await h.call('POST', base, { OrganisationID: organisation.ID, TeamID: team.ID })
      assert.equal(added.status, 201, JSON.stringify(added.body))
      assert.deepEqual(added.body, { ID: added.body.ID, OrganisationID: organisation.ID, TeamID: team.ID, CreatedAt: '2026-11-27 10:00', UpdatedAt: '2026-11-27 10:00' })
      const again = await h.call('POST', base, { TeamID: team.ID })
      assert.deepEqual([again.status, again.body], [201, added.body], 'adding the same team again answers the same audience')
      const whole = await h.call('POST', base, { OrganisationID: organisation.ID })
      assert.deepEqual([whole.status, whole.body.TeamID], [201, organisation.Teams[0].ID])
      assert.deepEqual((await h.call('GET', base)).body, [
        { ID: added.body.ID, OrganisationID: organisation.ID, TeamID: team.ID },
        { ID: whole.body.ID, OrganisationID: organisation.ID, TeamID: organisation.Teams[0].ID }
      ])
      assert.deepEqual((await h.call('GET', `${base}?per_page=1&page=2`)).body.map((item: { ID: number }) => item.ID), [whole.body.ID])
      assert.deepEqual((await h.call('GET', `${base}/${added.body.ID}`)).body, added.body)
      assert.deepEqual((await h.call('GET', `/portal-api/catalogues/${catalogue.ID}`)).body.OrgCatalogues.map((item: { Name: string }) => item.Name), ['Partners', `${organisation.Name} All users`])
      assert.deepEqual((await h.call('DELETE', `${base}/${added.body.ID}`)).body, { status: 'ok' })
      assert.deepEqual((await h.call('GET', `${base}/${added.body.ID}`)).body, { errors: [`Audience Not found: audience_id "${added.body.ID}" of catalogue_id "${catalogue.ID}"`] })
      // A deleted organisation takes its teams, and so its audiences, with it.
      await h.call('DELETE', `/portal-api/organisations/${organisation.ID}`)
      assert.deepEqual((await h.call('GET', base)).body, [])
    })

    it('refuses an audience that names no team with Tyk\'s 422, naming the field', async () => {
      const catalogue = await createCatalogue()
      const base = `/portal-api/catalogues/${catalogue.ID}/audiences`
      assertNamed(await h.call('POST', base, {}), 422, /^TeamID \(a team\) or OrganisationID \(its default team\) is required$/)
      assertNamed(await h.call('POST', base, { OrganisationID: 999999 }), 422, /^OrganisationID is not the ID of an organisation, got 999999$/)
      assertNamed(await h.call('POST', base, { TeamID: 0 }), 422, /^TeamID must be >= 1, got 0$/)
      assertNamed(await h.call('POST', base, { TeamID: '1' }), 422, /^TeamID must be an integer, got "1"$/)
      assertNamed(await h.call('POST', base, { TeamID: 2147483648 }), 422, /^TeamID must be <= 2147483647, got 2147483648$/)
    })

    // The lists of issue 13 page through list_positions (migration 2026-12-04T0100): its triggers keep the counts
    // through inserts, deletes and the cascades of a deleted organisation or catalogue.
    it('keeps the list positions of organisations, teams, users, catalogues and audiences equal to their rows', async () => {
      const organisation = await createOrganisation()
      const team = (await h.call('POST', `/portal-api/organisations/${organisation.ID}/teams`, { Name: 'Counted' })).body
      await h.call('POST', '/portal-api/users', { Email: `counted${++counter}@acme.test`, OrganisationID: organisation.ID })
      const catalogue = await createCatalogue({ OrgCatalogues: [{ TeamID: team.ID }, { OrganisationID: 1 }] })
      await createCatalogue({ OrgCatalogues: [{ OrganisationID: organisation.ID }] })
      await h.call('DELETE', `/portal-api/organisations/${organisation.ID}`) // its teams and their audiences go with it
      await h.call('DELETE', `/portal-api/catalogues/${catalogue.ID}`)
      const db = h.database.db
      const scopes = { organisations: undefined, teams: 'organisation_id', users: undefined, catalogues: undefined, catalogue_audiences: 'catalogue_id' } as const
      for (const [list, scope] of Object.entries(scopes)) {
        const rows = await db.selectFrom(list as keyof typeof scopes).select(scope === undefined ? ['id'] : ['id', scope]).execute() as unknown as Array<Record<string, number>>
        const counted = new Map<string, number>()
        for (const row of rows) {
          const key = `${scope === undefined ? 0 : row[scope]!}/${Math.floor(row.id! / LIST_BLOCK)}`
          counted.set(key, (counted.get(key) ?? 0) + 1)
        }
        const kept = await db.selectFrom('list_positions').select(['scope', 'block', 'row_count']).where('list', '=', list).execute()
        assert.deepEqual(new Map(kept.map((row) => [`${row.scope}/${row.block}`, row.row_count])), counted, list)
      }
    })

    it('answers 404 for an audience of another catalogue', async () => {
      const owner = await createCatalogue({ OrgCatalogues: [{ OrganisationID: 1 }] })
      const other = await createCatalogue()
      const url = `/portal-api/catalogues/${other.ID}/audiences/${owner.OrgCatalogues[0].ID}`
      for (const reply of [await h.call('GET', url), await h.call('DELETE', url)]) {
        assert.deepEqual([reply.status, reply.body], [404, { errors: [`Audience Not found: audience_id "${owner.OrgCatalogues[0].ID}" of catalogue_id "${other.ID}"`] }])
      }
      assert.equal((await h.call('GET', `/portal-api/catalogues/${owner.ID}`)).body.OrgCatalogues.length, 1)
    })
  })
}
