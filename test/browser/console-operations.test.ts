// The console's operations pages in Chromium (issue 12): IdP operations made for real — a registration
// whose answer the fault proxy holds past the gate's timeout (the IdP created the client; the portal never
// learned it), and a client the IdP refuses to delete (its registration access token refused) — listed with
// what to do, resolved in the console and gone; the audit log filtered by a resource, showing the console's
// changes under person:admin; the API reference with an operation found in it. axe on every page. Each
// test signs in in a browser context of its own and sets up through the API what it needs, so it passes alone.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { accessibilityChecker, browserSkip, type ConsoleService, launchChromium, signInAtIdp, startConsoleService } from '../helpers/browser.ts'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts'
import { callService, freePort, okService } from '../helpers/process.ts'

describe('the console\'s IdP operations, audit log and API reference in Chromium', { skip: browserSkip }, () => {
  let service: ConsoleService
  let proxy: FaultProxy
  let browser: Browser
  let context: BrowserContext | undefined
  let page: Page

  const accessible = accessibilityChecker(() => page)
  const api = async (method: string, url: string, body?: unknown) => await callService(service.service, service.adminToken, method, url, body)
  const ok = async (method: string, url: string, body?: unknown) => await okService(service.service, service.adminToken, method, url, body)
  const operations = async () => (await ok('GET', '/portal-api/idp-operations')) as { Registrations: Array<{ ID: number; State: string; CorrelationTag: string }>; Deletions: Array<{ ID: number; ClientID: string }> }
  const nav = async (label: string) => { await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label }).click() }
  /** A new browser context signed in as the admin at the embedded IdP, on the console page `path`. */
  const signIn = async (path: string) => {
    await context?.close()
    context = await browser.newContext()
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(`${service.baseUrl}${path}`)
    await signInAtIdp(page, 'admin', service.adminPassword)
    assert.equal(new URL(page.url()).pathname, path)
  }
  /** The embedded IdP connected (idempotent): its ID and its "Machine to machine" client type's. */
  const embedded = async (): Promise<{ providerId: number; machineType: number }> => {
    const provider = await ok('POST', '/portal-api/oauth-providers/embedded')
    return { providerId: provider.ID, machineType: provider.ClientTypes.find((type: { Name: string }) => type.Name === 'Machine to machine').ID }
  }

  /** A pending access request of a new app for the embedded IdP's machine-to-machine client type. */
  let counter = 0
  const pendingRequest = async () => {
    counter++
    const { providerId, machineType: type } = await embedded()
    const product = await ok('POST', '/portal-api/products', { Name: `ops product ${counter}`, DCREnabled: true, Scopes: `ops-api-${counter}` })
    await ok('POST', `/portal-api/products/${product.ID}/client_types`, { ID: type })
    const plan = await ok('POST', '/portal-api/plans', { Name: `ops plan ${counter}`, ProviderID: providerId, JWTScope: `ops-plan-${counter}` })
    const app = await ok('POST', '/portal-api/apps', { Name: `Ops app ${counter}` })
    const request = await ok('PUT', `/portal-api/apps/${app.ID}/provision`, { PlanID: plan.ID, ProductIDs: [product.ID], DCRTemplateID: type })
    return { appId: app.ID as number, requestId: request.ID as number }
  }

  before(async () => {
    // The embedded IdP is reached through a fault proxy in this process: its issuer is the proxy's origin.
    proxy = await startFaultProxy()
    const idpPort = await freePort()
    proxy.target = `http://127.0.0.1:${idpPort}`
    service = await startConsoleService({ PORTAL_EMBEDDED_IDP_PORT: String(idpPort), PORTAL_EMBEDDED_IDP_ISSUER: proxy.origin, PORTAL_IDP_TIMEOUT_MS: '1500' })
    browser = await launchChromium()
  })
  after(async () => {
    await context?.close()
    await browser?.close()
    await service?.close()
    await proxy?.close()
  })

  it('lists a registration whose answer was lost, says what to do, and resolves it', async () => {
    const { appId, requestId } = await pendingRequest()
    // The IdP registers the client; its answer is held past the gate's timeout, so the outcome is unknown here.
    proxy.fault = (method, path) => method === 'POST' && path === '/reg' ? { kind: 'hold_answer' } : undefined
    const approve = await api('PUT', `/portal-api/access_requests/${requestId}/approve`)
    proxy.fault = undefined
    proxy.release()
    assert.equal(approve.status, 504, JSON.stringify(approve.body))
    const unknown = (await operations()).Registrations.find((registration) => registration.CorrelationTag.startsWith(`portal:${appId}:`))
    assert.ok(unknown !== undefined)
    assert.equal(unknown.State, 'unknown')

    await signIn('/console/idp-operations')
    const item = page.getByRole('region', { name: `Registration ${unknown.ID}: Ops app ${counter} at Embedded IdP` })
    const text = await item.innerText()
    assert.match(text, /Outcome unknown/)
    assert.match(text, /Client type\s+Machine to machine/)
    assert.ok(text.includes(`What to do: at Embedded IdP, look for a client whose name ends in [${unknown.CorrelationTag}]. If there is one, delete it there`), text)
    await accessible()

    await item.getByRole('link', { name: `Resolve registration ${unknown.ID}…` }).click()
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Resolve registration ${unknown.ID}?`)
    assert.match(await page.locator('main').innerText(), /if one exists and you do not delete it there, it stays active and nobody will ever delete it/)
    await accessible()
    await page.getByRole('button', { name: `I have checked the identity provider: forget registration ${unknown.ID}` }).click()
    assert.equal(new URL(page.url()).pathname, '/console/idp-operations')
    assert.equal(await page.getByRole('status').innerText(), 'Resolved.')
    assert.equal(await page.getByRole('region', { name: new RegExp(`^Registration ${unknown.ID}:`) }).count(), 0)
    assert.deepEqual((await operations()).Registrations, [])
    assert.match(await page.locator('main').innerText(), /None: the outcome of every registration is recorded/)
    // Resolved: the portal registers for this app and client type again.
    assert.equal((await api('PUT', `/portal-api/access_requests/${requestId}/approve`)).status, 200)
  })

  it('lists a client the IdP would not delete as one to delete by hand, and resolves it', async () => {
    const { appId, requestId } = await pendingRequest()
    await ok('PUT', `/portal-api/access_requests/${requestId}/approve`)
    const path = `/portal-api/apps/${appId}/access-requests/${requestId}/credentials`
    const [credential] = await ok('GET', path)
    // The IdP refuses the registration access token (RFC 7592 §2.1): no call can delete the client any more.
    proxy.fault = (method, url) => method === 'DELETE' && url.startsWith('/reg/') ? { kind: 'answer', status: 401, body: { error: 'invalid_token' } } : undefined
    try {
      assert.equal((await api('DELETE', `${path}/${credential.ID}`)).status, 409)
      const deleted = await api('DELETE', `${path}/${credential.ID}`)
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body))
      assert.match(deleted.body.message, /stays active at the IdP until someone deletes it there by hand/)
    } finally {
      proxy.fault = undefined
    }
    const pending = (await operations()).Deletions.find((deletion) => deletion.ClientID === credential.OAuthClientID)
    assert.ok(pending !== undefined)

    await signIn('/console/idp-operations')
    const item = page.getByRole('region', { name: `Deletion ${pending.ID}: client ${credential.OAuthClientID} at Embedded IdP` })
    const text = await item.innerText()
    assert.match(text, /Next attempt\s+none: only a person can delete it/)
    assert.ok(text.includes(`What to do: no call from the portal can delete this client (see the last error). Delete client ${credential.OAuthClientID} at Embedded IdP by hand`), text)
    await accessible()
    await item.getByRole('link', { name: `Resolve deletion ${pending.ID}…` }).click()
    assert.match(await page.locator('main').innerText(), new RegExp(`Do it only after deleting client ${credential.OAuthClientID} at Embedded IdP by hand`))
    await accessible()
    await page.getByRole('button', { name: `I have deleted the client: forget deletion ${pending.ID}` }).click()
    assert.equal(await page.getByRole('status').innerText(), 'Resolved.')
    assert.match(await page.locator('main').innerText(), /None: every client the portal let go of is deleted at its identity provider/)
    assert.deepEqual((await operations()).Deletions, [])
  })

  it('shows the audit log filtered by a resource: a console change under person:admin, as the fields it changed', async () => {
    const { providerId, machineType: type } = await embedded()
    await signIn(`/console/providers/${providerId}`)
    const description = `Services acting for themselves (${Date.now()})`
    await page.getByRole('link', { name: 'Edit Machine to machine' }).click()
    await page.getByLabel('Description').fill(description)
    await page.getByRole('button', { name: 'Save' }).click()
    assert.equal(await page.getByRole('status').innerText(), 'Saved.')

    await nav('Audit log')
    assert.match(await page.locator('tbody').innerText(), /person:admin\s+update\s+client_type/, 'every kind of resource, newest first')
    await accessible()
    await page.getByLabel('Resource type').selectOption('client_type')
    await page.getByLabel('Resource ID').fill(String(type))
    await page.getByRole('button', { name: 'Filter' }).click()
    assert.equal(new URL(page.url()).search, `?resource_type=client_type&resource_id=${type}`)
    const rows = await page.locator('tbody tr').allInnerTexts()
    assert.ok(rows.every((row) => row.includes(`client_type ${type}`)), 'only this client type')
    assert.match(rows[0] ?? '', new RegExp(`person:admin\\s+update\\s+client_type ${type}`), 'newest first: the console\'s change, its actor as recorded')
    assert.ok(rows[0]?.includes('Description from "') === true && rows[0].includes(` to "${description}"`), rows[0])
    // The same entries the API lists with the same filter.
    const listed = await ok('GET', `/portal-api/audit-log?resource_type=client_type&resource_id=${type}`)
    assert.deepEqual(listed.map((entry: { Actor: string; Action: string }) => `${entry.Actor} ${entry.Action}`)[0], 'person:admin update')
    assert.equal(listed.length, rows.length)
    await accessible()

    await page.getByLabel('Resource type').selectOption('')
    await page.getByRole('button', { name: 'Filter' }).click()
    assert.match(await page.getByRole('alert').innerText(), /resource_id needs resource_type: IDs are per kind of resource/)
    assert.equal(await page.getByLabel('Resource ID').getAttribute('aria-invalid'), 'true')
    await accessible()
  })

  it('renders the OpenAPI document for reading, and serves it to a signed-in admin', async () => {
    await signIn('/console/')
    await nav('API reference')
    await accessible()
    const operation = page.getByRole('region', { name: 'PUT /portal-api/oauth-providers/{provider_id}/client-types/{client_type_id}' })
    const body = await operation.getByRole('table', { name: /^Request body \(JSON, required\)/ }).innerText()
    assert.match(body, /GrantType\s+string or array of string/)
    assert.match(await operation.getByRole('table', { name: 'Responses' }).innerText(), /412\s+Precondition Failed/)
    await page.getByRole('navigation', { name: 'Operations' }).getByRole('link', { name: 'GET /portal-api/audit-log' }).click()
    assert.match(await page.getByRole('region', { name: 'GET /portal-api/audit-log' }).innerText(), /resource_type\s+query/)

    const download = await page.request.get(`${service.baseUrl}/console/api/openapi.json`)
    assert.equal(download.status(), 200)
    const document = await download.json() as { paths: Record<string, unknown> }
    assert.deepEqual(document, await ok('GET', '/portal-api/openapi.json'))
    assert.deepEqual(Object.keys(document.paths).filter((path) => path.startsWith('/console')), [], 'console pages are no part of the API')
    const stranger = await fetch(`${service.baseUrl}/console/api/openapi.json`, { redirect: 'manual' })
    assert.equal(stranger.status, 303, 'nobody else gets it')
  })
})
