// The console signs admins in at any OpenID provider named in configuration (issue 12 item 2), not only
// at its own embedded IdP: service B runs without an embedded IdP and names service A's IdP as
// PORTAL_CONSOLE_OIDC_ISSUER, with a client registered there through RFC 7591 like any relying party,
// and PORTAL_CONSOLE_ADMIN_CLAIM choosing which claim makes an admin.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { INITIAL_ACCESS_TOKEN_FILE } from '../../src/idp/idp-secrets.ts'
import { browserSkip, launchChromium, signInAtIdp, startConsoleService, step, type ConsoleService } from '../helpers/browser.ts'
import { freePort, startService, type ServiceProcess } from '../helpers/process.ts'

describe('the console with another OpenID provider', { skip: browserSkip }, () => {
  let idpHost: ConsoleService
  let service: ServiceProcess
  let dataDir: string
  let browser: Browser

  before(async () => {
    idpHost = await startConsoleService()
    // B's port first: its redirect URI is registered at A's IdP before B starts.
    const port = await freePort()
    const redirectUri = `http://127.0.0.1:${port}/console/callback`
    const registration = await fetch(`${idpHost.idpOrigin}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fs.readFileSync(path.join(idpHost.dataDir, INITIAL_ACCESS_TOKEN_FILE), 'utf8').trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Another portal\'s console',
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [`http://127.0.0.1:${port}/console/signed-out`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid profile email groups'
      })
    })
    const client = await registration.json() as { client_id: string; client_secret: string }
    assert.equal(registration.status, 201, JSON.stringify(client))
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-console-b-'))
    service = await startService({
      PORTAL_PORT: String(port),
      PORTAL_DATA_DIR: dataDir,
      PORTAL_EMBEDDED_IDP: 'false',
      PORTAL_CONSOLE_OIDC_ISSUER: idpHost.idpOrigin,
      PORTAL_CONSOLE_OIDC_CLIENT_ID: client.client_id,
      PORTAL_CONSOLE_OIDC_CLIENT_SECRET: client.client_secret,
      PORTAL_CONSOLE_ADMIN_CLAIM: 'preferred_username=admin'
    })
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await service?.kill()
    await idpHost?.close()
    if (dataDir !== undefined) fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('signs the admin in there, asks consent as any third-party client does, and signs out there too', async () => {
    const page = await (await browser.newContext()).newPage()
    page.setDefaultTimeout(10_000)
    await step('the console sends the browser to the configured issuer', async () => {
      await page.goto(`${service.baseUrl}/`)
      assert.equal(new URL(page.url()).origin, idpHost.idpOrigin)
      await signInAtIdp(page, 'admin', idpHost.adminPassword)
    })
    await step('the provider asks consent for this client, then the console admits the admin by the configured claim', async () => {
      assert.equal(await page.title(), 'Allow access?')
      await page.getByRole('button', { name: 'Allow' }).click()
      assert.equal(page.url(), `${service.baseUrl}/console/`)
      assert.match(await page.locator('header').innerText(), /Signed in as Administrator \(admin\)/)
      assert.equal(await page.getByRole('navigation', { name: 'Console' }).count(), 1, 'an admin')
    })
    await step('without an embedded IdP, the providers page offers no one-click connection', async () => {
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'OAuth2.0 providers', exact: true }).click()
      assert.equal(await page.getByRole('button', { name: 'Connect the embedded IdP' }).count(), 0)
    })
    await step('signing out ends the session at the provider too', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click()
      assert.equal(new URL(page.url()).origin, idpHost.idpOrigin)
      await page.getByRole('button', { name: 'Sign out' }).click()
      assert.equal(page.url(), `${service.baseUrl}/console/signed-out`)
    })
  })
})
