import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SYSTEM_ACTOR } from '../../src/shared/actor.ts'
import { ProductService } from '../../src/modules/products/product.service.ts'
import { toProductShow, type ProductInput } from '../../src/modules/products/product.schemas.ts'
import { PlanService } from '../../src/modules/plans/plan.service.ts'
import { toPlan, type PlanInput } from '../../src/modules/plans/plan.schemas.ts'
import { dialects } from '../helpers/dialects.ts'
import { assertNamed, startHarness, type Harness } from '../helpers/app.ts'

const PROVIDER = { Name: 'My Keycloak instance', Type: 'Keycloak', WellKnownURL: 'http://keycloak:8180/realms/master/.well-known/openid-configuration' }
const CLIENT_TYPE = { ResponseTypes: 'code', GrantType: 'client_credentials' }

// Tyk's "Create a new product" example (regular-product), with the client type ID filled in per suite.
const TYK_EXAMPLE = {
  APIDetails: [{ APIID: '3108a5fc970946ef66c1835cf73ba7a5', Description: 'This API provides payment endpoints', OASUrl: 'https://petstore.swagger.io/v2/swagger.json' }],
  Catalogues: [1],
  CID: '2r7p8aUnkzby17hCJk8w2XvK3K6',
  Content: '<p>Description goes here</p>',
  DCREnabled: true,
  Description: 'Description goes here',
  DisplayName: 'ACME Payment API',
  Feature: true,
  IsDocumentationOnly: false,
  Name: 'payment_api',
  ProviderID: 1,
  Scopes: 'payments,clients',
  Tags: [1]
}

