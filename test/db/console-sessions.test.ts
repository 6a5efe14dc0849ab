import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Sessions, sameCsrfToken } from '../../src/console/sessions.ts'
import type { Database } from '../../src/db/database.ts'
import { TEST_SECRET_BOX } from '../helpers/app.ts'
import { dialects } from '../helpers/dialects.ts'

// The console's sessions (issue 12): only the token's SHA-256 is stored, a session ends at its lifetime or
// at sign-out, and ended rows do not pile up. The clock is the seam: expiry is driven, never slept.
const PERSON = { subject: 'http://idp.test 1', username: 'admin', name: 'Administrator', isAdmin: true }

for (const dialect of dialects) {
  describe(`console sessions on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: Database
    const clock = { now: new Date('2026-12-03T09:00:00.000Z') }
    let sessions: Sessions
    before(async () => {
      database = await dialect.open()
      sessions = new Sessions({ db: database.db, box: TEST_SECRET_BOX, now: () => clock.now, hours: 8 })
    })
    after(async () => { await database.close() })

    it('stores the token\'s digest only, ends at its lifetime, and the next sign-in clears ended rows', async () => {
      const token = await sessions.start(PERSON, 'id.token.one')
      const rows = await database.db.selectFrom('console_sessions').selectAll().execute()
      assert.equal(rows.length, 1)
      assert.equal(JSON.stringify(rows).includes(token), false, 'the token is not stored')
      assert.equal(JSON.stringify(rows).includes('id.token.one'), false, 'the ID token is sealed')
      const session = await sessions.find(token)
      assert.equal(session?.username, 'admin')
      assert.equal(sameCsrfToken(session, session.csrfToken), true)
      assert.equal(sameCsrfToken(session, `${session.csrfToken}x`), false)
      assert.equal(sessions.lifetimeSeconds, 8 * 3600)
      clock.now = new Date(clock.now.getTime() + 8 * 3_600_000)
      assert.equal(await sessions.find(token), undefined, 'ended at its lifetime')
      const next = await sessions.start(PERSON, 'id.token.two')
      assert.deepEqual((await database.db.selectFrom('console_sessions').select('id').execute()).length, 1, 'the ended row is gone')
      assert.equal(await sessions.end(next), 'id.token.two', 'sign-out answers the ID token for the provider\'s logout')
      assert.equal(await sessions.find(next), undefined)
      assert.equal(await sessions.end(next), undefined, 'a second sign-out finds nothing')
    })
  })
}
