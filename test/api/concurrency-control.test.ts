import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness, type Reply } from '../helpers/app.ts'

// ETag / If-Match on providers, client types, products and plans (our extension, issue 5 item 5).
const PROVIDER = { Name: 'Keycloak', Type: 'Keycloak', WellKnownURL: 'http://keycloak:8180/realms/master/.well-known/openid-configuration' }
const CLIENT_TYPE = { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' }
const STRONG_ETAG = /^"[A-Za-z0-9_-]{27}"$/

interface Resource {
  readonly kind: string
  /** Creates one; answers its URL and the create reply. */
  create(h: Harness, name: string): Promise<{ url: string; created: Reply }>
  /** A full-replacement body for PUT. */
  body(name: string): Record<string, unknown>
}

let counter = 0
const fresh = (name: string) => `${name} ${++counter}`

const RESOURCES: readonly Resource[] = [
  {
    kind: 'provider',
    async create (h, name) {
      const created = await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: name })
      return { url: `/portal-api/oauth-providers/${created.body.ID}`, created }
    },
    body: (name) => ({ ...PROVIDER, Name: name })
  },
  {
    kind: 'client type',
    async create (h, name) {
      const provider = await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: `${name} provider` })
      const base = `/portal-api/oauth-providers/${provider.body.ID}/client-types`
      const created = await h.call('POST', base, { ...CLIENT_TYPE, Name: name })
      return { url: `${base}/${created.body.ID}`, created }
    },
    body: (name) => ({ ...CLIENT_TYPE, Name: name })
  },
  {
    kind: 'product',
    async create (h, name) {
      const created = await h.call('POST', '/portal-api/products', { Name: name, DisplayName: name })
      return { url: `/portal-api/products/${created.body.ID}`, created }
    },
    body: (name) => ({ Name: name, DisplayName: name })
  },
  {
    kind: 'plan',
    async create (h, name) {
      const created = await h.call('POST', '/portal-api/plans', { Name: name, ProviderID: 1 })
      return { url: `/portal-api/plans/${created.body.ID}`, created }
    },
    body: (name) => ({ Name: name, ProviderID: 1, RateLimit: 5 })
  }
]

