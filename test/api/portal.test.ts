// The developer portal's rules (issue 13 items 2 and 3), on both dialects, through the pages themselves
// (inject, sessions made as the sign-in makes them): who a signed-in person becomes (linked, created,
// refused in words), which catalogues a developer sees, and whose apps they see and change (Tyk's roles:
// their own; a consumer-admin's organisation's), every other id answering 404.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { writeSignUpPolicy } from '../../src/db/sign-up.ts'
import { Sessions } from '../../src/console/sessions.ts'
import { safeReturnTo } from '../../src/console/sign-in.ts'
import { UserService, type SignedInPerson } from '../../src/modules/users/user.service.ts'
import { toUserShow } from '../../src/modules/users/user.schemas.ts'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, TEST_SECRET_BOX, type Harness } from '../helpers/app.ts'

const CONSOLE = { publicUrl: 'http://127.0.0.1:3001', sessionHours: 8, oidc: undefined, adminClaim: { name: 'groups', value: 'portal-admins' } }

describe('return_to after sign-in', () => {
  it('takes paths of the console and of the developer portal, and nothing else', () => {
    for (const kept of ['/console/', '/console/apps?page=2', '/portal', '/portal/', '/portal/apps/3#top', '/portal?x=1']) assert.equal(safeReturnTo(kept), kept)
    for (const refused of ['//evil.example/portal', 'https://evil.example/portal/', '/portalx', '/portal.evil', '/portal\\..\\x', '/other', '', 'portal/']) {
      assert.equal(safeReturnTo(refused), '/console/', refused)
    }
  })
})

