import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { startService, type ServiceProcess } from '../helpers/process.ts'

const SENTINEL = 'SENTINEL-durable-initial-access-token'

// The real entry (`npm start`) on a SQLite file: acknowledged writes survive SIGKILL and a restart.
describe('durability of the SQLite default', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-durability-'))
  const env = { PORTAL_DATA_DIR: dataDir, PORTAL_EMBEDDED_IDP: 'false' }
  let service: ServiceProcess | undefined
  after(async () => {
    await service?.kill()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('prints a generated admin token once, keeps it 0600, and keeps acknowledged writes across SIGKILL', async () => {
    service = await startService(env)
    const tokenFile = path.join(dataDir, 'admin-token')
    const token = fs.readFileSync(tokenFile, 'utf8').trim()
    assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600)
    assert.equal(service.output().split(token).length - 1, 1, 'the token is printed exactly once')
    assert.ok(fs.existsSync(path.join(dataDir, 'portal.db')))

    const call = async (method: string, url: string, body?: unknown) => {
      const response = await fetch(`${service!.baseUrl}${url}`, {
        method,
        headers: { authorization: token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      return { status: response.status, body: await response.json() }
    }
    const provider = await call('POST', '/portal-api/oauth-providers', { Name: 'Durable', Type: 'Other', WellKnownURL: 'http://idp.test/.well-known/openid-configuration', RegistrationAccessToken: SENTINEL })
    assert.equal(provider.status, 200)
    const base = `/portal-api/oauth-providers/${provider.body.ID}/client-types`
    const written: unknown[] = []
    for (let i = 0; i < 20; i++) {
      const created = await call('POST', base, { Name: `type ${i}`, ResponseTypes: 'code', GrantType: 'authorization_code' })
      assert.equal(created.status, 200)
      written.push(created.body)
    }
    const updated = await call('PUT', `${base}/${(written[0] as { ID: number }).ID}`, { Name: 'updated last', ResponseTypes: 'code,token', GrantType: 'authorization_code,implicit' })
    assert.equal(updated.status, 200)
    written[0] = updated.body
    await service.kill() // straight after the last acknowledgement

    service = await startService(env)
    assert.equal(service.output().includes(token), false, 'not printed again on a later start')
    const after = await call('GET', `${base}?per_page=100`)
    assert.equal(after.status, 200)
    assert.deepEqual(after.body, written)
    await service.kill()

    // The files hold no secret in clear (sealed at rest), and SQLite finds itself intact.
    for (const file of fs.readdirSync(dataDir).filter((name) => name.startsWith('portal.db'))) {
      assert.equal(fs.readFileSync(path.join(dataDir, file)).includes(SENTINEL), false, `${file} holds the token in clear`)
    }
    const database = new Database(path.join(dataDir, 'portal.db'), { readonly: true })
    assert.equal(database.pragma('integrity_check', { simple: true }), 'ok')
    database.close()
  })
})