for (const dialect of dialects) {
  describe(`concurrency control (ETag, If-Match) on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    before(async () => { h = await startHarness(dialect) })
    after(async () => { await h.close() })

    const etag = (reply: Reply) => reply.raw.headers.etag!

    for (const resource of RESOURCES) {
      describe(`a ${resource.kind}`, () => {
        it('answers the same strong ETag on create, GET and PUT, and a new one when it changes', async () => {
          const { url, created } = await resource.create(h, fresh('etag'))
          assert.match(etag(created), STRONG_ETAG)
          const read = await h.call('GET', url)
          assert.equal(read.status, 200)
          assert.equal(etag(read), etag(created), 'the create answer carries the ETag a GET answers')
          assert.equal(etag(await h.call('GET', url)), etag(read), 'stable while nothing changes')
          const updated = await h.call('PUT', url, resource.body(fresh('etag changed')))
          assert.equal(updated.status, 200)
          assert.notEqual(etag(updated), etag(read))
          assert.equal(etag(await h.call('GET', url)), etag(updated))
        })

        it('applies a PUT whose If-Match is current, or "*", or absent (as Tyk)', async () => {
          const { url } = await resource.create(h, fresh('match'))
          const current = etag(await h.call('GET', url))
          const matched = await h.call('PUT', url, resource.body(fresh('matched')), { 'if-match': current })
          assert.equal(matched.status, 200, JSON.stringify(matched.body))
          const listed = await h.call('PUT', url, resource.body(fresh('listed')), { 'if-match': `"stale", ${etag(matched)}` })
          assert.equal(listed.status, 200, 'any tag of the list may match')
          assert.equal((await h.call('PUT', url, resource.body(fresh('any')), { 'if-match': '*' })).status, 200)
          assert.equal((await h.call('PUT', url, resource.body(fresh('unconditional')))).status, 200)
        })

        it('refuses a PUT and a DELETE with a stale If-Match: 412 naming the resource and its current ETag, nothing changed', async () => {
          const { url } = await resource.create(h, fresh('stale'))
          const stale = etag(await h.call('GET', url))
          const name = fresh('moved on')
          const current = etag(await h.call('PUT', url, resource.body(name)))
          const refused = await h.call('PUT', url, resource.body(fresh('lost update')), { 'if-match': stale })
          assert.equal(refused.status, 412)
          assert.match(refused.body.errors[0], new RegExp(`^${resource.kind} \\d+.* has changed since it was read: If-Match ${stale} does not match its current ETag ${current}$`))
          assert.equal((await h.call('GET', url)).body.Name, name)
          const refusedDelete = await h.call('DELETE', url, undefined, { 'if-match': stale })
          assert.equal(refusedDelete.status, 412)
          assert.match(refusedDelete.body.errors[0], new RegExp(current))
          assert.equal((await h.call('GET', url)).status, 200, 'still there')
          assert.equal((await h.call('DELETE', url, undefined, { 'if-match': current })).status, 200)
          assert.equal((await h.call('GET', url)).status, 404)
        })

        it('lets one of two PUTs racing with the same If-Match win; the other answers 412', async () => {
          const { url } = await resource.create(h, fresh('race'))
          const read = etag(await h.call('GET', url))
          const [a, b] = await Promise.all([
            h.call('PUT', url, resource.body(fresh('racer A')), { 'if-match': read }),
            h.call('PUT', url, resource.body(fresh('racer B')), { 'if-match': read })
          ])
          assert.deepEqual([a.status, b.status].sort(), [200, 412], JSON.stringify([a.body, b.body]))
          const winner = a.status === 200 ? a : b
          const shown = await h.call('GET', url)
          assert.equal(shown.body.Name, winner.body.Name)
          assert.equal(etag(shown), etag(winner))
        })
      })
    }

    it('never matches a weak tag (strong comparison, RFC 9110 §13.1.1)', async () => {
      const { url } = await RESOURCES[0]!.create(h, fresh('weak'))
      const current = etag(await h.call('GET', url))
      assert.equal((await h.call('PUT', url, RESOURCES[0]!.body(fresh('weak')), { 'if-match': `W/${current}` })).status, 412)
    })

    it('answers 400 for an If-Match that is not a list of quoted tags', async () => {
      const { url } = await RESOURCES[3]!.create(h, fresh('malformed'))
      for (const header of ['abc', '"unterminated', '"a" "b"', ',']) {
        const reply = await h.call('DELETE', url, undefined, { 'if-match': header })
        assert.equal(reply.status, 400, header)
        assert.match(reply.body.errors[0], /^If-Match must be "\*" or a list of quoted ETags/)
      }
    })

    it("changes a provider's ETag when one of its client types changes (its GET shows them)", async () => {
      const { url } = await RESOURCES[0]!.create(h, fresh('parent'))
      const before = etag(await h.call('GET', url))
      assert.equal((await h.call('POST', `${url}/client-types`, { ...CLIENT_TYPE, Name: 'child' })).status, 200)
      const after = etag(await h.call('GET', url))
      assert.notEqual(after, before)
      assert.equal((await h.call('DELETE', url, undefined, { 'if-match': before })).status, 412, 'a delete would take the new client type too')
      assert.equal((await h.call('DELETE', url, undefined, { 'if-match': after })).status, 200)
    })

    it("changes a product's ETag when a client type is attached (its GET shows Templates)", async () => {
      const { url } = await RESOURCES[2]!.create(h, fresh('templates'))
      const provider = await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: fresh('for templates') })
      const type = await h.call('POST', `/portal-api/oauth-providers/${provider.body.ID}/client-types`, { ...CLIENT_TYPE, Name: fresh('attached') })
      const before = etag(await h.call('GET', url))
      assert.equal((await h.call('POST', `${url}/client_types`, { ID: type.body.ID })).status, 201)
      const stale = await h.call('PUT', url, { ...RESOURCES[2]!.body(fresh('templates')), Templates: [] }, { 'if-match': before })
      assert.equal(stale.status, 412, 'a PUT of Templates read before the attach would detach it')
    })

    it('does not answer an ETag on lists or errors', async () => {
      assert.equal((await h.call('GET', '/portal-api/plans')).raw.headers.etag, undefined)
      assert.equal((await h.call('GET', '/portal-api/plans/999999')).raw.headers.etag, undefined)
    })
  })
}
