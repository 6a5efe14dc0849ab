import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { clientCredentialsToken } from '../helpers/test-idp.ts'
import { freePort, startService, type ServiceProcess } from '../helpers/process.ts'

// The laptop default: `npm start` on an empty data directory runs the embedded IdP; a fresh database holds
// no provider, and one call connects the embedded IdP (design.md §6).
describe('npm start with the embedded IdP', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-embedded-'))
  let service: ServiceProcess | undefined
  after(async () => {
    await service?.kill()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('holds no provider until POST /oauth-providers/embedded, which connects "Embedded IdP" once; it verifies with a canary, and its clients get tokens after a restart', async () => {
    const idpPort = await freePort()
    const env = { PORTAL_DATA_DIR: dataDir, PORTAL_EMBEDDED_IDP_PORT: String(idpPort) }
    service = await startService(env)
    const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim()
    const call = async (method: string, url: string) => {
      const response = await fetch(`${service!.baseUrl}${url}`, { method, headers: { authorization: token } })
      return { status: response.status, body: await response.json() }
    }

    assert.deepEqual((await call('GET', '/portal-api/oauth-providers')).body, [], 'a fresh database holds no provider')
    const connected = await call('POST', '/portal-api/oauth-providers/embedded')
    assert.deepEqual([connected.status, connected.body.ID, connected.body.Name, connected.body.Type], [200, 1, 'Embedded IdP', 'Other'])
    assert.deepEqual((await call('POST', '/portal-api/oauth-providers/embedded')).body, connected.body, 'a second call answers the same provider')
    const providers = await call('GET', '/portal-api/oauth-providers')
    assert.deepEqual(providers.body.map((p: { Name: string; Type: string }) => [p.Name, p.Type]), [['Embedded IdP', 'Other']])
    const id = providers.body[0].ID
    const shown = await call('GET', `/portal-api/oauth-providers/${id}`)
    assert.equal(shown.body.WellKnownURL, `http://127.0.0.1:${idpPort}/.well-known/openid-configuration`)
    assert.deepEqual(shown.body.ClientTypes.map((t: { Name: string }) => t.Name), ['Machine to machine', 'Web application'])

    const verified = await call('POST', `/portal-api/oauth-providers/${id}/verify?canary=true`)
    assert.equal(verified.status, 200)
    assert.equal(verified.body.Status, 'ok', JSON.stringify(verified.body, null, 2))
    assert.ok(verified.body.Findings.every((f: { Status: string }) => f.Status === 'ok'))

    // A client registered at the embedded IdP before the restart (RFC 7591, with its initial access token).
    const initialAccessToken = fs.readFileSync(path.join(dataDir, 'embedded-idp-initial-access-token'), 'utf8').trim()
    const registered = await fetch(`http://127.0.0.1:${idpPort}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${initialAccessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' })
    })
    assert.equal(registered.status, 201)
    const client = await registered.json() as { client_id: string; client_secret: string }
    await service.kill()

    service = await startService(env)
    const issued = await clientCredentialsToken({ issuer: `http://127.0.0.1:${idpPort}` }, client.client_id, client.client_secret, 'openid')
    assert.equal(typeof issued.access_token, 'string')
    assert.equal((await call('GET', '/portal-api/oauth-providers')).body.length, 1, 'connected once, kept on restart')
  })
})

// Issue 12: the first start makes the embedded IdP's "admin" account and prints its password, once.
describe('npm start: the embedded IdP\'s first account', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-first-admin-'))
  let service: ServiceProcess | undefined
  after(async () => {
    await service?.kill()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('prints the admin password on the first start only, keeps it 0600, and never logs it', async () => {
    const env = { PORTAL_DATA_DIR: dataDir, PORTAL_EMBEDDED_IDP_PORT: String(await freePort()), PORTAL_LOG_LEVEL: 'trace' }
    service = await startService(env)
    const file = path.join(dataDir, 'embedded-idp-admin-password')
    const password = fs.readFileSync(file, 'utf8').trim()
    assert.equal(fs.statSync(file).mode & 0o777, 0o600)
    const first = service.output()
    assert.equal(first.split(password).length - 1, 1, 'printed exactly once')
    assert.match(first, new RegExp(`username "admin", password:\\n  ${password}\\n`))
    // The logs (JSON lines) tell that the account was made, and nothing of its password.
    const logLines = first.split('\n').filter((line) => line.startsWith('{'))
    assert.ok(logLines.some((line) => line.includes('first account created')))
    assert.ok(logLines.every((line) => !line.includes(password)))
    await service.kill()

    service = await startService(env)
    assert.ok(!service.output().includes(password), 'not printed again')
    assert.doesNotMatch(service.output(), /Embedded IdP sign-in/)
  })
})
