import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { dialects } from '../helpers/dialects.ts'
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/app.ts'

// The audit trail of admin changes (issue 5 item 6).
const PROVIDER = { Name: 'Keycloak', Type: 'Keycloak', WellKnownURL: 'http://keycloak:8180/realms/master/.well-known/openid-configuration' }
const SENTINEL = 'SENTINEL-audit-initial-access-token-51d0'
// The bootstrap token (PORTAL_ADMIN_TOKEN) is named as such, with the first 12 hex characters of its SHA-256.
const FINGERPRINT = `bootstrap-token:${createHash('sha256').update(ADMIN_TOKEN).digest('hex').slice(0, 12)}`

let counter = 0
const fresh = (name: string) => `${name} ${++counter}`

for (const dialect of dialects) {
  describe(`the audit log on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    before(async () => { h = await startHarness(dialect) })
    after(async () => { await h.close() })

    const entriesOf = async (resourceType: string, id: number) =>
      (await h.call('GET', '/portal-api/audit-log?per_page=1000')).body
        .filter((entry: { ResourceType: string; ResourceID: number }) => entry.ResourceType === resourceType && entry.ResourceID === id)

    it('records create, update and delete of a provider: who, when, what, before/after, never the token', async () => {
      const name = fresh('audited')
      const created = await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: name, RegistrationAccessToken: SENTINEL })
      const id = created.body.ID
      h.clock.advance(90_000)
      await h.call('PUT', `/portal-api/oauth-providers/${id}`, { ...PROVIDER, Name: `${name} renamed`, RegistrationAccessToken: `${SENTINEL}-2` })
      await h.call('DELETE', `/portal-api/oauth-providers/${id}`)
      const entries = await entriesOf('oauth_provider', id)
      assert.deepEqual(entries.map((entry: { Action: string }) => entry.Action), ['delete', 'update', 'create'], 'newest first')
      const [deleted, updated, create] = entries
      assert.equal(create.Actor, FINGERPRINT)
      assert.equal(create.OccurredAt, '2026-11-27T10:00:00.000Z')
      assert.equal(updated.OccurredAt, '2026-11-27T10:01:30.000Z')
      assert.match(create.RequestID, /./)
      assert.equal(create.Before, null)
      assert.deepEqual(create.After, { ...created.body, RegistrationAccessToken: '[redacted]' })
      assert.equal(updated.Before.Name, name)
      assert.equal(updated.After.Name, `${name} renamed`)
      assert.equal(updated.After.RegistrationAccessToken, '[redacted] (replaced)')
      assert.equal(deleted.Before.Name, `${name} renamed`)
      assert.deepEqual(deleted.Before.ClientTypes, [])
      assert.equal(deleted.After, null)

      const all = JSON.stringify((await h.call('GET', '/portal-api/audit-log?per_page=1000')).body)
      assert.equal(all.includes(SENTINEL), false)
      const stored = JSON.stringify(await h.database.db.selectFrom('audit_log').selectAll().execute())
      assert.equal(stored.includes(SENTINEL), false)
      assert.equal(stored.includes(ADMIN_TOKEN), false)
      assert.equal(h.logs.join('').includes(SENTINEL), false)
    })

    it('shows a cleared token as "" and an unchanged one as still set', async () => {
      const { ID } = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: fresh('tokens'), RegistrationAccessToken: SENTINEL })).body
      await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...PROVIDER, Name: fresh('tokens kept') })
      await h.call('PUT', `/portal-api/oauth-providers/${ID}`, { ...PROVIDER, Name: fresh('tokens cleared'), RegistrationAccessToken: '' })
      const [cleared, kept] = await entriesOf('oauth_provider', ID)
      assert.deepEqual([kept.Before.RegistrationAccessToken, kept.After.RegistrationAccessToken], ['[redacted]', '[redacted]'])
      assert.deepEqual([cleared.Before.RegistrationAccessToken, cleared.After.RegistrationAccessToken], ['[redacted]', ''])
    })

    it('records client types, products (with attach and detach), plans and apps', async () => {
      const provider = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: fresh('owner') })).body
      const base = `/portal-api/oauth-providers/${provider.ID}/client-types`
      const type = (await h.call('POST', base, { Name: fresh('type'), ResponseTypes: 'token', GrantType: 'client_credentials' })).body
      await h.call('PUT', `${base}/${type.ID}`, { Name: 'renamed type', ResponseTypes: 'token', GrantType: 'client_credentials', TokenEndpointAuthMethod: 'client_secret_post' })
      const product = (await h.call('POST', '/portal-api/products', { Name: fresh('product'), Scopes: 'audit-scope' })).body
      await h.call('POST', `/portal-api/products/${product.ID}/client_types`, { ID: type.ID })
      await h.call('POST', `/portal-api/products/${product.ID}/client_types`, { ID: type.ID }) // already attached: no change, no entry
      await h.call('DELETE', `/portal-api/products/${product.ID}/client_types/${type.ID}`)
      await h.call('PUT', `/portal-api/products/${product.ID}`, { Name: product.Name, Scopes: 'audit-scope other-scope' })
      await h.call('DELETE', `/portal-api/products/${product.ID}`)
      const plan = (await h.call('POST', '/portal-api/plans', { Name: fresh('plan'), ProviderID: 1 })).body
      await h.call('PUT', `/portal-api/plans/${plan.ID}`, { Name: plan.Name, ProviderID: 1, RateLimit: 9 })
      await h.call('DELETE', `/portal-api/plans/${plan.ID}`)
      const app = (await h.call('POST', '/portal-api/apps', { Name: fresh('app') })).body
      await h.call('PUT', `/portal-api/apps/${app.ID}`, { Name: app.Name, Description: 'described' })
      await h.call('DELETE', `/portal-api/apps/${app.ID}`)
      await h.call('DELETE', `${base}/${type.ID}`)

      const actions = async (resourceType: string, id: number) => (await entriesOf(resourceType, id)).map((entry: { Action: string }) => entry.Action).reverse()
      assert.deepEqual(await actions('client_type', type.ID), ['create', 'update', 'delete'])
      assert.deepEqual(await actions('product', product.ID), ['create', 'attach_client_type', 'detach_client_type', 'update', 'delete'])
      assert.deepEqual(await actions('plan', plan.ID), ['create', 'update', 'delete'])
      assert.deepEqual(await actions('app', app.ID), ['create', 'update', 'delete'])

      const [typeUpdate] = (await entriesOf('client_type', type.ID)).filter((entry: { Action: string }) => entry.Action === 'update')
      assert.equal(typeUpdate.Before.TokenEndpointAuthMethod, 'client_secret_basic', 'TokenEndpointAuthMethod is no secret')
      assert.equal(typeUpdate.After.TokenEndpointAuthMethod, 'client_secret_post')
      assert.equal(typeUpdate.After.ProviderID, provider.ID)
      const [attach] = (await entriesOf('product', product.ID)).filter((entry: { Action: string }) => entry.Action === 'attach_client_type')
      assert.deepEqual(attach.After, { ClientTypeID: type.ID, Name: 'renamed type' })
      const [planUpdate] = (await entriesOf('plan', plan.ID)).filter((entry: { Action: string }) => entry.Action === 'update')
      assert.equal(planUpdate.After.RateLimit, 9)
    })

    it('writes nothing for a refused change (409, 412) nor for a replayed one', async () => {
      const count = async () => (await h.database.db.selectFrom('audit_log').select('id').execute()).length
      const taken = (await h.call('POST', '/portal-api/plans', { Name: fresh('taken'), ProviderID: 1 })).body
      const plan = (await h.call('POST', '/portal-api/plans', { Name: fresh('refused'), ProviderID: 1 }, { 'idempotency-key': `audit-${counter}` }))
      const before = await count()
      assert.equal((await h.call('PUT', `/portal-api/plans/${plan.body.ID}`, { Name: taken.Name, ProviderID: 1 })).status, 409)
      assert.equal((await h.call('DELETE', `/portal-api/plans/${plan.body.ID}`, undefined, { 'if-match': '"stale"' })).status, 412)
      assert.equal((await h.call('POST', '/portal-api/plans', { Name: plan.body.Name, ProviderID: 1 }, { 'idempotency-key': `audit-${counter}` })).status, 200)
      assert.equal(await count(), before)
    })

    it('is written in the transaction of the change: no audit, no change', async () => {
      const name = fresh('unaudited')
      await sql`alter table audit_log rename to audit_log_away`.execute(h.database.db)
      try {
        const reply = await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: name })
        assert.equal(reply.status, 500)
      } finally {
        await sql`alter table audit_log_away rename to audit_log`.execute(h.database.db)
      }
      assert.equal((await h.database.db.selectFrom('oauth_providers').select('id').where('name', '=', name).execute()).length, 0)
    })

    it('pages newest first with page, per_page and limit', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: fresh('paged') })).status, 200)
      const all = (await h.call('GET', '/portal-api/audit-log?per_page=1000')).body.map((entry: { ID: number }) => entry.ID)
      assert.ok(all.length > 4)
      assert.deepEqual(all, [...all].sort((a: number, b: number) => b - a))
      assert.deepEqual((await h.call('GET', '/portal-api/audit-log?per_page=2&page=2')).body.map((entry: { ID: number }) => entry.ID), all.slice(2, 4))
      assert.deepEqual((await h.call('GET', '/portal-api/audit-log?limit=1')).body.map((entry: { ID: number }) => entry.ID), all.slice(0, 1))
      assert.equal((await h.call('GET', '/portal-api/audit-log?per_page=0')).status, 400)
      // Contract changed (issue 10): unknown query parameters are ignored, as Go servers do.
      assert.deepEqual((await h.call('GET', '/portal-api/audit-log?resource=x&limit=1')).body.map((entry: { ID: number }) => entry.ID), all.slice(0, 1))
      assert.equal((await h.call('GET', '/portal-api/audit-log', undefined, { authorization: 'wrong' })).status, 401)
    })

    it('filters by kind of resource and by resource, paged the same way', async () => {
      const first = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: fresh('filtered') })).body.ID
      const second = (await h.call('POST', '/portal-api/oauth-providers', { ...PROVIDER, Name: fresh('filtered') })).body.ID
      for (let i = 0; i < 3; i++) await h.call('PUT', `/portal-api/oauth-providers/${first}`, { ...PROVIDER, Name: fresh('filtered renamed') })
      const plan = (await h.call('POST', '/portal-api/plans', { Name: fresh('filtered plan'), ProviderID: second })).body.ID
      const listed = async (query: string) => (await h.call('GET', `/portal-api/audit-log?${query}`)).body.map((entry: { ResourceType: string; ResourceID: number; Action: string }) => `${entry.ResourceType} ${entry.ResourceID} ${entry.Action}`)

      assert.deepEqual(await listed(`resource_type=oauth_provider&resource_id=${first}`), [
        `oauth_provider ${first} update`, `oauth_provider ${first} update`, `oauth_provider ${first} update`, `oauth_provider ${first} create`
      ])
      assert.deepEqual(await listed(`resource_type=oauth_provider&resource_id=${first}&per_page=2&page=2`), [`oauth_provider ${first} update`, `oauth_provider ${first} create`])
      assert.deepEqual(await listed(`resource_type=plan&resource_id=${plan}`), [`plan ${plan} create`])
      const providers = await listed('resource_type=oauth_provider&per_page=1000')
      assert.ok(providers.length >= 5, 'the two creates and three updates')
      assert.ok(providers.every((entry: string) => entry.startsWith('oauth_provider ')), 'only providers')
      assert.deepEqual(await listed('resource_type=plan&resource_id=999999'), [], 'a resource never changed')

      const refused = await h.call('GET', '/portal-api/audit-log?resource_type=provider&resource_id=x')
      assert.equal(refused.status, 400)
      assert.deepEqual(refused.body.errors, [
        'query parameter resource_type must be one of oauth_provider, client_type, product, plan, app, access_request, credential, organisation, team, user, catalogue, setting, got "provider"',
        'query parameter resource_id must be a resource ID (an integer from 1), got "x"'
      ])
      assert.deepEqual((await h.call('GET', `/portal-api/audit-log?resource_id=${first}`)).body.errors, ['query parameter resource_id needs resource_type: IDs are per kind of resource'])
    })
  })
}
