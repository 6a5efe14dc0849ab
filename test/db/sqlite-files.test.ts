// The SQLite files hold sealed secrets and the audit history: the owner alone may read them (issue 11 item 7).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { openDatabase } from '../../src/db/database.ts'

describe('SQLite files', () => {
  it('creates the database, its WAL and shared-memory files mode 0600, and tightens an existing file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-files-'))
    const file = path.join(dir, 'data', 'portal.db')
    try {
      const database = await openDatabase({ dialect: 'sqlite', file })
      await database.db.insertInto('portal_meta').values({ key: 'probe', value: 'x' }).execute()
      for (const name of [file, `${file}-wal`, `${file}-shm`]) assert.equal(fs.statSync(name).mode & 0o777, 0o600, name)
      await database.close()

      fs.chmodSync(file, 0o644)
      const reopened = await openDatabase({ dialect: 'sqlite', file })
      assert.equal(fs.statSync(file).mode & 0o777, 0o600)
      await reopened.close()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
