import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { assertNamed, startHarness, type Harness } from '../helpers/app.ts'

const APP = { Name: 'Payment App', Description: 'Pays', RedirectURLs: 'https://app-host/auth', UserID: 1, Visibility: 'team' }

for (const dialect of dialects) {
  describe(`apps on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    const createApp = async (body: Record<string, unknown> = {}) => {
      const reply = await h.call('POST', '/portal-api/apps', { ...APP, ...body })
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body
    }
    before(async () => {
      h = await startHarness(dialect)
      // An app belongs to a user that exists (Tyk's UserID): the first user of a fresh service.
      assert.equal((await h.call('POST', '/portal-api/users', { Email: 'owner@acme.test' })).body.ID, APP.UserID)
    })
    after(async () => { await h.close() })

    it('creates with 200 and Client-show (AccessRequests empty); gets and lists it', async () => {
      const created = await h.call('POST', '/portal-api/apps', APP)
      assert.equal(created.status, 200)
      const { ID, ...rest } = created.body
      assert.deepEqual(rest, { ...APP, CreatedAt: '2026-11-27 10:00', AccessRequests: [] })
      assert.deepEqual((await h.call('GET', `/portal-api/apps/${ID}`)).body, created.body)
      const listed = await h.call('GET', '/portal-api/apps')
      assert.equal(listed.status, 200)
      const { AccessRequests, ...elem } = created.body
      assert.deepEqual(listed.body.find((item: { ID: number }) => item.ID === ID), elem)
    })

    it('fills defaults: Visibility organisation, UserID 0, empty Description and RedirectURLs', async () => {
      const created = await h.call('POST', '/portal-api/apps', { Name: 'Bare' })
      assert.deepEqual([created.body.Visibility, created.body.UserID, created.body.Description, created.body.RedirectURLs], ['organisation', 0, '', ''])
    })

    it('accepts https anywhere, http on loopback, reverse-domain custom schemes; answers them trimmed CSV', async () => {
      const urls = ['https://app.example.com/cb?x=1', 'http://127.0.0.1:8080/cb', 'http://[::1]/cb', 'http://localhost:3000/cb', 'com.example.app:/oauth2redirect', 'com.example.app://cb']
      const created = await createApp({ RedirectURLs: urls.join(' , ') })
      assert.equal(created.RedirectURLs, urls.join(','))
    })

    // Contract changed (issue 10): PUT decodes the body onto the stored app, as Tyk's Go handler does.
    it('supports GET-modify-PUT; PUT keeps what the body omits (Tyk decodes it onto the stored app)', async () => {
      const created = await createApp()
      const read = (await h.call('GET', `/portal-api/apps/${created.ID}`)).body
      const updated = await h.call('PUT', `/portal-api/apps/${created.ID}`, { ...read, Description: 'changed', ID: 42, UpdatedAt: 'x' })
      assert.deepEqual([updated.status, updated.body], [200, { ...read, Description: 'changed' }])
      const renamed = await h.call('PUT', `/portal-api/apps/${created.ID}`, { Name: 'Renamed' })
      assert.deepEqual(renamed.body, { ...read, Name: 'Renamed', Description: 'changed' })
      const partial = await h.call('PUT', `/portal-api/apps/${created.ID}`, { Description: '', Visibility: 'personal' })
      assert.deepEqual(partial.body, { ...read, Name: 'Renamed', Description: '', Visibility: 'personal' })
    })

    it('allows two apps with the same name (apps belong to different users)', async () => {
      await createApp({ Name: 'Twin' })
      await createApp({ Name: 'Twin' })
    })

    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['missing Name', { Name: undefined }, /^Name is required$/],
      ['blank Name', { Name: '\t' }, /Name must not be blank, got "\\t"/],
      ['unknown field', { RedirectURL: 'https://a/cb' }, /unknown field "RedirectURL"/],
      ['unknown Visibility', { Visibility: 'public' }, /Visibility must be one of "personal", "team", "organisation", got "public"/],
      ['string UserID', { UserID: '1' }, /UserID must be an integer, got "1"/],
      ['negative UserID', { UserID: -1 }, /UserID must be >= 0, got -1/],
      ['array RedirectURLs', { RedirectURLs: ['https://a/cb'] }, /RedirectURLs must be a string, got \["https:\/\/a\/cb"\]/],
      ['a fragment', { RedirectURLs: 'https://app/cb#frag' }, /RedirectURLs has a URL that contains a fragment .*got "https:\/\/app\/cb#frag"/],
      ['an empty fragment', { RedirectURLs: 'https://app/cb#' }, /RedirectURLs has a URL that contains a fragment .*got "https:\/\/app\/cb#"/],
      ['userinfo', { RedirectURLs: 'https://user:pw@app/cb' }, /RedirectURLs has a URL that contains a user name or password, got "https:\/\/user:pw@app\/cb"/],
      ['an empty userinfo', { RedirectURLs: 'https://@app/cb' }, /RedirectURLs has a URL that contains a user name or password, got "https:\/\/@app\/cb"/],
      ['javascript:', { RedirectURLs: 'javascript:alert(1)' }, /RedirectURLs has a URL that uses the forbidden scheme "javascript", got "javascript:alert\(1\)"/],
      ['data:', { RedirectURLs: 'data:text/html,hi' }, /uses the forbidden scheme "data"/],
      ['file:', { RedirectURLs: 'file:///etc/passwd' }, /uses the forbidden scheme "file"/],
      ['vbscript:', { RedirectURLs: 'VBScript:msgbox' }, /uses the forbidden scheme "vbscript", got "VBScript:msgbox"/],
      ['http on a public host', { RedirectURLs: 'http://app.example.com/cb' }, /RedirectURLs has a URL that uses http with a host other than 127.0.0.1, \[::1\] or localhost .*got "http:\/\/app.example.com\/cb"/],
      ['a custom scheme without a dot', { RedirectURLs: 'myapp:/cb' }, /RedirectURLs has a URL that uses the scheme "myapp": use https.*got "myapp:\/cb"/],
      ['a wildcard path', { RedirectURLs: 'https://app.example/*' }, /RedirectURLs has a URL that contains a wildcard \(\*\).*got "https:\/\/app.example\/\*"/],
      ['a wildcard host', { RedirectURLs: 'https://*.example.com/cb' }, /RedirectURLs has a URL that contains a wildcard \(\*\).*got "https:\/\/\*.example.com\/cb"/],
      ['a relative URL', { RedirectURLs: '/cb' }, /RedirectURLs has a URL that is not an absolute URL, got "\/cb"/],
      ['an empty item', { RedirectURLs: 'https://a/cb,,https://b/cb' }, /RedirectURLs has an empty item at position 2/],
      ['a repeated URL', { RedirectURLs: 'https://a/cb, https://a/cb' }, /RedirectURLs lists "https:\/\/a\/cb" more than once/]
    ]
    for (const [name, change, expected] of invalid) {
      it(`refuses ${name} with 422 naming the field and value (create and update)`, async () => {
        const created = await createApp()
        const body = JSON.parse(JSON.stringify({ ...APP, ...change }))
        assertNamed(await h.call('POST', '/portal-api/apps', body), 422, expected)
        // Name is required on create only: a PUT without it keeps the stored one.
        if (name !== 'missing Name') assertNamed(await h.call('PUT', `/portal-api/apps/${created.ID}`, body), 422, expected)
        assert.deepEqual((await h.call('GET', `/portal-api/apps/${created.ID}`)).body, created, 'a refused update changes nothing')
      })
    }

    it('names every bad URL of a list in one answer', async () => {
      const reply = await h.call('POST', '/portal-api/apps', { Name: 'many', RedirectURLs: 'https://ok/cb,http://evil.example/cb,javascript:x,https://a/#f' })
      assert.equal(reply.status, 422)
      assert.equal(reply.body.errors.length, 3)
    })

    it('deletes an app', async () => {
      const created = await createApp()
      const deleted = await h.call('DELETE', `/portal-api/apps/${created.ID}`)
      assert.deepEqual([deleted.status, deleted.body], [200, { status: 'ok' }])
      assert.equal((await h.call('GET', `/portal-api/apps/${created.ID}`)).status, 404)
    })

    for (const id of ['0', '-1', '1e3', '9007199254740993', 'abc', '999999']) {
      it(`answers 404 for app id ${id} on get, put and delete`, async () => {
        for (const reply of [
          await h.call('GET', `/portal-api/apps/${id}`),
          await h.call('PUT', `/portal-api/apps/${id}`, APP),
          await h.call('DELETE', `/portal-api/apps/${id}`)
        ]) {
          assert.deepEqual([reply.status, reply.body], [404, { errors: [`Application Not found: app_id "${id}"`] }])
        }
      })
    }

    it('pages the app list by ID', async () => {
      const all = (await h.call('GET', '/portal-api/apps?per_page=1000')).body.map((item: { ID: number }) => item.ID)
      assert.deepEqual((await h.call('GET', '/portal-api/apps?per_page=2&page=2')).body.map((item: { ID: number }) => item.ID), all.slice(2, 4))
    })
  })
}
