import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { TEST_SECRET_BOX, startHarness, type Harness } from '../helpers/app.ts'
import { PROVIDER_TOKEN, openColumn } from '../../src/shared/sealed-columns.ts'

const PROVIDER = { Name: 'My Keycloak instance', Type: 'Keycloak', WellKnownURL: 'http://keycloak:8180/realms/master/.well-known/openid-configuration' }
const SENTINEL = 'SENTINEL-initial-access-token-7f3a9c'

for (const dialect of dialects) {
  describe(`OAuth providers on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    before(async () => { h = await startHarness(dialect) })
    after(async () => { await h.close() })

    it('creates with 200 and the Elem form: no ClientTypes, no token', async () => {
      const reply = await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Elem', RegistrationAccessToken: SENTINEL, SSLInsecureSkipVerify: true })
      assert.equal(reply.status, 200)
      assert.deepEqual(reply.body, {
        ID: reply.body.ID,
        Name: 'Elem',
        Type: 'Keycloak',
        WellKnownURL: PROVIDER.WellKnownURL,
        SSLInsecureSkipVerify: true,
        RequiresRedirectURIs: false,
        CreatedAt: '2026-11-27 10:00',
        UpdatedAt: '2026-11-27 10:00'
      })
    })

    for (const spelling of ['keycloak', 'KEYCLOAK', 'KeyCloak']) {
      it(`accepts Type ${spelling} and answers Keycloak`, async () => {
        const reply = await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: `case ${spelling}`, Type: spelling })
        assert.equal(reply.status, 200)
        assert.equal(reply.body.Type, 'Keycloak')
      })
    }

    it('shows ClientTypes on GET and PUT, and not in list items', async () => {
      const { ID } = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'With types' })).body
      const type = (await h.call('POST', `/portal-api/oauth-providers/${ID}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })).body
      const shown = await h.call('GET', `/portal-api/oauth-providers/${ID}`)
      assert.equal(shown.status, 200)
      assert.deepEqual(shown.body.ClientTypes, [type])
      const updated = await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...PROVIDER, Name: 'With types' })
      assert.deepEqual(updated.body.ClientTypes, [type])
      const listed = (await h.call('GET', '/portal-api/oauth-providers?per_page=1000')).body
      assert.ok(listed.length > 0)
      for (const item of listed) assert.equal('ClientTypes' in item, false)
    })

    it('keeps the write-only token when PUT omits it, clears it on "", and never returns it', async () => {
      const { ID } = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Token', RegistrationAccessToken: SENTINEL })).body
      const sealed = async () => (await h.database.db.selectFrom('oauth_providers').select('registration_access_token').where('id', '=', ID).executeTakeFirstOrThrow()).registration_access_token
      const stored = async () => openColumn(TEST_SECRET_BOX, PROVIDER_TOKEN, ID, await sealed())
      assert.equal(await stored(), SENTINEL)
      assert.equal((await sealed())?.includes('SENTINEL'), false, 'sealed at rest')
      const kept = await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...PROVIDER, Name: 'Token renamed' })
      assert.equal(kept.status, 200)
      assert.equal(await stored(), SENTINEL)
      await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...PROVIDER, Name: 'Token renamed', RegistrationAccessToken: '' })
      assert.equal(await stored(), null)
      await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...PROVIDER, Name: 'Token renamed', RegistrationAccessToken: `${SENTINEL}-2` })
      assert.equal(await stored(), `${SENTINEL}-2`)
    })

    // Contract changed (issue 10): PUT decodes the body onto the stored provider, as Tyk's Go handler does.
    it('updates by decoding the body onto the stored provider; keeps ID, CreatedAt and what the body omits', async () => {
      const created = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Replace', SSLInsecureSkipVerify: true })).body
      h.clock.advance(60_000)
      const updated = await h.call('PUT', `/portal-api/oauth-providers/${created.ID}`, { Name: 'Replaced', Type: 'okta', WellKnownURL: 'https://dev-1.okta.com/oauth2/default/.well-known/openid-configuration' })
      assert.equal(updated.status, 200)
      assert.equal(updated.body.ID, created.ID)
      assert.equal(updated.body.CreatedAt, created.CreatedAt)
      assert.equal(updated.body.UpdatedAt, '2026-11-27 10:01')
      assert.equal(updated.body.Type, 'Okta')
      assert.equal(updated.body.SSLInsecureSkipVerify, true, 'an omitted field keeps its value')
      const partial = await h.call('PUT', `/portal-api/oauth-providers/${created.ID}`, { SSLInsecureSkipVerify: false })
      assert.deepEqual(partial.body, { ...updated.body, SSLInsecureSkipVerify: false })
    })

    it('supports GET-modify-PUT with the echoed read-only fields', async () => {
      const { ID } = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Echo' })).body
      const read = (await h.call('GET', `/portal-api/oauth-providers/${ID}`)).body
      const reply = await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...read, Name: 'Echoed' })
      assert.equal(reply.status, 200)
      assert.equal(reply.body.Name, 'Echoed')
    })

    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['unknown Type', { Type: 'Auth0' }, /Type must be one of Keycloak, Gluu, Okta, Other \(any case\), got "Auth0"/],
      ['"true" for a boolean', { SSLInsecureSkipVerify: 'true' }, /SSLInsecureSkipVerify must be a boolean \(true or false\), got "true"/],
      ['1 for a boolean', { SSLInsecureSkipVerify: 1 }, /SSLInsecureSkipVerify must be a boolean \(true or false\), got 1/],
      ['relative URL', { WellKnownURL: '/.well-known/openid-configuration' }, /WellKnownURL must be an absolute http or https URL, got "\/.well-known/],
      ['ftp URL', { WellKnownURL: 'ftp://idp/.well-known/openid-configuration' }, /WellKnownURL must use http or https/],
      ['URL with credentials', { WellKnownURL: 'https://user:pw@idp/.well-known/openid-configuration' }, /WellKnownURL must not contain a user name or password/],
      ['unknown field', { Scopes: 'a' }, /unknown field "Scopes"/],
      ['10 000-character name', { Name: 'x'.repeat(10_000) }, /Name must be at most 255 characters, got "x+… \(10000 characters\)/],
      ['NUL in a string', { Name: 'nul\u0000here' }, /Name must not contain the NUL character/],
      ['token that is not a string', { RegistrationAccessToken: 12 }, /^RegistrationAccessToken must be a string, got a number \(not shown: it is secret\)$/],
      // Issue 11 item 11: a refused secret is described by its shape; none of it is echoed.
      ['token sent as an array', { RegistrationAccessToken: ['secret-in-array-0001'] }, /^RegistrationAccessToken must be a string, got an array \(not shown: it is secret\)$/],
      ['over-long token', { RegistrationAccessToken: 's3cr3t'.repeat(3000) }, /^RegistrationAccessToken must be at most 16384 characters, got a string of 18000 characters \(not shown: it is secret\)$/]
    ]
    for (const [name, change, expected] of invalid) {
      it(`refuses ${name} with 400 naming the field and value`, async () => {
        const reply = await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: `bad ${name}`, ...change })
        assert.equal(reply.status, 400, JSON.stringify(reply.body))
        assert.ok(reply.body.errors.some((message: string) => expected.test(message)), `${JSON.stringify(reply.body.errors)} should match ${expected}`)
        assert.equal(/secret-in-array|s3cr3t/.test(JSON.stringify(reply.body)), false, 'no secret echoed')
      })
    }

    it('keeps a stored token on its origin: moving WellKnownURL elsewhere needs the token again (issue 11 item 1)', async () => {
      const { ID } = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Moving', RegistrationAccessToken: SENTINEL })).body
      const base = { ...PROVIDER, Name: 'Moving' }
      for (const moved of ['http://evil.example:8180/realms/master/.well-known/openid-configuration', 'https://keycloak:8180/realms/master/.well-known/openid-configuration', 'http://keycloak:8181/realms/master/.well-known/openid-configuration']) {
        const reply = await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...base, WellKnownURL: moved })
        assert.equal(reply.status, 400, JSON.stringify(reply.body))
        assert.match(reply.body.errors[0], /^WellKnownURL moves the provider from http:\/\/keycloak:8180 to \S+: send RegistrationAccessToken again for the new origin/)
        assert.equal(JSON.stringify(reply.body).includes(SENTINEL), false)
      }
      // Another path on the same origin keeps the token; sending the token (or "") with a new origin is accepted.
      assert.equal((await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...base, WellKnownURL: 'http://keycloak:8180/realms/other/.well-known/openid-configuration' })).status, 200)
      assert.equal((await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...base, WellKnownURL: 'https://idp.example/.well-known/openid-configuration', RegistrationAccessToken: 'new-token-for-the-new-origin' })).status, 200)
      assert.equal((await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...base, WellKnownURL: 'https://other.example/.well-known/openid-configuration', RegistrationAccessToken: '' })).status, 200)
      assert.equal((await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...base, WellKnownURL: 'https://third.example/.well-known/openid-configuration' })).status, 200, 'no token stored: nothing to protect')
    })

    it('refuses a POST missing a required field; a PUT without it keeps the stored value', async () => {
      const refused = await h.call('POST', '/portal-api/oauth-providers', { Name: 'Missing', Type: 'Other' })
      assert.deepEqual([refused.status, refused.body], [400, { errors: ['WellKnownURL is required'] }])
      const created = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Missing' })).body
      const kept = await h.call('PUT', `/portal-api/oauth-providers/${created.ID}`, { Name: 'Missing', Type: 'Other' })
      assert.deepEqual([kept.status, kept.body.WellKnownURL], [200, created.WellKnownURL])
      const blank = await h.call('PUT', `/portal-api/oauth-providers/${created.ID}`, { WellKnownURL: '' })
      assert.deepEqual([blank.status, blank.body], [400, { errors: ['WellKnownURL must not be empty'] }], 'a sent field is still validated')
    })

    it('holds no provider on a fresh database; POST /oauth-providers/embedded answers 404 when the embedded IdP is off', async () => {
      const reply = await h.call('POST', '/portal-api/oauth-providers/embedded')
      assert.deepEqual([reply.status, reply.body], [404, { errors: ['the embedded IdP is not running (PORTAL_EMBEDDED_IDP=false): there is nothing to connect'] }])
    })

    it('refuses a duplicate provider name with 409', async () => {
      await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Unique' })
      const reply = await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Unique' })
      assert.deepEqual([reply.status, reply.body], [409, { errors: ['Name "Unique" is already used by another provider'] }])
    })

    it('refuses bodies that are not a JSON object', async () => {
      const cases: Array<[unknown, Record<string, string>, number, RegExp]> = [
        ['[]', {}, 400, /request body must be a JSON object, got \[\]/],
        ['{"Name":', {}, 400, /request body is not valid JSON/],
        ['{"__proto__":{"x":1},"Name":"p"}', {}, 400, /forbidden __proto__/],
        [JSON.stringify(PROVIDER), { 'content-type': 'text/plain' }, 415, /Content-Type must be application\/json, got "text\/plain"/],
        [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), {}, 400, /not valid UTF-8/],
        [JSON.stringify({ ...PROVIDER, Name: 'x'.repeat(2 * 1024 * 1024) }), {}, 413, /too large/]
      ]
      for (const [body, headers, status, expected] of cases) {
        const reply = await h.call('POST', '/portal-api/oauth-providers', body, headers)
        assert.equal(reply.status, status, JSON.stringify(reply.body))
        assert.match(reply.body.errors[0], expected)
      }
    })

    for (const id of ['0', '-1', '1e3', '9007199254740993', 'abc', '424242']) {
      it(`answers 404 for provider id ${id} on get, put, delete and its client types`, async () => {
        for (const reply of [
          await h.call('GET', `/portal-api/oauth-providers/${id}`),
          await h.call('PUT', `/portal-api/oauth-providers/${id}`, PROVIDER),
          await h.call('DELETE', `/portal-api/oauth-providers/${id}`),
          await h.call('GET', `/portal-api/oauth-providers/${id}/client-types`),
          await h.call('POST', `/portal-api/oauth-providers/${id}/client-types`, { Name: 'x', ResponseTypes: 'code', GrantType: 'authorization_code' })
        ]) {
          assert.deepEqual([reply.status, reply.body], [404, { errors: [`Identity Provider Not found: provider_id "${id}"`] }])
        }
      })
    }

    it('deletes a provider with its client types; ?force is validated', async () => {
      const { ID } = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Doomed' })).body
      const type = (await h.call('POST', `/portal-api/oauth-providers/${ID}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })).body
      assert.equal((await h.call('DELETE', `/portal-api/oauth-providers/${ID}?force=yes`)).status, 400)
      const deleted = await h.call('DELETE', `/portal-api/oauth-providers/${ID}?force=true`)
      assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok' }])
      assert.equal((await h.call('GET', `/portal-api/oauth-providers/${ID}`)).status, 404)
      const orphans = await h.database.db.selectFrom('oauth_client_types').select('id').where('id', '=', type.ID).execute()
      assert.deepEqual(orphans, [])
    })

    it('marks every admin answer Cache-Control: no-store, errors included', async () => {
      for (const url of ['/portal-api/oauth-providers', '/portal-api/oauth-providers/abc']) {
        assert.equal((await h.call('GET', url)).raw.headers['cache-control'], 'no-store', url)
      }
    })

    it('never shows the initial access token in a response or a log line', async () => {
      // Its own calls with the token (whatever else ran before, in this file, is checked too).
      const { ID } = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Never shown', RegistrationAccessToken: SENTINEL })).body
      await h.call('GET', `/portal-api/oauth-providers/${ID as number}`)
      await h.call('GET', '/portal-api/oauth-providers?per_page=1000')
      await h.call('PUT', `/portal-api/oauth-providers/${ID as number}`, { ...PROVIDER, Name: 'Never shown', RegistrationAccessToken: `${SENTINEL}-2` })
      await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: 'Never shown', RegistrationAccessToken: SENTINEL }) // the same name again: refused or not, no echo
      const bodies = h.responses.map((response) => JSON.stringify(response.body)).join('\n')
      assert.ok(h.responses.length >= 5)
      assert.equal(bodies.includes('SENTINEL'), false)
      assert.ok(h.logs.length >= 5)
      assert.equal(h.logs.join('').includes('SENTINEL'), false)
    })
  })
}