for (const dialect of dialects) {
  describe(`products on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let providerId: number
    let otherProviderId: number
    let web: number
    let service: number
    let otherWeb: number
    let counter = 0
    const fresh = (prefix: string) => `${prefix} ${++counter}`
    const createProduct = async (body: Record<string, unknown> = {}) => {
      const reply = await h.call('POST', '/portal-api/products', { Name: fresh('product'), ...body })
      assert.equal(reply.status, 201, JSON.stringify(reply.body))
      return reply.body
    }

    before(async () => {
      h = await startHarness(dialect)
      // Tyk's example names catalogue 1: the first catalogue of a fresh service.
      assert.equal((await h.call('POST', '/portal-api/catalogues', { Name: 'Public Catalogue', VisibilityStatus: 'Public' })).body.ID, 1)
      providerId = (await h.call('POST', '/portal-api/oauth-providers', PROVIDER)).body.ID
      otherProviderId = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Other IdP' })).body.ID
      const types = `/portal-api/oauth-providers/${providerId}/client-types`
      web = (await h.call('POST', types, { ...CLIENT_TYPE, Name: 'Web application', GrantType: 'authorization_code', OktaAppType: 'web', Description: 'Web' })).body.ID
      service = (await h.call('POST', types, { ...CLIENT_TYPE, Name: 'Service' })).body.ID
      // Client type names are unique per provider only: "Web application" exists twice.
      otherWeb = (await h.call('POST', `/portal-api/oauth-providers/${otherProviderId}/client-types`, { ...CLIENT_TYPE, Name: 'Web application' })).body.ID
    })
    after(async () => { await h.close() })

    it('creates Tyk\'s example product with 201, every field returned as sent, Templates and Catalogues as names', async () => {
      const created = await h.call('POST', '/portal-api/products', { ...TYK_EXAMPLE, Templates: [web] })
      assert.equal(created.status, 201, JSON.stringify(created.body))
      const { ID, CreatedAt, UpdatedAt, Templates, ...rest } = created.body
      assert.ok(Number.isInteger(ID))
      assert.deepEqual([CreatedAt, UpdatedAt], ['2026-11-27 10:00', '2026-11-27 10:00'])
      assert.deepEqual(Templates, ['Web application'])
      // Fields of Tyk's Product-show the example does not write are answered with Go's zero value.
      assert.deepEqual(rest, { ...TYK_EXAMPLE, Catalogues: ['Public Catalogue'], AuthType: '', AuthTypes: [], Logo: '', Path: '', Preview: '', ReferenceID: '', SpecDetails: [] })
      assert.deepEqual((await h.call('GET', `/portal-api/products/${ID}`)).body, created.body)
      const listed = await h.call('GET', '/portal-api/products')
      assert.equal(listed.status, 200)
      assert.deepEqual(listed.body.find((item: { ID: number }) => item.ID === ID), created.body)
    })

    // Contract changed (issue 10): every field of Tyk's Product-show is answered, Go's zero value when never written.
    it('fills defaults: DCREnabled false, Scopes "", Templates [], and Go\'s zero value for every other field of Tyk\'s Product-show', async () => {
      const created = await createProduct()
      const { ID, Name, CreatedAt, UpdatedAt, ...rest } = created
      assert.deepEqual(rest, {
        DCREnabled: false, Scopes: '', Templates: [], APIDetails: [], AuthType: '', AuthTypes: [], Catalogues: [], CID: '', Content: '', Description: '',
        DisplayName: '', Feature: false, IsDocumentationOnly: false, Logo: '', Path: '', Preview: '', ProviderID: 0, ReferenceID: '', SpecDetails: [], Tags: []
      })
    })

    it('accepts a product as Tyk answers it: null lists, Preview, Path, ReferenceID, AuthType, Logo, SpecDetails; stored and answered', async () => {
      const tyk = { Catalogues: null, Tags: null, Templates: null, SpecDetails: null, APIDetails: null, AuthTypes: null, Preview: '/system/products/2/preview/p.png', Path: 'acme-payment-api', ReferenceID: '6490fd2a1ba6a6000108864d', AuthType: 'authToken', Logo: '/system/products/2/logo/logo.png' }
      const created = await createProduct(tyk)
      assert.deepEqual([created.Catalogues, created.Tags, created.Templates, created.SpecDetails, created.APIDetails, created.AuthTypes], [[], [], [], [], [], []])
      assert.deepEqual([created.Preview, created.Path, created.ReferenceID, created.AuthType, created.Logo], [tyk.Preview, tyk.Path, tyk.ReferenceID, tyk.AuthType, tyk.Logo])
      const attached = await h.call('PUT', `/portal-api/products/${created.ID}`, { Templates: [service] })
      assert.deepEqual(attached.body.Templates, ['Service'])
      const detached = await h.call('PUT', `/portal-api/products/${created.ID}`, { ...attached.body, Templates: null, Tags: null })
      assert.deepEqual([detached.status, detached.body.Templates, detached.body.Tags], [200, [], []], 'null Templates detaches all, as []')
    })

    it('reads Scopes comma or space separated and answers them canonical', async () => {
      const created = await createProduct({ Scopes: ' accounts  balances, transfers ,history ' })
      assert.equal(created.Scopes, 'accounts,balances,transfers,history')
    })

    it('accepts Templates as client type names (what a GET returned) and IDs, in any mix', async () => {
      const created = await createProduct({ Templates: ['Service', web] })
      assert.deepEqual(created.Templates, ['Web application', 'Service'])
    })

    it('supports GET-modify-PUT (tyk-demo enables DCR this way)', async () => {
      const created = await createProduct({ Templates: [web, service], Scopes: 'gmp', Tags: ['payments'], DisplayName: 'Round trip', Catalogues: [1] })
      const read = (await h.call('GET', `/portal-api/products/${created.ID}`)).body
      assert.deepEqual(read.Catalogues, ['Public Catalogue'], 'written as an ID, read as a name, written back as the name')
      h.clock.advance(60_000)
      const updated = await h.call('PUT', `/portal-api/products/${created.ID}`, { ...read, DCREnabled: true })
      assert.equal(updated.status, 200, JSON.stringify(updated.body))
      assert.deepEqual(updated.body, { ...read, DCREnabled: true, UpdatedAt: '2026-11-27 10:01' })
      h.clock.advance(-60_000)
    })

    it('GET-modify-PUT works when two attached client types share a name (of different providers)', async () => {
      const created = await createProduct({ Templates: [web, otherWeb] })
      assert.deepEqual(created.Templates, ['Web application', 'Web application'])
      const updated = await h.call('PUT', `/portal-api/products/${created.ID}`, { Name: created.Name, Templates: created.Templates })
      assert.equal(updated.status, 200, JSON.stringify(updated.body))
      const attached = await h.call('GET', `/portal-api/products/${created.ID}/client_types`)
      assert.deepEqual(attached.body.map((item: { ID: number }) => item.ID), [web, otherWeb])
    })

    it('PUT: omitted Templates keeps the attachments, [] detaches them all', async () => {
      const created = await createProduct({ Templates: [service] })
      const kept = await h.call('PUT', `/portal-api/products/${created.ID}`, { Name: created.Name })
      assert.deepEqual(kept.body.Templates, ['Service'])
      const emptied = await h.call('PUT', `/portal-api/products/${created.ID}`, { Name: created.Name, Templates: [] })
      assert.deepEqual(emptied.body.Templates, [])
    })

    // Contract changed (issue 10): PUT decodes the body onto the stored product, as Tyk's Go handler does.
    it('PUT keeps what the body omits (Tyk decodes it onto the stored product); sent fields replace, a sent "" clears', async () => {
      const created = await createProduct({ ...TYK_EXAMPLE, Name: fresh('full'), Scopes: 'replaced-scope' })
      const kept = await h.call('PUT', `/portal-api/products/${created.ID}`, { DisplayName: 'Partial' })
      assert.equal(kept.status, 200, JSON.stringify(kept.body))
      assert.deepEqual(kept.body, { ...created, DisplayName: 'Partial' })
      const updated = await h.call('PUT', `/portal-api/products/${created.ID}`, { Scopes: '', DCREnabled: false })
      assert.deepEqual([updated.body.DCREnabled, updated.body.Scopes, updated.body.Name], [false, '', created.Name])
      // The scope was let go: another product may take it now.
      await createProduct({ Scopes: 'replaced-scope' })
    })

    // Each case: a change to a valid body, and what the 422 must name.
    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['missing Name', { Name: undefined }, /^Name is required$/],
      ['blank Name', { Name: '  ' }, /Name must not be blank, got " {2}"/],
      ['unknown field', { Scope: 'x' }, /unknown field "Scope"/],
      ['string DCREnabled (no coercion)', { DCREnabled: 'true' }, /DCREnabled must be a boolean \(true or false\), got "true"/],
      ['string ProviderID (no coercion)', { ProviderID: '1' }, /ProviderID must be an integer, got "1"/],
      ['array Scopes', { Scopes: ['a'] }, /Scopes must be a string, got \["a"\]/],
      ['an invalid scope token', { Scopes: 'payments,pay"ments' }, /Scopes has an invalid scope "pay\\"ments"/],
      ['an empty scope item', { Scopes: 'a,,b' }, /Scopes has an empty item at position 2 in "a,,b"/],
      ['a repeated scope', { Scopes: 'a b a' }, /Scopes lists "a" more than once in "a b a"/],
      ['an unknown Templates ID', { Templates: [9999] }, /Templates\[0\] is not the ID of a client type, got 9999/],
      ['an unknown Templates name', { Templates: ['Nope'] }, /Templates\[0\] is not the name of a client type, got "Nope"/],
      ['a Templates item of the wrong type', { Templates: [true] }, /Templates\[0\] must be an integer or a string, got true/],
      ['a repeated Templates item', { Templates: ['Service', 'Service'] }, /Templates lists client type \d+ more than once, got "Service" at position 2/],
      ['a wrongly typed list field', { Catalogues: 'Public' }, /Catalogues must be an array or null, got "Public"/],
      ['an unknown catalogue ID', { Catalogues: [1, 99] }, /^Catalogues\[1\] is not the ID of a catalogue, got 99$/],
      ['an unknown catalogue name', { Catalogues: ['Nowhere'] }, /^Catalogues\[0\] is not the name of a catalogue, got "Nowhere"$/],
      ['a catalogue named twice', { Catalogues: [1, 'Public Catalogue'] }, /^Catalogues lists catalogue 1 more than once, got "Public Catalogue" at position 2$/],
      ['a wrongly typed pass-through item', { AuthTypes: ['jwt', 3] }, /AuthTypes\[1\] must be a string, got 3/],
      ['SpecDetails of the wrong type', { SpecDetails: 'x' }, /SpecDetails must be an array or null, got "x"/]
    ]
    for (const [name, change, expected] of invalid) {
      it(`refuses ${name} with 422 naming the field and value (create and update)`, async () => {
        const created = await createProduct()
        const body = JSON.parse(JSON.stringify({ Name: fresh('invalid'), ...change }))
        assertNamed(await h.call('POST', '/portal-api/products', body), 422, expected)
        // Name is required on create only: a PUT without it keeps the stored one.
        if (name !== 'missing Name') assertNamed(await h.call('PUT', `/portal-api/products/${created.ID}`, body), 422, expected)
        assert.deepEqual((await h.call('GET', `/portal-api/products/${created.ID}`)).body, created, 'a refused update changes nothing')
      })
    }

    it('refuses a Templates name that two providers use, unless it is attached (422 naming both)', async () => {
      assertNamed(await h.call('POST', '/portal-api/products', { Name: fresh('ambiguous'), Templates: ['Web application'] }), 422,
        new RegExp(`Templates\\[0\\] "Web application" names client types ${web}, ${otherWeb} of different providers: send the ID instead`))
    })

    it('refuses a second product with the same name (409)', async () => {
      const created = await createProduct()
      assertNamed(await h.call('POST', '/portal-api/products', { Name: created.Name }), 409, new RegExp(`Name "${created.Name}" is already used by another product`))
    })

    it('keeps each scope to one product or plan (409 naming the scope and its holder)', async () => {
      const holder = await createProduct({ Name: 'Scope holder', Scopes: 'unique-a unique-b' })
      assertNamed(await h.call('POST', '/portal-api/products', { Name: fresh('taker'), Scopes: 'other,unique-b' }), 409,
        new RegExp(`Scopes "unique-b" is already used by product ${holder.ID} "Scope holder"`))
      assertNamed(await h.call('POST', '/portal-api/plans', { Name: fresh('plan'), ProviderID: 1, JWTScope: 'unique-a' }), 409,
        new RegExp(`JWTScope "unique-a" is already used by product ${holder.ID} "Scope holder"`))
      const plan = await h.call('POST', '/portal-api/plans', { Name: 'Scope plan', ProviderID: 1, JWTScope: 'plan-scope' })
      assert.equal(plan.status, 200)
      assertNamed(await h.call('PUT', `/portal-api/products/${holder.ID}`, { Name: 'Scope holder', Scopes: 'unique-a,plan-scope' }), 409,
        new RegExp(`Scopes "plan-scope" is already used by plan ${plan.body.ID} "Scope plan"`))
      // Saving a product again with its own scopes is fine; deleting it frees them.
      assert.equal((await h.call('PUT', `/portal-api/products/${holder.ID}`, { Name: 'Scope holder', Scopes: 'unique-b,unique-a' })).status, 200)
      assert.equal((await h.call('DELETE', `/portal-api/products/${holder.ID}`)).status, 200)
      assert.equal((await createProduct({ Scopes: 'unique-a' })).Scopes, 'unique-a')
    })

    describe('client type attachments (/products/{id}/client_types)', () => {
      it('attaches with 201 and ProductClientTypeResponse; lists, gets, detaches', async () => {
        const product = await createProduct()
        const base = `/portal-api/products/${product.ID}/client_types`
        const attached = await h.call('POST', base, { ID: web })
        assert.equal(attached.status, 201, JSON.stringify(attached.body))
        assert.deepEqual(attached.body, {
          Name: 'Web application', ID: web, Description: 'Web', GrantType: 'authorization_code', OktaAppType: 'web', CreatedAt: '2026-11-27 10:00', UpdatedAt: '2026-11-27 10:00'
        })
        assert.equal((await h.call('POST', base, { ID: service })).status, 201)
        assert.deepEqual((await h.call('GET', base)).body, [{ ID: web, Name: 'Web application' }, { ID: service, Name: 'Service' }])
        assert.deepEqual((await h.call('GET', `${base}?limit=1&per_page=1&page=2`)).body, [{ ID: service, Name: 'Service' }])
        assert.deepEqual((await h.call('GET', `${base}/${web}`)).body, attached.body)
        assert.deepEqual((await h.call('GET', `/portal-api/products/${product.ID}`)).body.Templates, ['Web application', 'Service'])

        const detached = await h.call('DELETE', `${base}/${web}`)
        assert.deepEqual([detached.status, detached.body], [200, { status: 'ok' }])
        assert.equal((await h.call('GET', `${base}/${web}`)).status, 404)
        assert.equal((await h.call('DELETE', `${base}/${web}`)).status, 404)
        assert.equal((await h.call('GET', `/portal-api/oauth-providers/${providerId}/client-types/${web}`)).status, 200, 'the client type survives')
      })

      it('attaching a client type twice is idempotent (201, attached once)', async () => {
        const product = await createProduct()
        const base = `/portal-api/products/${product.ID}/client_types`
        const first = await h.call('POST', base, { ID: service })
        const second = await h.call('POST', base, { ID: service })
        assert.deepEqual([second.status, second.body], [201, first.body])
        assert.deepEqual((await h.call('GET', base)).body, [{ ID: service, Name: 'Service' }])
      })

      const badAttach: Array<[string, unknown, RegExp]> = [
        ['an unknown client type', { ID: 9999 }, /ID 9999 is not the ID of a client type/],
        ['a string ID (no coercion)', { ID: String(1) }, /ID must be an integer, got "1"/],
        ['a missing ID', {}, /^ID is required$/],
        ['an unknown field', { ID: 1, Name: 'x' }, /unknown field "Name"/],
        ['a zero ID', { ID: 0 }, /ID must be >= 1, got 0/]
      ]
      for (const [name, body, expected] of badAttach) {
        it(`refuses to attach ${name} with 422 naming it`, async () => {
          const product = await createProduct()
          assertNamed(await h.call('POST', `/portal-api/products/${product.ID}/client_types`, body), 422, expected)
        })
      }

      it('answers 404 for a client type that exists but is not attached', async () => {
        const product = await createProduct()
        const reply = await h.call('GET', `/portal-api/products/${product.ID}/client_types/${service}`)
        assert.deepEqual([reply.status, reply.body], [404, { errors: [`Client type is not found: client_type_id "${service}" is not attached to product_id "${product.ID}"`] }])
      })

      it('deleting a product detaches its client types, which survive', async () => {
        const product = await createProduct({ Templates: [web] })
        const deleted = await h.call('DELETE', `/portal-api/products/${product.ID}`)
        assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok' }])
        assert.equal((await h.call('GET', `/portal-api/products/${product.ID}`)).status, 404)
        assert.equal((await h.call('GET', `/portal-api/products/${product.ID}/client_types`)).status, 404)
        assert.equal((await h.call('GET', `/portal-api/oauth-providers/${providerId}/client-types/${web}`)).status, 200)
      })
    })

    for (const id of ['0', '-1', '1e3', '9007199254740993', 'abc', '999999']) {
      it(`answers 404 for product id ${id} everywhere`, async () => {
        for (const reply of [
          await h.call('GET', `/portal-api/products/${id}`),
          await h.call('PUT', `/portal-api/products/${id}`, { Name: fresh('404') }),
          await h.call('DELETE', `/portal-api/products/${id}`),
          await h.call('GET', `/portal-api/products/${id}/client_types`),
          await h.call('POST', `/portal-api/products/${id}/client_types`, { ID: web })
        ]) {
          assert.deepEqual([reply.status, reply.body], [404, { errors: [`Product Not found: product_id "${id}"`] }])
        }
      })

      it(`answers 404 for attached client type id ${id}`, async () => {
        const product = await createProduct()
        for (const reply of [
          await h.call('GET', `/portal-api/products/${product.ID}/client_types/${id}`),
          await h.call('DELETE', `/portal-api/products/${product.ID}/client_types/${id}`)
        ]) {
          assert.equal(reply.status, 404)
          assert.match(reply.body.errors[0], new RegExp(`client_type_id "${id}" is not attached`))
        }
      })
    }

    it('pages the product list by ID', async () => {
      const all = (await h.call('GET', '/portal-api/products?per_page=1000')).body.map((item: { ID: number }) => item.ID)
      assert.deepEqual((await h.call('GET', '/portal-api/products?per_page=2&page=2')).body.map((item: { ID: number }) => item.ID), all.slice(2, 4))
      assert.equal((await h.call('GET', '/portal-api/products?per_page=0')).status, 400)
    })

    it('calls onScopesSaved with the scopes after a product or plan is saved', async () => {
      const seen: string[][] = []
      const ctx = { actor: SYSTEM_ACTOR }
      const deps = { db: h.database.db, now: () => h.clock.now, usageChecks: [], onScopesSaved: async (scopes: readonly string[]) => { seen.push([...scopes]) } }
      const products = new ProductService({ ...deps, snapshot: toProductShow })
      const product = await products.create({ Name: fresh('hooked'), Scopes: 'hook-a hook-b' } as ProductInput, ctx)
      await products.update(product.id, { Scopes: 'hook-c' }, ctx)
      await new PlanService({ ...deps, snapshot: toPlan }).create({ Name: fresh('hooked plan'), ProviderID: 1, JWTScope: 'hook-plan' } as PlanInput, ctx)
      await products.create({ Name: fresh('no scopes') } as ProductInput, ctx)
      assert.deepEqual(seen, [['hook-a', 'hook-b'], ['hook-c'], ['hook-plan']])
      // A refused save does not call it.
      await assert.rejects(products.create({ Name: fresh('refused'), Scopes: 'hook-c' } as ProductInput, ctx), /already used/)
      assert.equal(seen.length, 3)
    })
  })

  describe(`deleting what products use, on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    before(async () => { h = await startHarness(dialect) })
    after(async () => { await h.close() })

    const setup = async (name: string) => {
      const providerId = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: name })).body.ID
      const base = `/portal-api/oauth-providers/${providerId}/client-types`
      const typeId = (await h.call('POST', base, { ...CLIENT_TYPE, Name: 'Attached' })).body.ID
      const product = await h.call('POST', '/portal-api/products', { Name: `Product of ${name}`, Templates: [typeId] })
      assert.equal(product.status, 201)
      return { providerId, typeId, productId: product.body.ID as number, typeUrl: `${base}/${typeId}` }
    }

    it('refuses to delete an attached client type (400 naming the product) unless ?force=true, which detaches it', async () => {
      const { typeId, productId, typeUrl } = await setup('Client type force')
      for (const url of [typeUrl, `${typeUrl}?force=false`]) {
        const refused = await h.call('DELETE', url)
        assert.equal(refused.status, 400)
        assert.deepEqual(refused.body.errors, [
          `client type ${typeId} "Attached" is attached to product ${productId} "Product of Client type force"`,
          'delete with ?force=true to remove it anyway'
        ])
      }
      assert.equal((await h.call('GET', typeUrl)).status, 200, 'nothing deleted')
      const forced = await h.call('DELETE', `${typeUrl}?force=true`)
      assert.deepEqual([forced.status, forced.body], [200, { status: 'ok' }])
      assert.equal((await h.call('GET', typeUrl)).status, 404)
      const product = await h.call('GET', `/portal-api/products/${productId}`)
      assert.deepEqual([product.status, product.body.Templates], [200, []])
    })

    it('refuses to delete a provider whose client type is attached unless ?force=true', async () => {
      const { providerId, typeId, productId } = await setup('Provider force')
      const refused = await h.call('DELETE', `/portal-api/oauth-providers/${providerId}`)
      assert.equal(refused.status, 400)
      assert.match(refused.body.errors[0], new RegExp(`client type ${typeId} "Attached" is attached to product ${productId} "Product of Provider force"`))
      assert.equal((await h.call('GET', `/portal-api/oauth-providers/${providerId}`)).status, 200)
      assert.equal((await h.call('DELETE', `/portal-api/oauth-providers/${providerId}?force=true`)).status, 200)
      assert.equal((await h.call('GET', `/portal-api/oauth-providers/${providerId}`)).status, 404)
      assert.deepEqual((await h.call('GET', `/portal-api/products/${productId}/client_types`)).body, [])
    })

    it('deletes a detached client type and an unused provider without force', async () => {
      const { providerId, productId, typeId, typeUrl } = await setup('Unused')
      assert.equal((await h.call('DELETE', `/portal-api/products/${productId}/client_types/${typeId}`)).status, 200)
      assert.equal((await h.call('DELETE', typeUrl)).status, 200)
      assert.equal((await h.call('DELETE', `/portal-api/oauth-providers/${providerId}`)).status, 200)
    })
  })
}
