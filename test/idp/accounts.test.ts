// The embedded IdP's accounts on every dialect: the rules of a new account, case-insensitive usernames,
// argon2id, one hash per failed sign-in whatever its cause, rehashing, and the first admin account.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import argon2 from 'argon2'
import type { Database } from '../../src/db/database.ts'
import { AppError } from '../../src/errors.ts'
import { ARGON2ID, IdpAccounts, type PasswordHasher } from '../../src/idp/accounts.ts'
import { ADMIN_PASSWORD_FILE, ensureFirstAdmin } from '../../src/idp/first-admin.ts'
import { dialects } from '../helpers/dialects.ts'

/** The real argon2id hasher, counting the hashes verified (a failure must cost exactly one). */
function countingHasher (): PasswordHasher & { verified: string[] } {
  const verified: string[] = []
  return { ...ARGON2ID, verified, verify: async (hash, password) => { verified.push(hash); return await ARGON2ID.verify(hash, password) } }
}

const PARAMETERS = '$argon2id$v=19$m=19456,p=1,t=2$'

for (const dialect of dialects) {
  describe(dialect.name, { skip: dialect.skip }, () => {
    let database: Database
    let dataDir: string
    before(async () => {
      database = await dialect.open()
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-accounts-'))
    })
    after(async () => {
      await database?.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    })

    it('refuses a bad account with every problem named, never showing the password', async () => {
      const accounts = new IdpAccounts({ db: database.db })
      const error = await accounts.create({ username: 'bad name', name: ' ', email: 'no-at-sign', password: 'short-pw1'.slice(0, 5) }).catch((caught: unknown) => caught)
      assert.ok(error instanceof AppError)
      assert.equal(error.code, 'invalid_input')
      assert.deepEqual(error.messages, [
        'username "bad name" must be 1 to 64 characters: letters, digits and . _ @ + -',
        'name " " must be 1 to 200 characters, not only spaces',
        'email "no-at-sign" is not an email address',
        'password must be 8 to 1024 characters'
      ])
      assert.equal(await accounts.count(), 0, 'nothing written')
    })

    it('stores an argon2id hash, and takes a username once whatever its case', async () => {
      const accounts = new IdpAccounts({ db: database.db })
      const bob = await accounts.create({ username: 'Bob', name: 'Bob', email: 'bob@example.test', password: 'bobs password' })
      const row = await database.db.selectFrom('idp_accounts').selectAll().where('id', '=', bob.id).executeTakeFirstOrThrow()
      assert.ok(row.password_hash.startsWith(PARAMETERS), row.password_hash)
      assert.ok(!row.password_hash.includes('bobs password'))
      assert.match(bob.id, /^[0-9a-f-]{36}$/)
      const taken = await accounts.create({ username: 'BOB', name: 'Other', password: 'another password' }).catch((caught: unknown) => caught)
      assert.ok(taken instanceof AppError)
      assert.equal(taken.code, 'conflict_taken')
      assert.deepEqual(taken.messages, ['username "BOB" is already taken (usernames ignore case)'])
    })

    it('authenticates the right password only, and verifies one hash for every failure, the account known or not', async () => {
      const hasher = countingHasher()
      const accounts = new IdpAccounts({ db: database.db, hasher })
      const carol = await accounts.create({ username: 'carol', name: 'Carol', password: 'carols password' })
      const dave = await accounts.create({ username: 'dave', name: 'Dave', password: 'daves password' })
      await database.db.updateTable('idp_accounts').set({ active: 0 }).where('id', '=', dave.id).execute()

      assert.equal((await accounts.authenticate('CAROL', 'carols password'))?.id, carol.id)
      for (const [username, password] of [['carol', 'wrong'], ['nobody', 'wrong'], ['dave', 'daves password'], ['bad name', 'x'], ['carol', 'x'.repeat(5000)], ['carol', '']]) {
        hasher.verified.length = 0
        assert.equal(await accounts.authenticate(username!, password!), undefined, `${username} / ${password!.slice(0, 10)}`)
        assert.equal(hasher.verified.length, 1, `one hash verified for ${username}`)
        assert.ok(hasher.verified[0]!.startsWith(PARAMETERS), 'with the same parameters as a real one')
      }
      assert.equal(await accounts.findActive(dave.id), undefined, 'an inactive account finds nothing')
      assert.equal((await accounts.findActive(carol.id))?.username, 'carol')
    })

    it('rehashes a password stored with other parameters at its next sign-in', async () => {
      const accounts = new IdpAccounts({ db: database.db })
      const erin = await accounts.create({ username: 'erin', name: 'Erin', password: 'erins password' })
      const old = await argon2.hash('erins password', { type: argon2.argon2i, memoryCost: 8192, timeCost: 3, parallelism: 1 })
      await database.db.updateTable('idp_accounts').set({ password_hash: old }).where('id', '=', erin.id).execute()
      assert.equal((await accounts.authenticate('erin', 'erins password'))?.id, erin.id)
      const { password_hash: hash } = await database.db.selectFrom('idp_accounts').select('password_hash').where('id', '=', erin.id).executeTakeFirstOrThrow()
      assert.ok(hash.startsWith(PARAMETERS), hash)
      assert.equal((await accounts.authenticate('erin', 'erins password'))?.id, erin.id)
    })
  })

  describe(`${dialect.name}: the first admin account`, { skip: dialect.skip }, () => {
    const dirs: string[] = []
    const freshDir = (): string => { const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-first-admin-')); dirs.push(dir); return dir }
    after(() => { for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true }) })

    it('is made on an empty table only, its password kept 0600 and handed out once', async () => {
      const database = await dialect.open()
      try {
        const dataDir = freshDir()
        const accounts = new IdpAccounts({ db: database.db })
        const admin = await ensureFirstAdmin(accounts, dataDir)
        assert.ok(admin?.generatedPassword !== undefined)
        assert.equal(admin.username, 'admin')
        const file = path.join(dataDir, ADMIN_PASSWORD_FILE)
        assert.equal(admin.file, file)
        assert.equal(fs.statSync(file).mode & 0o777, 0o600)
        assert.equal(fs.readFileSync(file, 'utf8'), `${admin.generatedPassword}\n`)
        assert.equal((await accounts.authenticate('admin', admin.generatedPassword))?.name, 'Administrator')
        assert.equal(await ensureFirstAdmin(accounts, dataDir), undefined)
        assert.equal(await accounts.count(), 1)
      } finally {
        await database.close()
      }
    })

    it('on a new database, takes the password already kept in the data directory, and does not hand it out again', async () => {
      const database = await dialect.open()
      try {
        const dataDir = freshDir()
        fs.writeFileSync(path.join(dataDir, ADMIN_PASSWORD_FILE), 'kept-from-before-123\n', { mode: 0o600 })
        const accounts = new IdpAccounts({ db: database.db })
        const admin = await ensureFirstAdmin(accounts, dataDir)
        assert.equal(admin?.generatedPassword, undefined)
        assert.ok(await accounts.authenticate('admin', 'kept-from-before-123'))
      } finally {
        await database.close()
      }
    })

    it('when two replicas race on one database, one makes it; the other keeps no password file that would not work', async () => {
      const database = await dialect.open()
      try {
        // Both replicas have counted no account before either inserts: each admin's hash waits for the
        // other's (the first hash is the constructor's dummy one, not held).
        let release: () => void = () => { /* replaced below, before any hash */ }
        const bothHashing = new Promise<void>((resolve) => { release = resolve })
        let hashes = 0
        const barrier: PasswordHasher = {
          ...ARGON2ID,
          hash: async (password) => {
            hashes++
            if (hashes === 3) release()
            if (hashes > 1) await bothHashing
            return await ARGON2ID.hash(password)
          }
        }
        const accounts = new IdpAccounts({ db: database.db, hasher: barrier })
        const [first, second] = [freshDir(), freshDir()]
        const results = await Promise.all([ensureFirstAdmin(accounts, first), ensureFirstAdmin(accounts, second)])
        const winners = results.filter((result) => result !== undefined)
        assert.equal(winners.length, 1)
        assert.deepEqual([first, second].map((dir) => fs.existsSync(path.join(dir, ADMIN_PASSWORD_FILE))), results.map((result) => result !== undefined))
        assert.ok(await accounts.authenticate('admin', winners[0]!.generatedPassword!))
      } finally {
        await database.close()
      }
    })
  })
}