for (const dialect of dialects) {
  describe(`the developer portal on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: Harness
    let users: UserService
    let sessions: Sessions
    let counter = 0
    const person = (overrides: Partial<SignedInPerson> = {}): SignedInPerson => {
      const n = ++counter
      return { subject: `http://idp.test sub-${n}`, email: `person${n}@example.test`, emailVerified: false, first: `Person ${n}`, last: '', ...overrides }
    }
    const actor = { actor: { fingerprint: 'person:test', requestId: 'test' } }
    /** A browser's session for a portal user: the sign-in's subject, as the callback would have linked it. */
    const signedIn = async (user: { ID: number }): Promise<string> => {
      const subject = `http://idp.test user-${user.ID}`
      await h.database.db.updateTable('users').set({ subject }).where('id', '=', user.ID).execute()
      const token = await sessions.start({ subject, username: `user${user.ID}`, name: `User ${user.ID}`, isAdmin: false }, 'id-token')
      const page = await get(token, '/portal/')
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1]
      assert.ok(csrf !== undefined, page.body)
      return `${token} ${csrf}`
    }
    const get = async (session: string, url: string): Promise<LightMyRequestResponse> =>
      await h.app.inject({ method: 'GET', url, headers: { cookie: `portal_console=${session.split(' ')[0] ?? ''}` } })
    const post = async (session: string, url: string, form: Record<string, string>): Promise<LightMyRequestResponse> => {
      const [token = '', csrf = ''] = session.split(' ')
      return await h.app.inject({
        method: 'POST', url, headers: { cookie: `portal_console=${token}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, ...form }).toString()
      })
    }
    const create = async (url: string, body: Record<string, unknown>) => {
      const reply = await h.call('POST', `/portal-api${url}`, body)
      assert.ok(reply.status === 200 || reply.status === 201, JSON.stringify(reply.body))
      return reply.body
    }

    before(async () => {
      h = await startHarness(dialect, { console: CONSOLE })
      // The same service /portal-api and the callback use; signIn never reaches the user's apps.
      users = new UserService({ db: h.database.db, now: () => h.clock.now, apps: { removeAllOfUser: async () => { throw new Error('not reached by signIn') } }, snapshot: toUserShow })
      sessions = new Sessions({ db: h.database.db, box: TEST_SECRET_BOX, now: () => h.clock.now, hours: 8 })
    })
    after(async () => { await h.close() })

    it('makes a new person a developer of the Default Organisation\'s default team, once, active under the open policy', async () => {
      const someone = person({ first: 'Dana', last: 'Dev' })
      const made = await users.signIn(someone, actor)
      assert.deepEqual([made.email, made.first, made.last, made.role, made.active, made.organisationId, made.provider], [someone.email, 'Dana', 'Dev', 'consumer-team-member', true, 1, 'openid-connect'])
      assert.deepEqual(made.teams.map((team) => team.id), [1])
      assert.equal((await users.signIn({ ...someone, email: 'changed@example.test' }, actor)).id, made.id, 'the subject finds the same user again')
      assert.equal((await users.findBySubject(someone.subject))?.id, made.id)
    })

    it('makes them inactive under the approval policy', async () => {
      await writeSignUpPolicy(h.database.db, 'approval')
      try {
        assert.equal((await users.signIn(person(), actor)).active, false)
      } finally {
        await writeSignUpPolicy(h.database.db, 'open')
      }
    })

    it('links the user an admin made for the address, when the provider vouches for it (ignoring case)', async () => {
      const made = await create('/users', { Email: 'Ivy@Example.test', Active: true, Role: 'consumer-admin' })
      const ivy = person({ email: 'ivy@example.TEST', emailVerified: true })
      const linked = await users.signIn(ivy, actor)
      assert.deepEqual([linked.id, linked.role], [made.ID, 'consumer-admin'])
      const audit = (await h.call('GET', `/portal-api/audit-log?resource_type=user&resource_id=${made.ID}`)).body
      assert.deepEqual([audit[0].Action, audit[0].After], ['link', { Subject: ivy.subject }])
    })

    it('refuses, in words, an address it cannot vouch for, one another sign-in holds, and none', async () => {
      await create('/users', { Email: 'kept@example.test' })
      await assert.rejects(users.signIn(person({ email: 'kept@example.test' }), actor), {
        code: 'conflict_taken', message: /The address "kept@example.test" belongs to a portal user an admin created, and your identity provider does not confirm that it is yours: ask an admin of the portal for an invitation/
      })
      const first = person()
      await users.signIn(first, actor)
      await assert.rejects(users.signIn(person({ email: first.email, emailVerified: true }), actor), { code: 'conflict_taken', message: /belongs to a portal user who signs in with another account/ })
      await assert.rejects(users.signIn(person({ email: undefined }), actor), { code: 'invalid_input', message: /has no email address, which the developer portal needs/ })
    })

    it('shows each developer the Public catalogues and the Private ones of their teams', async () => {
      const organisation = await create('/organisations', { Name: 'Catalogue readers' })
      const reader = await create('/users', { Email: 'reader@example.test', Active: true, OrganisationID: organisation.ID })
      const outsider = await create('/users', { Email: 'outsider@example.test', Active: true })
      const shown = await create('/products', { Name: 'shown_api', DisplayName: 'Shown API' })
      const hidden = await create('/products', { Name: 'team_api', DisplayName: 'Team-only API' })
      await create('/catalogues', { Name: 'Everyone', VisibilityStatus: 'Public', Products: [shown.ID] })
      await create('/catalogues', { Name: 'Readers only', Products: [hidden.ID], OrgCatalogues: [{ OrganisationID: organisation.ID }] })
      const readerPage = (await get(await signedIn(reader), '/portal/')).body
      assert.match(readerPage, /Shown API/)
      assert.match(readerPage, /Team-only API/)
      const outsiderPage = (await get(await signedIn(outsider), '/portal/')).body
      assert.match(outsiderPage, /Shown API/)
      assert.doesNotMatch(outsiderPage, /Team-only API|Readers only/)
    })

    it('lets a developer act on their own apps, a consumer-admin on their organisation\'s, and nobody on another\'s: 404 as for an unknown id', async () => {
      const organisation = await create('/organisations', { Name: 'Acme' })
      const admin = await create('/users', { Email: 'boss@acme.test', Active: true, Role: 'consumer-admin', OrganisationID: organisation.ID })
      const member = await create('/users', { Email: 'member@acme.test', Active: true, OrganisationID: organisation.ID })
      const stranger = await create('/users', { Email: 'stranger@elsewhere.test', Active: true })
      const memberApp = await create('/apps', { Name: 'Member app', UserID: member.ID })
      const strangerApp = await create('/apps', { Name: 'Stranger app', UserID: stranger.ID })
      const [asAdmin, asMember, asStranger] = [await signedIn(admin), await signedIn(member), await signedIn(stranger)]

      const listed = (await get(asMember, '/portal/apps')).body
      assert.match(listed, /Member app/)
      assert.doesNotMatch(listed, /Stranger app/)
      const adminList = (await get(asAdmin, '/portal/apps')).body
      assert.match(adminList, /Member app/)
      assert.match(adminList, /member@acme\.test/, 'a consumer-admin sees whose app it is')
      assert.doesNotMatch(adminList, /Stranger app/)
      assert.equal((await get(asAdmin, `/portal/apps/${memberApp.ID}`)).statusCode, 200)
      const edited = await post(asAdmin, `/portal/apps/${memberApp.ID}/edit`, { Name: 'Member app, renamed by the admin', Description: '', RedirectURLs: '' })
      assert.equal(edited.statusCode, 303, edited.body)
      assert.deepEqual([(await h.call('GET', `/portal-api/apps/${memberApp.ID}`)).body.Name, (await h.call('GET', `/portal-api/apps/${memberApp.ID}`)).body.UserID], ['Member app, renamed by the admin', member.ID], 'the owner stays')

      const pages = (id: number) => [`/portal/apps/${id}`, `/portal/apps/${id}/edit`, `/portal/apps/${id}/delete`, `/portal/apps/${id}/request-access`, `/portal/apps/${id}/access-requests/1`,
        `/portal/apps/${id}/access-requests/1/credentials/1`, `/portal/apps/${id}/access-requests/1/credentials/1/rotate`, `/portal/apps/${id}/access-requests/1/credentials/1/delete`]
      for (const [session, app] of [[asStranger, memberApp], [asMember, strangerApp], [asAdmin, strangerApp]] as const) {
        for (const url of pages(app.ID)) {
          const shown = await get(session, url)
          assert.equal(shown.statusCode, 404, `GET ${url}`)
          assert.match(shown.body, new RegExp(`Application Not found: app_id &#34;${app.ID}&#34;`), `GET ${url}: the 404 of an unknown app`)
          if (!url.endsWith(`/apps/${app.ID}`) && !/\/(access-requests\/1|credentials\/1)$/.test(url)) {
            assert.equal((await post(session, url, { Name: 'Taken', PlanID: '1', ProductIDs: '1' })).statusCode, 404, `POST ${url}`)
          }
        }
      }
      assert.equal((await h.call('GET', `/portal-api/apps/${strangerApp.ID}`)).body.Name, 'Stranger app', 'unchanged')
      const created = await post(asMember, '/portal/apps/new', { Name: 'Mine', Description: '', RedirectURLs: '' })
      assert.equal(created.statusCode, 303)
      const id = Number(/\/portal\/apps\/(\d+)/.exec(String(created.headers.location))?.[1])
      assert.equal((await h.call('GET', `/portal-api/apps/${id}`)).body.UserID, member.ID)
      assert.equal((await post(asMember, `/portal/apps/${id}/delete`, {})).statusCode, 303)
      assert.equal((await h.call('GET', `/portal-api/apps/${id}`)).status, 404)
    })

    it('refuses to request access to products and plans of no catalogue the developer sees', async () => {
      const developer = await create('/users', { Email: 'asker@example.test', Active: true })
      const product = await create('/products', { Name: 'unlisted_api' })
      const plan = await create('/plans', { Name: 'unlisted_plan', ProviderID: 1 })
      const app = await create('/apps', { Name: 'Asking app', UserID: developer.ID })
      const session = await signedIn(developer)
      const refused = await post(session, `/portal/apps/${app.ID}/request-access`, { PlanID: String(plan.ID), ProductIDs: String(product.ID) })
      assert.equal(refused.statusCode, 400)
      assert.match(refused.body, new RegExp(`ProductIDs: product ${product.ID} is in none of the catalogues you can see`))
      assert.match(refused.body, new RegExp(`PlanID ${plan.ID} is in none of the catalogues you can see`))
      assert.equal((await h.call('GET', `/portal-api/apps/${app.ID}`)).body.AccessRequests.length, 0)
    })

    it('keeps inactive users and admin users out of the developer pages', async () => {
      const waiting = await create('/users', { Email: 'waiting@example.test', Active: false })
      const page = await get(await signedIn(waiting), '/portal/apps')
      assert.equal(page.statusCode, 403)
      assert.match(page.body, /Your account waits for an admin&#39;s approval/)
      const admin = await create('/users', { Email: 'operator@example.test', Active: true, Role: 'provider-admin' })
      const refused = await get(await signedIn(admin), '/portal/')
      assert.equal(refused.statusCode, 403)
      assert.match(refused.body, /admins work in the console/)
    })

    it('sends a person without a portal user to the sign-in, which links or makes one; /portal-api refuses the cookie', async () => {
      const token = await sessions.start({ subject: 'http://idp.test nobody-yet', username: 'new', name: 'New', isAdmin: false }, 'id-token')
      const page = await h.app.inject({ method: 'GET', url: '/portal/apps?page=2', headers: { cookie: `portal_console=${token}` } })
      assert.equal(page.statusCode, 303)
      assert.equal(page.headers.location, `/console/sign-in?return_to=${encodeURIComponent('/portal/apps?page=2')}`)
      const api = await h.app.inject({ method: 'GET', url: '/portal-api/apps', headers: { cookie: `portal_console=${token}` } })
      assert.equal(api.statusCode, 401)
    })
  })
}
