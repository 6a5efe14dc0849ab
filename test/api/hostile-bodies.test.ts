import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { sql } from 'kysely'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness } from '../helpers/app.ts'

const RUNS = 100
const SEED = 1111 // reproducible: a failure prints its counterexample and path for this seed
// Written by every accepted or refused write alike, or by a concurrent clock: not part of "what a refusal changed".
const IGNORED_TABLES = new Set(['idempotency_keys', 'leases', 'portal_migrations', 'portal_migrations_lock'])

const sqlite = dialects.find((dialect) => dialect.name === 'sqlite')!

// Issue 11: a property-based run over every write route's body. Any JSON value — or an object made of
// the route's own field names with any JSON values — gets a 2xx, or a 4xx whose message names a field of
// the route (or the body itself); never a 5xx; and a refusal leaves every table as it was (no partial write).
describe('hostile bodies on every write route (fast-check)', { skip: sqlite.skip }, () => {
  let h: Harness
  const routes: Array<{ method: 'POST' | 'PUT'; url: string; template: string }> = []

  before(async () => {
    h = await startHarness(sqlite)
    const ok = async (method: 'POST' | 'PUT', url: string, body: unknown) => {
      const reply = await h.call(method, url, body)
      assert.ok(reply.status < 300, `${method} ${url}: ${reply.status} ${JSON.stringify(reply.body)}`)
      return reply.body
    }
    const provider = await ok('POST', '/portal-api/oauth-providers', { Name: 'Hostile', Type: 'Other', WellKnownURL: 'http://idp.internal:8180/.well-known/openid-configuration' })
    const type = await ok('POST', `/portal-api/oauth-providers/${provider.ID}/client-types`, { Name: 'M2M', ResponseTypes: 'token', GrantType: 'client_credentials' })
    const product = await ok('POST', '/portal-api/products', { Name: 'hostile product', DCREnabled: true, Scopes: 'hostile' })
    await ok('POST', `/portal-api/products/${product.ID}/client_types`, { ID: type.ID })
    const plan = await ok('POST', '/portal-api/plans', { Name: 'hostile plan', ProviderID: provider.ID })
    const app = await ok('POST', '/portal-api/apps', { Name: 'hostile app' })
    const organisation = await ok('POST', '/portal-api/organisations', { Name: 'hostile organisation' })
    const team = await ok('POST', `/portal-api/organisations/${organisation.ID}/teams`, { Name: 'hostile team' })
    const user = await ok('POST', '/portal-api/users', { Email: 'hostile@acme.test', OrganisationID: organisation.ID })
    const catalogue = await ok('POST', '/portal-api/catalogues', { Name: 'hostile catalogue' })
    const ids: Record<string, number> = {
      provider_id: provider.ID, client_type_id: type.ID, product_id: product.ID, plan_id: plan.ID, app_id: app.ID,
      organisation_id: organisation.ID, team_id: team.ID, user_id: user.ID, catalogue_id: catalogue.ID
    }
    const document = h.app.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> }
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const method of ['post', 'put'] as const) {
        if (operations[method]?.requestBody === undefined) continue
        routes.push({ method: method.toUpperCase() as 'POST' | 'PUT', template, url: template.replace(/\{(\w+)\}/g, (_, name: string) => String(ids[name])) })
      }
    }
  })
  after(async () => { await h.close() })

  /** Every table's rows, as text: what a refused request must leave untouched. */
  const snapshot = async () => {
    const tables = await h.database.db.introspection.getTables()
    const rows: Record<string, unknown[]> = {}
    for (const table of tables.filter((t) => !IGNORED_TABLES.has(t.name))) {
      rows[table.name] = (await sql`select * from ${sql.table(table.name)} order by 1`.execute(h.database.db)).rows
    }
    return JSON.stringify(rows)
  }
  const fieldsOf = (template: string, method: string): string[] => {
    const operation = (h.app.swagger() as any).paths[template][method.toLowerCase()]
    return Object.keys(operation.requestBody.content['application/json'].schema.properties ?? {})
  }

  it('covers every route that takes a body', () => {
    assert.deepEqual(routes.map((r) => `${r.method} ${r.template}`).sort(), [
      'POST /portal-api/apps', 'POST /portal-api/oauth-providers', 'POST /portal-api/oauth-providers/{provider_id}/client-types', 'POST /portal-api/plans',
      'POST /portal-api/products', 'POST /portal-api/products/{product_id}/client_types', 'PUT /portal-api/apps/{app_id}', 'PUT /portal-api/apps/{app_id}/provision',
      'PUT /portal-api/oauth-providers/{provider_id}', 'PUT /portal-api/oauth-providers/{provider_id}/client-types/{client_type_id}', 'PUT /portal-api/plans/{plan_id}',
      'PUT /portal-api/products/{product_id}',
      'POST /portal-api/organisations', 'PUT /portal-api/organisations/{organisation_id}', 'POST /portal-api/organisations/{organisation_id}/teams',
      'PUT /portal-api/organisations/{organisation_id}/teams/{team_id}', 'POST /portal-api/users', 'PUT /portal-api/users/{user_id}',
      'POST /portal-api/catalogues', 'PUT /portal-api/catalogues/{catalogue_id}', 'POST /portal-api/catalogues/{catalogue_id}/audiences'
    ].sort())
  })

  it('answers any body with a 2xx or a 4xx naming a field, never a 5xx, and a refusal writes nothing', async () => {
    for (const route of routes) {
      const fields = fieldsOf(route.template, route.method)
      const body = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.dictionary(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 2 }), { maxKeys: fields.length }),
        fc.dictionary(fc.constantFrom(...fields), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer({ min: -2, max: 3 }))), { maxKeys: fields.length })
      )
      await fc.assert(fc.asyncProperty(body, async (value) => {
        const before = await snapshot()
        const reply = await h.call(route.method, route.url, JSON.stringify(value))
        assert.ok(reply.status < 500, `${route.method} ${route.url} ${JSON.stringify(value)}: ${reply.status} ${JSON.stringify(reply.body)}`)
        if (reply.status < 400) return
        const messages: string[] = reply.body?.errors ?? []
        assert.ok(messages.length > 0, `${reply.status} without messages: ${JSON.stringify(reply.body)}`)
        const text = messages.join(' ')
        // A field of the route's schema, the body itself, or the unknown field it names (even "").
        assert.ok(fields.some((field) => text.includes(field)) || /\bbody\b/i.test(text) || /\bunknown field "/.test(text), `no field named: ${text}`)
        assert.equal(await snapshot(), before, `${route.method} ${route.url} refused ${JSON.stringify(value)} (${reply.status}) but changed the database`)
      }), { numRuns: RUNS, seed: SEED })
    }
  })
})
