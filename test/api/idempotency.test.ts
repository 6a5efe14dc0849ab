import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness, type Reply } from '../helpers/app.ts'
import { startProxied } from '../helpers/proxied.ts'

// Idempotency-Key on creates, provision and approve (our extension, issue 5 item 5).
const PROVIDER = { Name: 'Keycloak', Type: 'Keycloak', WellKnownURL: 'http://keycloak:8180/realms/master/.well-known/openid-configuration' }
const HOUR = 60 * 60 * 1000

let counter = 0
const fresh = (name: string) => `${name} ${++counter}`
const key = () => `key-${++counter}-${Math.random().toString(36).slice(2)}`

for (const dialect of dialects) {
  describe(`Idempotency-Key on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    before(async () => { h = await startHarness(dialect) })
    after(async () => { await h.close() })

    const withKey = (k: string) => ({ 'idempotency-key': k })
    const sameAnswer = (first: Reply, repeat: Reply) => {
      assert.equal(repeat.status, first.status)
      assert.deepEqual(repeat.body, first.body)
      assert.equal(repeat.raw.headers['idempotent-replayed'], 'true')
      assert.equal(first.raw.headers['idempotent-replayed'], undefined)
    }
    const count = async (table: 'oauth_providers' | 'products' | 'plans' | 'apps', name: string) =>
      (await h.database.db.selectFrom(table).select('id').where('name', '=', name).execute()).length

    it('answers a repeated provider create with the first answer (and its ETag), creating one provider', async () => {
      const k = key()
      const body = { ...PROVIDER, Name: fresh('once') }
      const first = await h.call('POST', '/portal-api/oauth-providers', body, withKey(k))
      assert.equal(first.status, 200)
      h.clock.advance(60_000)
      // Same request with the keys in another order: still the same request.
      const repeat = await h.call('POST', '/portal-api/oauth-providers', Object.fromEntries(Object.entries(body).reverse()), withKey(k))
      sameAnswer(first, repeat)
      assert.equal(repeat.raw.headers.etag, first.raw.headers.etag)
      assert.equal(await count('oauth_providers', body.Name), 1)
    })

    it('replays every create: client types, products (201), product client types, plans and apps', async () => {
      const provider = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: fresh('replays') })).body
      const type = { Name: fresh('type'), ResponseTypes: 'token', GrantType: 'client_credentials' }
      const product = { Name: fresh('product') }
      const plan = { Name: fresh('plan'), ProviderID: 1 }
      const app = { Name: fresh('app') }
      const calls: Array<[string, unknown]> = [
        [`/portal-api/oauth-providers/${provider.ID}/client-types`, type],
        ['/portal-api/products', product],
        ['/portal-api/plans', plan],
        ['/portal-api/apps', app]
      ]
      for (const [url, body] of calls) {
        const k = key()
        const first = await h.call('POST', url, body, withKey(k))
        assert.ok(first.status === 200 || first.status === 201, `${url} ${first.status}`)
        sameAnswer(first, await h.call('POST', url, body, withKey(k)))
      }
      assert.equal(await count('products', product.Name), 1)
      assert.equal(await count('plans', plan.Name), 1)
      assert.equal(await count('apps', app.Name), 1)
      const productId = (await h.call('GET', '/portal-api/products?per_page=1000')).body.find((p: { Name: string }) => p.Name === product.Name).ID
      const typeId = (await h.call('GET', `/portal-api/oauth-providers/${provider.ID}/client-types`)).body[0].ID
      const k = key()
      const attached = await h.call('POST', `/portal-api/products/${productId}/client_types`, { ID: typeId }, withKey(k))
      assert.equal(attached.status, 201)
      sameAnswer(attached, await h.call('POST', `/portal-api/products/${productId}/client_types`, { ID: typeId }, withKey(k)))
    })

    it('answers 422 naming the key when it comes back with another body or path, and changes nothing', async () => {
      const k = key()
      const name = fresh('first body')
      assert.equal((await h.call('POST', '/portal-api/plans', { Name: name, ProviderID: 1 }, withKey(k))).status, 200)
      const other = fresh('second body')
      const reused = await h.call('POST', '/portal-api/plans', { Name: other, ProviderID: 1 }, withKey(k))
      assert.equal(reused.status, 422)
      assert.match(reused.body.errors[0], new RegExp(`^Idempotency-Key "${k}" was already used with another request`))
      assert.equal(await count('plans', other), 0)
      const otherPath = await h.call('POST', '/portal-api/plans?again=1', { Name: name, ProviderID: 1 }, withKey(k))
      assert.equal(otherPath.status, 422, 'the query is part of the request')
      assert.match(otherPath.body.errors[0], new RegExp(`^Idempotency-Key "${k}"`))
    })

    it('keeps keys apart per route: the same key on another create is a new request', async () => {
      const k = key()
      assert.equal((await h.call('POST', '/portal-api/plans', { Name: fresh('plan keyed'), ProviderID: 1 }, withKey(k))).status, 200)
      const app = await h.call('POST', '/portal-api/apps', { Name: fresh('app keyed') }, withKey(k))
      assert.equal(app.status, 200)
      assert.equal(app.raw.headers['idempotent-replayed'], undefined)
    })

    it('stores refusals too (4xx): a repeat answers the same error without running again', async () => {
      const k = key()
      const first = await h.call('POST', '/portal-api/products', { Name: ' ' }, withKey(k))
      assert.equal(first.status, 422)
      sameAnswer(first, await h.call('POST', '/portal-api/products', { Name: ' ' }, withKey(k)))
    })

    it('behaves as today without the header: a second create is a second request', async () => {
      const body = { ...PROVIDER, Name: fresh('unkeyed') }
      assert.equal((await h.call('POST', '/portal-api/oauth-providers', body)).status, 200)
      assert.equal((await h.call('POST', '/portal-api/oauth-providers', body)).status, 409)
    })

    it('forgets a key after 24 hours', async () => {
      const k = key()
      assert.equal((await h.call('POST', '/portal-api/plans', { Name: fresh('day one'), ProviderID: 1 }, withKey(k))).status, 200)
      h.clock.advance(23 * HOUR)
      assert.equal((await h.call('POST', '/portal-api/plans', { Name: fresh('day one, again'), ProviderID: 1 }, withKey(k))).status, 422, 'still remembered')
      h.clock.advance(2 * HOUR)
      const name = fresh('day two')
      const reply = await h.call('POST', '/portal-api/plans', { Name: name, ProviderID: 1 }, withKey(k))
      assert.equal(reply.status, 200)
      assert.equal(reply.body.Name, name)
      assert.equal(reply.raw.headers['idempotent-replayed'], undefined)
    })

    it('answers 400 for a key that is empty, too long or not printable ASCII', async () => {
      for (const bad of [' ', 'x'.repeat(256), 'clé']) {
        const reply = await h.call('POST', '/portal-api/plans', { Name: fresh('bad key'), ProviderID: 1 }, withKey(bad))
        assert.equal(reply.status, 400, bad)
        assert.match(reply.body.errors[0], /^Idempotency-Key must be 1 to 255 printable ASCII characters/)
      }
    })
  })

  describe(`Idempotency-Key on provision and approve (embedded IdP) on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let m2m: number
    before(async () => {
      h = await startHarness(dialect, { embeddedIdp: true })
      const provider = (await h.call('POST', '/portal-api/oauth-providers/embedded')).body
      m2m = provider.ClientTypes.find((t: { Name: string }) => t.Name === 'Machine to machine').ID
    })
    after(async () => { await h.close() })

    const idpClients = async () => (await h.database.db.selectFrom('idp_models').select('id').where('model', '=', 'Client').execute()).length
    const requestsOf = async (appId: number) => (await h.database.db.selectFrom('access_requests').select('id').where('app_id', '=', appId).execute()).length
    const setUp = async (name: string, autoApprove: boolean) => {
      const product = await h.call('POST', '/portal-api/products', { Name: `${name} product`, DCREnabled: true, Scopes: `${name.toLowerCase()}-scope` })
      assert.equal((await h.call('POST', `/portal-api/products/${product.body.ID}/client_types`, { ID: m2m })).status, 201)
      const plan = await h.call('POST', '/portal-api/plans', { Name: `${name} plan`, ProviderID: 1, AutoApproveAccessRequests: autoApprove })
      const app = await h.call('POST', '/portal-api/apps', { Name: `${name} app` })
      return { provision: { PlanID: plan.body.ID as number, ProductIDs: [product.body.ID as number], DCRTemplateID: m2m }, appId: app.body.ID as number }
    }

    it('provisions (and auto-approves) once: one access request, one IdP client', async () => {
      const { provision, appId } = await setUp('Auto', true)
      const clients = await idpClients()
      const k = key()
      const first = await h.call('PUT', `/portal-api/apps/${appId}/provision`, provision, { 'idempotency-key': k })
      assert.equal(first.status, 200, JSON.stringify(first.body))
      assert.match(first.body.message, /created and approved/)
      const repeat = await h.call('PUT', `/portal-api/apps/${appId}/provision`, provision, { 'idempotency-key': k })
      assert.equal(repeat.status, 200)
      assert.deepEqual(repeat.body, first.body)
      assert.equal(repeat.raw.headers['idempotent-replayed'], 'true')
      assert.equal(await requestsOf(appId), 1)
      assert.equal(await idpClients(), clients + 1)
      const other = await h.call('PUT', `/portal-api/apps/${appId}/provision`, { ...provision, PlanID: 999999 }, { 'idempotency-key': k })
      assert.equal(other.status, 422)
      assert.equal(other.body.status, 'error', "provision's own 422 envelope (StatusWithErrors)")
      assert.match(other.body.errors[0], new RegExp(`Idempotency-Key "${k}"`))
    })

    it('approves once: a repeat answers the first 200 instead of "not pending", no second registration', async () => {
      const { provision, appId } = await setUp('Manual', false)
      const id = (await h.call('PUT', `/portal-api/apps/${appId}/provision`, provision)).body.ID
      const clients = await idpClients()
      const k = key()
      const first = await h.call('PUT', `/portal-api/access_requests/${id}/approve`, undefined, { 'idempotency-key': k })
      assert.equal(first.status, 200, JSON.stringify(first.body))
      const repeat = await h.call('PUT', `/portal-api/access_requests/${id}/approve`, undefined, { 'idempotency-key': k })
      assert.equal(repeat.status, 200)
      assert.deepEqual(repeat.body, first.body)
      assert.equal(await idpClients(), clients + 1)
      const unkeyed = await h.call('PUT', `/portal-api/access_requests/${id}/approve`)
      assert.equal(unkeyed.status, 422, 'without the key, a second approve is a second request')
    })

    it('answers 409 to a repeat while the first is still in flight (registering at the IdP)', async () => {
      // The IdP's answer to the first registration is held by a fault proxy until the repeat has answered:
      // the first is in flight for certain, whatever the machine's speed (no race between the two calls).
      const proxied = await startProxied(dialect, 10_000)
      try {
        const { h: p, proxy } = proxied
        const { requestId: id } = await proxied.pendingRequest('racing')
        const clients = (await proxied.idpClients()).length
        let release: (() => void) | undefined
        const released = new Promise<void>((resolve) => { release = resolve })
        proxy.fault = (method, path) => method === 'POST' && path === '/reg' ? { kind: 'hold_until', release: released } : undefined
        const k = key()
        const held = proxy.heldAnswer('POST', '/reg')
        const first = p.call('PUT', `/portal-api/access_requests/${id}/approve`, undefined, { 'idempotency-key': k })
        await held
        const busy = await p.call('PUT', `/portal-api/access_requests/${id}/approve`, undefined, { 'idempotency-key': k })
        assert.equal(busy.status, 409, JSON.stringify(busy.body))
        assert.match(busy.body.errors[0], new RegExp(`^Idempotency-Key "${k}": the first request with this key is still in flight`))
        release?.()
        assert.equal((await first).status, 200)
        assert.equal((await proxied.idpClients()).length, clients + 1)
        const later = await p.call('PUT', `/portal-api/access_requests/${id}/approve`, undefined, { 'idempotency-key': k })
        assert.equal(later.status, 200)
        assert.equal(later.raw.headers['idempotent-replayed'], 'true')
      } finally {
        await proxied.close()
      }
    })
  })
}
