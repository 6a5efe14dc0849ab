import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { assertNamed, startHarness, type Harness } from '../helpers/app.ts'

// Tyk's PlanRequest example values (tyk-portal-api.md §5.2).
const TYK_PLAN = {
  CID: '2r7p8aUnkzby17hCJk8w2XvK3K6',
  AutoApproveAccessRequests: true,
  Catalogues: [1],
  DisplayName: 'Free plan',
  Description: 'Free plan offers only basic functionality',
  JWTScope: 'free-plan',
  KeyExpiresIn: 3600,
  MetaData: { data1: '1', data2: '2' },
  Name: 'free_plan_2',
  Per: 10,
  PlanQuota: 2,
  PlanQuotaRenewalRate: 3600,
  Quota: 0,
  QuotaRenewalRate: -1,
  RateLimit: 5,
  UnlimitedQuota: true,
  UnlimitedRateLimit: false,
  ProviderID: 1
}

for (const dialect of dialects) {
  describe(`plans on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let counter = 0
    const fresh = (prefix: string) => `${prefix} ${++counter}`
    const createPlan = async (body: Record<string, unknown> = {}) => {
      const reply = await h.call('POST', '/portal-api/plans', { Name: fresh('plan'), ProviderID: 1, ...body })
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body
    }
    before(async () => {
      h = await startHarness(dialect)
      // Tyk's example names catalogue 1: the first catalogue of a fresh service.
      assert.equal((await h.call('POST', '/portal-api/catalogues', { Name: 'Public Catalogue', VisibilityStatus: 'Public' })).body.ID, 1)
      assert.equal((await h.call('POST', '/portal-api/catalogues', { Name: 'Partners' })).body.ID, 2)
    })
    after(async () => { await h.close() })

    it('creates Tyk\'s example plan with 200, every field returned as sent', async () => {
      const created = await h.call('POST', '/portal-api/plans', TYK_PLAN)
      assert.equal(created.status, 200, JSON.stringify(created.body))
      const { ID, ...rest } = created.body
      assert.ok(Number.isInteger(ID))
      assert.deepEqual(rest, { ...TYK_PLAN, ReferenceID: '' }, 'ReferenceID is in Tyk\'s Plan: answered, "" when never written')
      assert.deepEqual((await h.call('GET', `/portal-api/plans/${ID}`)).body, created.body)
    })

    it('lists plans as {"data":[PlanSummary]}', async () => {
      const created = await createPlan({ DisplayName: 'Listed', RateLimit: 2.5, Quota: 100, AutoApproveAccessRequests: true, Description: 'not in the summary' })
      const listed = await h.call('GET', '/portal-api/plans?per_page=1000')
      assert.equal(listed.status, 200)
      assert.deepEqual(Object.keys(listed.body), ['data'])
      assert.deepEqual(listed.body.data.find((item: { ID: number }) => item.ID === created.ID), {
        ID: created.ID, Name: created.Name, DisplayName: 'Listed', AutoApproveAccessRequests: true, RateLimit: 2.5, Quota: 100
      })
      const bare = await createPlan()
      assert.deepEqual((await h.call('GET', '/portal-api/plans?per_page=1000')).body.data.at(-1), { ID: bare.ID, Name: bare.Name, DisplayName: '', AutoApproveAccessRequests: false, RateLimit: 0, Quota: 0 })
    })

    // Contract changed (issue 10): every field of Tyk's Plan is answered, Go's zero value when never written.
    it('fills defaults: JWTScope "", AutoApproveAccessRequests false, and Go\'s zero value for every other field of Tyk\'s Plan', async () => {
      const created = await createPlan()
      assert.deepEqual(created, {
        ID: created.ID, Name: created.Name, ProviderID: 1, JWTScope: '', AutoApproveAccessRequests: false, CID: '', Catalogues: [], DisplayName: '', Description: '',
        KeyExpiresIn: 0, MetaData: {}, Per: 0, PlanQuota: 0, PlanQuotaRenewalRate: 0, Quota: 0, QuotaRenewalRate: 0, RateLimit: 0, UnlimitedQuota: false,
        UnlimitedRateLimit: false, ReferenceID: ''
      })
    })

    it('reads null for Catalogues as [] (Go answers an empty slice as null)', async () => {
      const created = await createPlan({ Catalogues: null })
      assert.deepEqual(created.Catalogues, [])
      const updated = await h.call('PUT', `/portal-api/plans/${created.ID}`, { Catalogues: [1, 'Partners'] })
      assert.deepEqual(updated.body.Catalogues, [1, 2], 'IDs or names on write; IDs on read, as the plan routes\' schema (Plan) types them')
      assert.deepEqual((await h.call('PUT', `/portal-api/plans/${created.ID}`, { DisplayName: 'kept' })).body.Catalogues, [1, 2], 'omitted keeps them')
      assert.deepEqual((await h.call('PUT', `/portal-api/plans/${created.ID}`, { Catalogues: null })).body.Catalogues, [])
    })

    it('reads JWTScope comma or space separated and answers it canonical', async () => {
      assert.equal((await createPlan({ JWTScope: 'gold  silver,bronze' })).JWTScope, 'gold,silver,bronze')
    })

    // Contract changed (issue 10): PUT decodes the body onto the stored plan, as Tyk's Go handler does; Tyk's
    // Postman collection and Go client send partial bodies (no Name, no ProviderID).
    it('supports GET-modify-PUT; a partial PUT keeps what it omits (JWTScope, auto-approval, ProviderID)', async () => {
      const created = await createPlan({ ...TYK_PLAN, Name: fresh('gmp'), JWTScope: 'gmp-scope' })
      const read = (await h.call('GET', `/portal-api/plans/${created.ID}`)).body
      const updated = await h.call('PUT', `/portal-api/plans/${created.ID}`, { ...read, RateLimit: 50, ID: 999 })
      assert.deepEqual([updated.status, updated.body], [200, { ...read, RateLimit: 50 }])
      const partial = await h.call('PUT', `/portal-api/plans/${created.ID}`, { DisplayName: 'Renamed' })
      assert.deepEqual([partial.status, partial.body], [200, { ...read, RateLimit: 50, DisplayName: 'Renamed' }])
      const cleared = await h.call('PUT', `/portal-api/plans/${created.ID}`, { JWTScope: '', ProviderID: 2 })
      assert.deepEqual([cleared.body.JWTScope, cleared.body.ProviderID, cleared.body.AutoApproveAccessRequests], ['', 2, true])
      assert.equal((await createPlan({ JWTScope: 'gmp-scope' })).JWTScope, 'gmp-scope', 'the scope was let go')
    })

    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['missing Name', { Name: undefined }, /^Name is required$/],
      ['missing ProviderID', { ProviderID: undefined }, /^ProviderID is required$/],
      ['blank Name', { Name: ' ' }, /Name must not be blank, got " "/],
      ['unknown field', { JWTScopes: 'x' }, /unknown field "JWTScopes"/],
      ['string AutoApproveAccessRequests', { AutoApproveAccessRequests: 'true' }, /AutoApproveAccessRequests must be a boolean \(true or false\), got "true"/],
      ['string ProviderID', { ProviderID: '1' }, /ProviderID must be an integer, got "1"/],
      ['fractional Quota', { Quota: 1.5 }, /Quota must be an integer, got 1.5/],
      ['string RateLimit', { RateLimit: '5' }, /RateLimit must be a number, got "5"/],
      ['MetaData not an object', { MetaData: ['a'] }, /MetaData must be an object, got \["a"\]/],
      ['an unknown catalogue name', { Catalogues: ['Public'] }, /^Catalogues\[0\] is not the name of a catalogue, got "Public"$/],
      ['an unknown catalogue ID', { Catalogues: [2, 3] }, /^Catalogues\[1\] is not the ID of a catalogue, got 3$/],
      ['a catalogue ID of the wrong type', { Catalogues: [true] }, /Catalogues\[0\]/],
      ['an invalid scope token', { JWTScope: 'free\\plan' }, /JWTScope has an invalid scope "free\\\\plan"/],
      ['a repeated scope', { JWTScope: 'x,x' }, /JWTScope lists "x" more than once in "x,x"/],
      ['an empty scope item', { JWTScope: 'x,,y' }, /JWTScope has an empty item at position 2 in "x,,y"/]
    ]
    for (const [name, change, expected] of invalid) {
      it(`refuses ${name} with 422 naming the field and value (create and update)`, async () => {
        const created = await createPlan()
        const body = JSON.parse(JSON.stringify({ Name: fresh('invalid'), ProviderID: 1, ...change }))
        assertNamed(await h.call('POST', '/portal-api/plans', body), 422, expected)
        // Name and ProviderID are required on create only: a PUT without them keeps the stored ones.
        if (!name.startsWith('missing')) assertNamed(await h.call('PUT', `/portal-api/plans/${created.ID}`, body), 422, expected)
        assert.deepEqual((await h.call('GET', `/portal-api/plans/${created.ID}`)).body, created, 'a refused update changes nothing')
      })
    }

    it('refuses a second plan with the same name (409)', async () => {
      const created = await createPlan()
      assertNamed(await h.call('POST', '/portal-api/plans', { Name: created.Name, ProviderID: 1 }), 409, new RegExp(`Name "${created.Name}" is already used by another plan`))
    })

    it('keeps each scope to one plan or product (409 naming the scope and its holder)', async () => {
      const holder = await createPlan({ Name: 'Gold', JWTScope: 'gold-scope' })
      assertNamed(await h.call('POST', '/portal-api/plans', { Name: fresh('taker'), ProviderID: 1, JWTScope: 'gold-scope' }), 409,
        new RegExp(`JWTScope "gold-scope" is already used by plan ${holder.ID} "Gold"`))
      assertNamed(await h.call('POST', '/portal-api/products', { Name: fresh('product'), Scopes: 'gold-scope' }), 409,
        new RegExp(`Scopes "gold-scope" is already used by plan ${holder.ID} "Gold"`))
      const deleted = await h.call('DELETE', `/portal-api/plans/${holder.ID}`)
      assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok' }])
      assert.equal((await h.call('GET', `/portal-api/plans/${holder.ID}`)).status, 404)
      assert.equal((await createPlan({ JWTScope: 'gold-scope' })).JWTScope, 'gold-scope')
    })

    for (const id of ['0', '-1', '1e3', '9007199254740993', '99999999999', 'abc', '999999']) {
      it(`answers 404 for plan id ${id} on get, put and delete`, async () => {
        for (const reply of [
          await h.call('GET', `/portal-api/plans/${id}`),
          await h.call('PUT', `/portal-api/plans/${id}`, { Name: fresh('404'), ProviderID: 1 }),
          await h.call('DELETE', `/portal-api/plans/${id}`)
        ]) {
          assert.deepEqual([reply.status, reply.body], [404, { errors: [`Plan Not found: plan_id "${id}"`] }])
        }
      })
    }

    it('pages the plan list by ID', async () => {
      const all = (await h.call('GET', '/portal-api/plans?per_page=1000')).body.data.map((item: { ID: number }) => item.ID)
      assert.deepEqual((await h.call('GET', '/portal-api/plans?per_page=2&page=2')).body.data.map((item: { ID: number }) => item.ID), all.slice(2, 4))
      assertNamed(await h.call('GET', '/portal-api/plans?page=0'), 400, /query parameter page must be an integer from 1/)
    })
  })
}
