import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dialects } from '../helpers/dialects.ts'
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/app.ts'
import { closedPort } from '../helpers/test-idp.ts'

const sqlite = dialects[0]!

describe('admin authentication on every /portal-api route', () => {
  let h: Harness
  let routes: Array<{ method: string; path: string }>
  before(async () => {
    h = await startHarness(sqlite)
    // On loopback, where nothing answers: the routes that call the IdP get past auth without the network.
    await h.call('POST', '/portal-api/oauth-providers', { Name: 'p', Type: 'Other', WellKnownURL: `http://127.0.0.1:${await closedPort()}/.well-known/openid-configuration` })
    await h.call('POST', '/portal-api/oauth-providers/1/client-types', { Name: 't', ResponseTypes: 'code', GrantType: 'authorization_code' })
    // Every documented route, so that a route added later is covered without editing this test.
    const document = h.app.swagger() as { paths: Record<string, Record<string, unknown>> }
    routes = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/portal-api'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, '1') })))
  })
  after(async () => { await h.close() })

  it('covers all ten provider and client type operations', () => {
    assert.ok(routes.length >= 11, JSON.stringify(routes))
  })

  const cases: Array<[string, Record<string, string>, number, string | undefined]> = [
    ['no header', { authorization: '' }, 401, 'missing Authorization header: send the admin API token'],
    ['a wrong token', { authorization: 'not-the-admin-token-000000000' }, 401, 'invalid admin API token in the Authorization header'],
    ['a wrong Bearer token', { authorization: 'Bearer not-the-admin-token-000000000' }, 401, 'invalid admin API token in the Authorization header'],
    ['the token with a suffix', { authorization: `${ADMIN_TOKEN}x` }, 401, 'invalid admin API token in the Authorization header'],
    ['a Basic scheme', { authorization: `Basic ${ADMIN_TOKEN}` }, 401, 'invalid admin API token in the Authorization header'],
    ['the raw token', { authorization: ADMIN_TOKEN }, 0, undefined],
    ['the Bearer token', { authorization: `Bearer ${ADMIN_TOKEN}` }, 0, undefined],
    ['the bearer token, lower case', { authorization: `bearer ${ADMIN_TOKEN}` }, 0, undefined]
  ]
  for (const [name, headers, status, message] of cases) {
    it(`answers ${status === 401 ? '401' : 'past auth'} for ${name}`, async () => {
      for (const { method, path } of routes) {
        // A body-less PUT/POST is refused by validation (400) only once auth has passed.
        const reply = await h.call(method, `${path}${method === 'DELETE' ? '?force=x' : ''}`, undefined, headers)
        if (status === 401) {
          // Tyk documents a `message` in approve's and reject's failure bodies (StatusWithMessage): beside `errors` there.
          const tykMessage = /\/(approve|reject)$/.test(path) ? { message } : {}
          assert.deepEqual([reply.status, reply.body], [401, { ...tykMessage, errors: [message] }], `${method} ${path}`)
        } else {
          assert.notEqual(reply.status, 401, `${method} ${path}: ${JSON.stringify(reply.body)}`)
        }
      }
    })
  }

  it('leaves /health, /live and /ready open, answering as Tyk\'s portal ("message": "Success") with our details beside', async () => {
    for (const [path, details] of [['/health', {}], ['/live', {}], ['/ready', { database: 'ok' }]] as const) {
      const reply = await h.call('GET', path, undefined, { authorization: '' })
      assert.deepEqual([reply.status, reply.body], [200, { message: 'Success', status: 'ok', ...details }], path)
    }
  })

  it('refuses two Authorization headers with 400, even when the first is the admin token', async () => {
    // light-my-request sends each item of an array as its own header line; its types only allow strings.
    const twice = { authorization: [ADMIN_TOKEN, 'Bearer something-else-0000000000'] } as unknown as Record<string, string>
    const reply = await h.app.inject({ method: 'GET', url: '/portal-api/oauth-providers', headers: twice })
    assert.deepEqual([reply.statusCode, reply.json()], [400, { errors: ['send one Authorization header, got 2'] }])
  })

  it('answers X-Content-Type-Options: nosniff on success, error and health answers', async () => {
    for (const [path, headers] of [['/portal-api/oauth-providers', {}], ['/portal-api/oauth-providers', { authorization: '' }], ['/health', {}], ['/nowhere', {}]] as const) {
      const reply = await h.app.inject({ method: 'GET', url: path, headers: { authorization: ADMIN_TOKEN, ...headers } })
      assert.equal(reply.headers['x-content-type-options'], 'nosniff', `${path} ${reply.statusCode}`)
    }
  })

  it('logs no query parameter value it does not read (a ?token=… stays out of the log)', async () => {
    await h.call('GET', '/portal-api/oauth-providers?page=1&token=query-secret-123456&access_token=query-secret-654321')
    const logged = h.logs.join('')
    assert.equal(logged.includes('query-secret'), false)
    assert.match(logged, /"url":"\/portal-api\/oauth-providers\?page=1&token=\[redacted\]&access_token=\[redacted\]"/)
  })

  it('answers a path that cannot be decoded, or a segment longer than any id, 404 in the errors envelope (issue 11 item 11)', async () => {
    const cases: Array<[string, string]> = [
      ['/portal-api/oauth-providers/%zz', 'no route GET "/portal-api/oauth-providers/%zz": the path is not valid percent-encoding'],
      ['/portal-api/apps/1/access-requests/%E0%A4%A', 'no route GET "/portal-api/apps/1/access-requests/%E0%A4%A": the path is not valid percent-encoding'],
      [`/portal-api/oauth-providers/${'9'.repeat(120)}`, /no route GET .*: a path segment is longer than any id/.source]
    ]
    for (const [path, message] of cases) {
      const reply = await h.call('GET', path)
      assert.equal(reply.status, 404, path)
      assert.equal(JSON.stringify(reply.body).includes('FST_ERR'), false, JSON.stringify(reply.body))
      assert.match(reply.body.errors[0], new RegExp(message.startsWith('no route GET "') ? `^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` : message))
    }
  })

  it('never logs the admin token', () => {
    assert.equal(h.logs.join('').includes(ADMIN_TOKEN), false)
  })
})
