// The embedded OpenID provider over loopback, on every dialect: RFC 7591 registration, RFC 7592
// management with rotating tokens, client credentials, introspection, revocation, runtime scopes,
// and a restart on the same database and data directory.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import * as client from 'openid-client'
import { Agent, fetch } from 'undici'
import type { Database } from '../../src/db/database.ts'
import { startEmbeddedIdp, type EmbeddedIdp } from '../../src/idp/embedded-idp.ts'
import { INITIAL_ACCESS_TOKEN_FILE } from '../../src/idp/idp-secrets.ts'
import { createLogger } from '../../src/logger.ts'
import { TEST_SECRET_BOX } from '../helpers/app.ts'
import { dialects } from '../helpers/dialects.ts'

const MACHINE_CLIENT = { client_name: 'm2m', grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'client_secret_basic' }

interface Answer { readonly status: number; readonly body: any }

// Each IdP run gets its own connection pool: a kept-alive socket to a closed server would fail the
// first request after the restart.
let agent: Agent

async function call (method: string, url: string, token: string | undefined, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(url, { method, headers, dispatcher: agent, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

/** An openid-client configuration for a registered confidential client (client_secret_basic). */
async function oauthClient (idp: EmbeddedIdp, registered: { client_id: string; client_secret: string }): Promise<client.Configuration> {
  return await client.discovery(new URL(idp.issuer), registered.client_id, undefined, client.ClientSecretBasic(registered.client_secret), {
    execute: [client.allowInsecureRequests],
    // @ts-expect-error -- undici's Response type is not the DOM one openid-client declares; they are the same at runtime
    [client.customFetch]: (url: string, options: object) => fetch(url, { ...options, dispatcher: agent })
  })
}

for (const dialect of dialects) {
  describe(dialect.name, { skip: dialect.skip }, () => {
    let database: Database
    let dataDir: string
    let idp: EmbeddedIdp
    const logs: string[] = []
    const logger = createLogger('trace', new Writable({ write (chunk, _encoding, done) { logs.push(String(chunk)); done() } }))
    const start = async (port = 0): Promise<EmbeddedIdp> => await startEmbeddedIdp({ db: database.db, secretBox: TEST_SECRET_BOX, host: '127.0.0.1', port, dataDir, logger })
    const register = async (metadata: object, token: string | undefined = idp.initialAccessToken): Promise<Answer> =>
      await call('POST', `${idp.issuer}/reg`, token, metadata)

    before(async () => {
      agent = new Agent()
      database = await dialect.open()
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-idp-'))
      idp = await start()
    })
    after(async () => {
      await idp?.close()
      await agent.close()
      await database?.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    })

    it('serves a discovery document with the registration, introspection and revocation endpoints', async () => {
      assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+$/)
      const { status, body } = await call('GET', idp.wellKnownUrl, undefined)
      assert.equal(status, 200)
      assert.equal(body.issuer, idp.issuer)
      assert.equal(body.registration_endpoint, `${idp.issuer}/reg`)
      assert.equal(body.introspection_endpoint, `${idp.issuer}/token/introspection`)
      assert.equal(body.revocation_endpoint, `${idp.issuer}/token/revocation`)
      assert.ok(body.grant_types_supported.includes('client_credentials'))
      // The base scopes (issue 12: profile, email and groups for people), and only what ensureScopes() added (another test may have run first).
      assert.deepEqual(body.scopes_supported.slice(0, 5), ['openid', 'offline_access', 'profile', 'email', 'groups'])
      assert.deepEqual(body.scopes_supported.filter((scope: string) => !['openid', 'offline_access', 'profile', 'email', 'groups', 'payments', 'orders:read', 'orders:write'].includes(scope)), [])
      assert.deepEqual(body.claims_supported.sort(), ['auth_time', 'email', 'email_verified', 'groups', 'iss', 'name', 'preferred_username', 'sid', 'sub'])
      assert.deepEqual(body.code_challenge_methods_supported, ['S256'])
    })

    it('keeps the generated initial access token in the data directory, mode 0600', () => {
      const file = path.join(dataDir, INITIAL_ACCESS_TOKEN_FILE)
      assert.equal(fs.readFileSync(file, 'utf8').trim(), idp.initialAccessToken)
      assert.equal(fs.statSync(file).mode & 0o777, 0o600)
      assert.ok(idp.initialAccessToken.length >= 43)
    })

    it('refuses a registration without or with a wrong initial access token (401 invalid_token)', async () => {
      for (const token of [undefined, 'wrong-token']) {
        const { status, body } = await call('POST', `${idp.issuer}/reg`, token, MACHINE_CLIENT)
        assert.equal(status, 401)
        assert.equal(body.error, 'invalid_token')
      }
    })

    it('registers, reads, updates and deletes a client, rotating the registration access token (RFC 7591, RFC 7592)', async () => {
      const created = await register({ ...MACHINE_CLIENT, client_name: 'lifecycle' })
      assert.equal(created.status, 201)
      const { client_id: clientId, client_secret: secret, registration_client_uri: uri } = created.body
      assert.ok(typeof clientId === 'string' && typeof secret === 'string')
      assert.equal(uri, `${idp.issuer}/reg/${clientId}`)
      const firstToken: string = created.body.registration_access_token

      const read = await call('GET', uri, firstToken)
      assert.equal(read.status, 200)
      assert.equal(read.body.client_id, clientId)
      assert.equal(read.body.client_secret, secret)
      const secondToken: string = read.body.registration_access_token
      assert.notEqual(secondToken, firstToken)
      assert.equal((await call('GET', uri, firstToken)).status, 401)

      const updated = await call('PUT', uri, secondToken, { ...MACHINE_CLIENT, client_id: clientId, client_name: 'renamed' })
      assert.equal(updated.status, 200)
      assert.equal(updated.body.client_name, 'renamed')
      assert.equal(updated.body.client_secret, secret)
      const thirdToken: string = updated.body.registration_access_token
      assert.notEqual(thirdToken, secondToken)
      assert.equal((await call('GET', uri, secondToken)).status, 401)

      assert.equal((await call('DELETE', uri, thirdToken)).status, 204)
      assert.equal((await call('GET', uri, thirdToken)).status, 401)
    })

    it('registers the shapes the portal\'s client types produce', async () => {
      const redirect = { redirect_uris: ['https://app.example.com/callback'] }
      for (const metadata of [
        { ...redirect, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
        { ...redirect, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' },
        { ...redirect, grant_types: ['implicit'], response_types: ['id_token token'], token_endpoint_auth_method: 'client_secret_post' },
        { ...redirect, grant_types: ['authorization_code', 'implicit', 'client_credentials'], response_types: ['code', 'id_token', 'code id_token'] }
      ]) {
        const { status, body } = await register(metadata)
        assert.equal(status, 201, JSON.stringify(body))
        assert.deepEqual(body.grant_types, metadata.grant_types)
      }
    })

    it('issues a client_credentials token that introspects as active until revoked', async () => {
      const { body: registered } = await register(MACHINE_CLIENT)
      const config = await oauthClient(idp, registered)
      const token = await client.clientCredentialsGrant(config)
      assert.equal(token.token_type, 'bearer')
      assert.equal(token.expires_in, 600)

      const active = await client.tokenIntrospection(config, token.access_token)
      assert.equal(active.active, true)
      assert.equal(active.client_id, registered.client_id)

      // RFC 7009 §2.1: another client's revocation is ignored; the owner's works.
      await client.tokenRevocation(await oauthClient(idp, (await register(MACHINE_CLIENT)).body), token.access_token)
      assert.equal((await client.tokenIntrospection(config, token.access_token)).active, true)
      await client.tokenRevocation(config, token.access_token)
      assert.equal((await client.tokenIntrospection(config, token.access_token)).active, false)
    })

    it('lets a client introspect only its own tokens; a registered resource server any (issue 11 item 9)', async () => {
      const owner = await oauthClient(idp, (await register(MACHINE_CLIENT)).body)
      const other = await oauthClient(idp, (await register(MACHINE_CLIENT)).body)
      const resourceServer = await oauthClient(idp, (await register({ ...MACHINE_CLIENT, introspect_any_token: true })).body)
      const token = await client.clientCredentialsGrant(owner)
      assert.equal((await client.tokenIntrospection(other, token.access_token)).active, false)
      assert.equal((await client.tokenIntrospection(owner, token.access_token)).active, true)
      assert.equal((await client.tokenIntrospection(resourceServer, token.access_token)).active, true)
      const refused = await register({ ...MACHINE_CLIENT, introspect_any_token: 'yes' })
      assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_client_metadata'])
    })

    it('revokes a client\'s tokens when the client is deleted (RFC 7592 DELETE; issue 11 item 13)', async () => {
      const { body: registered } = await register(MACHINE_CLIENT)
      const resourceServer = await oauthClient(idp, (await register({ ...MACHINE_CLIENT, introspect_any_token: true })).body)
      const token = await client.clientCredentialsGrant(await oauthClient(idp, registered))
      assert.equal((await client.tokenIntrospection(resourceServer, token.access_token)).active, true)
      assert.equal((await call('DELETE', registered.registration_client_uri, registered.registration_access_token)).status, 204)
      assert.equal((await client.tokenIntrospection(resourceServer, token.access_token)).active, false)
      const left = await database.db.selectFrom('idp_models').select('model').where('client_id', '=', registered.client_id).execute()
      assert.deepEqual(left, [], 'no record of the deleted client is left')
    })

    it('stores no client secret, registration access token or access token in clear (issue 11 item 7)', async () => {
      const { body: registered } = await register(MACHINE_CLIENT)
      const token = await client.clientCredentialsGrant(await oauthClient(idp, registered))
      const rows = await database.db.selectFrom('idp_models').selectAll().execute()
      const stored = JSON.stringify(rows)
      for (const secret of [registered.client_secret, registered.registration_access_token, token.access_token, idp.initialAccessToken]) {
        assert.equal(stored.includes(secret), false, 'a secret is stored in clear')
      }
      assert.ok(rows.every((row) => row.payload.startsWith('v1.')), 'every payload is sealed')
    })

    it('seals records stored before sealing when it starts, and still serves them', async () => {
      // A client and its registration access token as an earlier version stored them: plain JSON, the token as id.
      const legacyToken = 'legacy-registration-access-token-000000000000'
      const clientPayload = { client_id: 'legacy-client', client_secret: 'legacy-secret-0000000000000000000000', grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'client_secret_basic', client_name: 'legacy' }
      const tokenPayload = { jti: legacyToken, kind: 'RegistrationAccessToken', clientId: 'legacy-client', iat: Math.floor(Date.now() / 1000) }
      await database.db.insertInto('idp_models').values([
        { model: 'Client', id: 'legacy-client', payload: JSON.stringify(clientPayload), grant_id: null, user_code: null, uid: null, client_id: null, expires_at: null, consumed_at: null },
        { model: 'RegistrationAccessToken', id: legacyToken, payload: JSON.stringify(tokenPayload), grant_id: null, user_code: null, uid: null, client_id: null, expires_at: null, consumed_at: null }
      ]).execute()
      const { issuer } = idp
      await idp.close()
      await agent.close()
      agent = new Agent()
      idp = await start(Number(new URL(issuer).port))

      const stored = JSON.stringify(await database.db.selectFrom('idp_models').selectAll().where('client_id', '=', 'legacy-client').execute())
      assert.equal(stored.includes(legacyToken) || stored.includes(clientPayload.client_secret), false)
      const read = await call('GET', `${issuer}/reg/legacy-client`, legacyToken)
      assert.equal(read.status, 200, JSON.stringify(read.body))
      assert.equal(read.body.client_secret, clientPayload.client_secret)
      const token = await client.clientCredentialsGrant(await oauthClient(idp, { client_id: 'legacy-client', client_secret: clientPayload.client_secret }))
      assert.equal(token.token_type, 'bearer')
    })

    it('accepts a scope only once ensureScopes() has added it', async () => {
      const before = await register({ ...MACHINE_CLIENT, scope: 'payments' })
      assert.equal(before.status, 400)
      assert.equal(before.body.error, 'invalid_client_metadata')

      await idp.ensureScopes(['payments', 'openid', 'payments'])
      const after = await register({ ...MACHINE_CLIENT, scope: 'payments' })
      assert.equal(after.status, 201)
      assert.equal(after.body.scope, 'payments')
      const token = await client.clientCredentialsGrant(await oauthClient(idp, after.body), { scope: 'payments' })
      assert.equal(token.scope, 'payments')
      assert.ok((await call('GET', idp.wellKnownUrl, undefined)).body.scopes_supported.includes('payments'))
    })

    it('rejects scope values that are not RFC 6749 scope tokens', async () => {
      await assert.rejects(idp.ensureScopes(['two words', 'ok']), { name: 'AppError', code: 'invalid_input', message: /"two words"/ })
    })

    it('keeps clients, tokens, scopes and the initial access token across a restart', async () => {
      await idp.ensureScopes(['orders:read', 'orders:write'])
      const { body: registered } = await register({ ...MACHINE_CLIENT, scope: 'orders:read' })
      const { access_token: issuedBefore } = await client.clientCredentialsGrant(await oauthClient(idp, registered))
      const { issuer, initialAccessToken } = idp

      await idp.close()
      await agent.close()
      agent = new Agent()
      idp = await start(Number(new URL(issuer).port))
      assert.equal(idp.issuer, issuer)
      assert.equal(idp.initialAccessToken, initialAccessToken)

      const config = await oauthClient(idp, registered)
      assert.equal((await client.tokenIntrospection(config, issuedBefore)).active, true)
      assert.equal((await client.clientCredentialsGrant(config, { scope: 'orders:read' })).scope, 'orders:read')
      const read = await call('GET', registered.registration_client_uri, registered.registration_access_token)
      assert.equal(read.status, 200)
      assert.equal((await register({ ...MACHINE_CLIENT, scope: 'orders:read orders:write' })).status, 201)
    })

    it('never logs the initial access token', () => {
      assert.ok(logs.some((line) => line.includes('embedded IdP listening')))
      assert.ok(logs.every((line) => !line.includes(idp.initialAccessToken)))
    })
  })
}
