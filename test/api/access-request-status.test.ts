// Our extension of the access-request lists (the console's queue, issue 12): `?status=` keeps the
// requests in one status, in id order, paged like the rest; without it the lists are Tyk's.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness } from '../helpers/app.ts'

for (const dialect of dialects) {
  describe(`access requests by status on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    const ids = { app: 0, other: 0, pending: [] as number[], approved: 0, rejected: 0 }
    const listed = async (url: string): Promise<number[]> => {
      const reply = await h.call('GET', url)
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      return reply.body.map((item: { ID: number }) => item.ID)
    }

    before(async () => {
      h = await startHarness(dialect)
      // Products without DCR: approval reaches no IdP, so this suite needs none.
      const product = (await h.call('POST', '/portal-api/products', { Name: 'keys', DCREnabled: false })).body.ID
      const plan = (await h.call('POST', '/portal-api/plans', { Name: 'Manual', ProviderID: 1, JWTScope: 'manual' })).body.ID
      ids.app = (await h.call('POST', '/portal-api/apps', { Name: 'Queue app' })).body.ID
      ids.other = (await h.call('POST', '/portal-api/apps', { Name: 'Other app' })).body.ID
      const provision = async (app: number) => {
        const reply = await h.call('PUT', `/portal-api/apps/${app}/provision`, { PlanID: plan, ProductIDs: [product] })
        assert.equal(reply.status, 200, JSON.stringify(reply.body))
        return reply.body.ID as number
      }
      ids.approved = await provision(ids.app)
      ids.pending.push(await provision(ids.app))
      ids.rejected = await provision(ids.app)
      ids.pending.push(await provision(ids.other))
      assert.equal((await h.call('PUT', `/portal-api/access_requests/${ids.approved}/approve`)).status, 200)
      assert.equal((await h.call('PUT', `/portal-api/access_requests/${ids.rejected}/reject`)).status, 200)
    })
    after(async () => { await h.close() })

    it('lists only the requests in the status asked for, oldest first', async () => {
      assert.deepEqual(await listed('/portal-api/access_requests?status=pending'), ids.pending)
      assert.deepEqual(await listed('/portal-api/access_requests?status=approved'), [ids.approved])
      assert.deepEqual(await listed('/portal-api/access_requests?status=rejected'), [ids.rejected])
      assert.deepEqual(await listed('/portal-api/access_requests'), [ids.approved, ids.pending[0], ids.rejected, ids.pending[1]], 'without it, every request')
    })

    it('pages a status like any list, and filters an app\'s requests too', async () => {
      assert.deepEqual(await listed('/portal-api/access_requests?status=pending&per_page=1&page=2'), [ids.pending[1]])
      assert.deepEqual(await listed('/portal-api/access_requests?status=pending&per_page=1&page=3'), [])
      assert.deepEqual(await listed(`/portal-api/apps/${ids.app}/access-requests?status=pending`), [ids.pending[0]])
      assert.deepEqual(await listed(`/portal-api/apps/${ids.other}/access-requests?status=approved`), [])
    })

    it('refuses a status that is none of Tyk\'s three, naming it', async () => {
      const reply = await h.call('GET', '/portal-api/access_requests?status=waiting')
      assert.equal(reply.status, 400)
      assert.ok(reply.body.errors.some((message: string) => message.includes('status') && message.includes('"waiting"')), JSON.stringify(reply.body))
    })
  })
}
