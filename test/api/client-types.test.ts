import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness } from '../helpers/app.ts'

const PROVIDER = { Name: 'My Keycloak instance', Type: 'Keycloak', WellKnownURL: 'http://keycloak:8180/realms/master/.well-known/openid-configuration' }
const CLIENT_TYPE = { Name: 'Confidential', ResponseTypes: 'code', GrantType: 'client_credentials' }

// The example body of the seed page, "Update a client type" (shared/seed/update-client-type.txt).
const SEED_BODY = {
  Name: 'Server-side application',
  ResponseTypes: 'code,token',
  GrantType: 'authorization_code,refresh_token,password',
  Description: "Use this client configuration to create server-side applications that don't act on behalf of end-users",
  TokenEndpointAuthMethod: 'client_secret_basic',
  OktaAppType: 'web'
}

for (const dialect of dialects) {
  describe(`client types on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let providerId: number
    let base: string
    before(async () => {
      h = await startHarness(dialect)
      providerId = (await h.call('POST', '/portal-api/oauth-providers', PROVIDER)).body.ID
      base = `/portal-api/oauth-providers/${providerId}/client-types`
    })
    after(async () => { await h.close() })

    it('updates a client type with the seed page body verbatim', async () => {
      const created = await h.call('POST', base, { Name: 'Original', ResponseTypes: 'code', GrantType: 'client_credentials' })
      assert.equal(created.status, 200)
      h.clock.advance(5 * 60_000)
      const updated = await h.call('PUT', `${base}/${created.body.ID}`, SEED_BODY)
      assert.equal(updated.status, 200)
      assert.deepEqual(updated.body, {
        ...SEED_BODY,
        ID: created.body.ID,
        CreatedAt: created.body.CreatedAt,
        UpdatedAt: '2026-11-27 10:05'
      })
      assert.equal(created.body.CreatedAt, '2026-11-27 10:00')
      assert.deepEqual((await h.call('GET', `${base}/${created.body.ID}`)).body, updated.body)
    })

    it('creates with 200 and the Elem form, defaults filled in', async () => {
      const created = await h.call('POST', base, { Name: 'Defaults', ResponseTypes: 'code', GrantType: 'authorization_code' })
      assert.equal(created.status, 200)
      assert.deepEqual(Object.keys(created.body).sort(), ['CreatedAt', 'Description', 'GrantType', 'ID', 'Name', 'OktaAppType', 'ResponseTypes', 'TokenEndpointAuthMethod', 'UpdatedAt'])
      assert.equal(created.body.TokenEndpointAuthMethod, 'client_secret_basic')
      assert.equal(created.body.Description, '')
      assert.equal(created.body.OktaAppType, '')
      assert.match(created.body.CreatedAt, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    })

    it('accepts the array form Tyk demo scripts send, and ApplicationType', async () => {
      const created = await h.call('POST', base, {
        Name: 'Confidential Client',
        Description: 'from tyk-demo',
        GrantType: ['client_credentials'],
        ResponseTypes: ['code'],
        TokenEndpointAuthMethod: ['client_secret_post'],
        ApplicationType: 'confidential'
      })
      assert.equal(created.status, 200)
      assert.equal(created.body.GrantType, 'client_credentials')
      assert.equal(created.body.ResponseTypes, 'code')
      assert.equal(created.body.TokenEndpointAuthMethod, 'client_secret_post')
      assert.equal('ApplicationType' in created.body, false)
    })

    it('reads it_token as id_token, trims spaces, keeps order', async () => {
      const created = await h.call('POST', base, { Name: 'Typo', ResponseTypes: ' token , it_token,code', GrantType: 'implicit, authorization_code' })
      assert.equal(created.status, 200)
      assert.equal(created.body.ResponseTypes, 'token,id_token,code')
      assert.equal(created.body.GrantType, 'implicit,authorization_code')
    })

    it('supports GET-modify-PUT: read-only fields echoed back are ignored', async () => {
      const created = await h.call('POST', base, { Name: 'Roundtrip', ResponseTypes: 'code', GrantType: 'authorization_code' })
      const read = (await h.call('GET', `${base}/${created.body.ID}`)).body
      const updated = await h.call('PUT', `${base}/${created.body.ID}`, { ...read, ID: 999, CreatedAt: 'x', Description: 'changed' })
      assert.equal(updated.status, 200)
      assert.equal(updated.body.ID, created.body.ID)
      assert.equal(updated.body.CreatedAt, created.body.CreatedAt)
      assert.equal(updated.body.Description, 'changed')
    })

    // Contract changed (issue 10): PUT decodes the body onto the stored client type, as Tyk's Go handler does.
    it('PUT decodes the body onto the stored client type: omitted fields keep their values, sent ones replace them', async () => {
      const created = await h.call('POST', base, { ...CLIENT_TYPE, Name: 'Full', Description: 'd', OktaAppType: 'service', TokenEndpointAuthMethod: 'client_secret_post' })
      const updated = await h.call('PUT', `${base}/${created.body.ID}`, { GrantType: 'client_credentials,refresh_token' })
      assert.equal(updated.status, 200, JSON.stringify(updated.body))
      assert.deepEqual(updated.body, { ...created.body, GrantType: 'client_credentials,refresh_token' })
      const cleared = await h.call('PUT', `${base}/${created.body.ID}`, { Description: '', OktaAppType: '' })
      assert.deepEqual([cleared.body.Description, cleared.body.OktaAppType, cleared.body.TokenEndpointAuthMethod], ['', '', 'client_secret_post'])
    })

    // Each case: the body (or a change to a valid one), and what the error must name.
    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['unknown enum item', { ResponseTypes: 'code,bogus' }, /ResponseTypes.*"bogus"/],
      ['empty item', { ResponseTypes: 'code,,token' }, /ResponseTypes has an empty item at position 2 in "code,,token"/],
      ['duplicate item', { GrantType: 'client_credentials,client_credentials' }, /GrantType lists "client_credentials" more than once/],
      ['duplicate through the alias', { ResponseTypes: 'id_token,it_token' }, /ResponseTypes lists "id_token" more than once/],
      ['wrong case', { ResponseTypes: 'Code' }, /ResponseTypes has an unknown value "Code"/],
      ['empty string', { GrantType: '' }, /GrantType must list at least one value, got ""/],
      ['empty array', { GrantType: [] }, /GrantType must list at least one value, got \[\]/],
      ['array with a non-string', { GrantType: ['client_credentials', 5] }, /GrantType must be a string .* or an array of strings, got \["client_credentials",5\]/],
      ['number instead of CSV', { ResponseTypes: 5 }, /ResponseTypes must be .*got 5/],
      ['unknown auth method', { TokenEndpointAuthMethod: 'private_key_jwt' }, /TokenEndpointAuthMethod must be one of .*got "private_key_jwt"/],
      ['two auth methods', { TokenEndpointAuthMethod: ['client_secret_basic', 'client_secret_post'] }, /TokenEndpointAuthMethod must be .*got \["client_secret_basic","client_secret_post"\]/],
      ['unknown Okta app type', { OktaAppType: 'desktop' }, /OktaAppType must be one of .*got "desktop"/],
      ['unknown field', { GrantTypes: 'code' }, /unknown field "GrantTypes"/],
      ['10 000-character name', { Name: 'n'.repeat(10_000) }, /Name must be at most 255 characters, got "n+… \(10000 characters\)/],
      ['blank name', { Name: '   ' }, /Name must not be blank, got " {3}"/],
      ['NUL in a string', { Name: 'a\u0000b' }, /Name must not contain the NUL character/],
      ['number as name', { Name: 42 }, /Name must be a string, got 42/]
    ]
    for (const [name, change, expected] of invalid) {
      it(`refuses ${name} with 400 naming the field and value (create and update)`, async () => {
        const created = await h.call('POST', base, { ...CLIENT_TYPE, Name: `valid for ${name}` })
        for (const reply of [await h.call('POST', base, { ...CLIENT_TYPE, ...change }), await h.call('PUT', `${base}/${created.body.ID}`, { ...CLIENT_TYPE, ...change })]) {
          assert.equal(reply.status, 400, JSON.stringify(reply.body))
          assert.ok(Array.isArray(reply.body.errors))
          assert.ok(reply.body.errors.some((message: string) => expected.test(message)), `${JSON.stringify(reply.body.errors)} should match ${expected}`)
        }
        assert.equal((await h.call('GET', `${base}/${created.body.ID}`)).body.Name, `valid for ${name}`, 'a refused update changes nothing')
      })
    }

    it('lists every problem of a body in one answer', async () => {
      const reply = await h.call('POST', base, { Name: '', ResponseTypes: 'x', GrantType: 'y' })
      assert.equal(reply.status, 400)
      // Schema problems come first; the value rules run once the shape is right.
      assert.deepEqual(reply.body.errors, ['Name must not be empty'])
      const values = await h.call('POST', base, { Name: 'many', ResponseTypes: 'x', GrantType: 'y' })
      assert.equal(values.body.errors.length, 2)
    })

    it('refuses a POST missing a required field, naming it; a PUT without it keeps the stored value', async () => {
      const reply = await h.call('POST', base, { Name: 'required', ResponseTypes: 'code' })
      assert.equal(reply.status, 400)
      assert.deepEqual(reply.body.errors, ['GrantType is required'])
      const created = await h.call('POST', base, { ...CLIENT_TYPE, Name: 'required' })
      const kept = await h.call('PUT', `${base}/${created.body.ID}`, { Name: 'required', ResponseTypes: 'code' })
      assert.deepEqual([kept.status, kept.body.GrantType], [200, created.body.GrantType])
    })

    it('refuses a second client type with the same name under one provider (409)', async () => {
      await h.call('POST', base, { ...CLIENT_TYPE, Name: 'Twin' })
      const reply = await h.call('POST', base, { ...CLIENT_TYPE, Name: 'Twin' })
      assert.equal(reply.status, 409)
      assert.deepEqual(reply.body.errors, ['Name "Twin" is already used by another client type of this provider'])
    })

    for (const id of ['0', '-1', '1e3', '9007199254740993', 'abc', '999999']) {
      it(`answers 404 for client type id ${id} on get, put and delete`, async () => {
        for (const reply of [
          await h.call('GET', `${base}/${id}`),
          await h.call('PUT', `${base}/${id}`, CLIENT_TYPE),
          await h.call('DELETE', `${base}/${id}`)
        ]) {
          assert.equal(reply.status, 404)
          assert.deepEqual(reply.body.errors, [`Identity Provider or Client Type Not found: client_type_id "${id}" of provider_id "${providerId}"`])
        }
      })
    }

    it('answers 404 for a client type reached through another provider', async () => {
      const other = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Other provider' })).body.ID
      const created = await h.call('POST', base, { ...CLIENT_TYPE, Name: 'Owned' })
      assert.equal((await h.call('GET', `/portal-api/oauth-providers/${other}/client-types/${created.body.ID}`)).status, 404)
    })

    it('deletes a client type; ?force is validated as a Go boolean (strconv.ParseBool spellings)', async () => {
      const created = await h.call('POST', base, { ...CLIENT_TYPE, Name: 'Doomed' })
      const bad = await h.call('DELETE', `${base}/${created.body.ID}?force=yes`)
      assert.equal(bad.status, 400)
      assert.match(bad.body.errors[0], /query parameter force must be one of "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False", got "yes"/)
      const deleted = await h.call('DELETE', `${base}/${created.body.ID}?force=false`)
      assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok' }])
      assert.equal((await h.call('GET', `${base}/${created.body.ID}`)).status, 404)
    })

    for (const [no, yes] of [['0', '1'], ['f', 't'], ['F', 'T'], ['FALSE', 'TRUE'], ['False', 'True']]) {
      it(`reads ?force=${no} as false and ?force=${yes} as true (Go's spellings, as Tyk reads them)`, async () => {
        const type = await h.call('POST', base, { ...CLIENT_TYPE, Name: `Attached ${yes}` })
        const product = await h.call('POST', '/portal-api/products', { Name: `force-${yes}`, Templates: [type.body.ID] })
        assert.equal(product.status, 201, JSON.stringify(product.body))
        const refused = await h.call('DELETE', `${base}/${type.body.ID}?force=${no}`)
        assert.equal(refused.status, 400, JSON.stringify(refused.body))
        assert.match(refused.body.errors[0], /is attached to product/)
        const forced = await h.call('DELETE', `${base}/${type.body.ID}?force=${yes}`)
        assert.deepEqual([forced.status, forced.body], [200, { status: 'ok' }])
        assert.deepEqual((await h.call('GET', `/portal-api/products/${product.body.ID}`)).body.Templates, [])
      })
    }
  })

  describe(`client type pagination on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let base: string
    let ids: number[]
    before(async () => {
      h = await startHarness(dialect)
      const providerId = (await h.call('POST', '/portal-api/oauth-providers', PROVIDER)).body.ID
      base = `/portal-api/oauth-providers/${providerId}/client-types`
      ids = []
      for (let i = 1; i <= 25; i++) ids.push((await h.call('POST', base, { ...CLIENT_TYPE, Name: `type ${i}` })).body.ID)
    })
    after(async () => { await h.close() })

    const pages: Array<[string, number, number]> = [
      ['', 20, 0], ['?page=2', 5, 20], ['?per_page=10&page=3', 5, 20], ['?per_page=10&page=2', 10, 10],
      ['?limit=3', 3, 0], ['?per_page=1000', 25, 0], ['?page=9', 0, 0]
    ]
    for (const [query, count, offset] of pages) {
      it(`lists ${count} client types for "${query}" in ID order`, async () => {
        const reply = await h.call('GET', `${base}${query}`)
        assert.equal(reply.status, 200)
        assert.deepEqual(reply.body.map((item: { ID: number }) => item.ID), ids.slice(offset, offset + count))
      })
    }

    // Contract changed (issue 10): per_page above 1000 is read as 1000, unknown parameters are ignored (as Go servers do).
    for (const query of ['per_page=1001', 'limit=5000', 'sort=name', 'p=-2']) {
      it(`accepts ?${query} (clamped or ignored)`, async () => {
        const reply = await h.call('GET', `${base}?${query}`)
        assert.equal(reply.status, 200, JSON.stringify(reply.body))
        assert.deepEqual(reply.body.map((item: { ID: number }) => item.ID), ids.slice(0, query.startsWith('limit') || query.startsWith('per_page') ? 25 : 20))
      })
    }

    for (const query of ['per_page=0', 'page=0', 'page=-1', 'limit=1e3', 'page=abc']) {
      it(`refuses ?${query} with 400 naming the parameter`, async () => {
        const reply = await h.call('GET', `${base}?${query}`)
        assert.equal(reply.status, 400)
        const name = query.split('=')[0] ?? ''
        assert.ok(reply.body.errors.some((message: string) => message.includes(`"${name}"`) || message.includes(`parameter ${name}`)), JSON.stringify(reply.body))
      })
    }

    it('answers 404 when listing the client types of an unknown provider', async () => {
      const reply = await h.call('GET', '/portal-api/oauth-providers/4242/client-types')
      assert.deepEqual([reply.status, reply.body], [404, { errors: ['Identity Provider Not found: provider_id "4242"'] }])
    })
  })
}
