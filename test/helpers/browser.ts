// Debian's Chromium driven by playwright-core (issue 12 item 4), against the real service started with
// `npm start` on a fresh data directory. Where Chromium is not installed the browser suite is skipped
// with one line, unless PORTAL_TEST_REQUIRE_CHROMIUM=1 (CI, where .ci/run installs it).
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { freePort, startService, type ServiceProcess } from './process.ts'

export const CHROMIUM = process.env.PORTAL_TEST_CHROMIUM ?? '/usr/bin/chromium'
const required = process.env.PORTAL_TEST_REQUIRE_CHROMIUM === '1'

/** false, or why the browser suite is skipped (shown by the test runner). */
export const browserSkip: string | false = fs.existsSync(CHROMIUM) || required
  ? false
  : `Browser suite SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium; CI requires it with PORTAL_TEST_REQUIRE_CHROMIUM=1)`
if (browserSkip !== false) process.stderr.write(`\n*** ${browserSkip} ***\n\n`)

export async function launchChromium (): Promise<Browser> {
  // As root there is no sandbox; the machine's network is closed, so Chromium's own calls are turned off.
  return await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']
  })
}

export interface ConsoleService {
  readonly service: ServiceProcess
  readonly baseUrl: string
  readonly idpOrigin: string
  readonly dataDir: string
  readonly adminToken: string
  readonly adminPassword: string
  close(): Promise<void>
}

/** `npm start` on a fresh data directory, with the embedded IdP on a port of its own. */
export async function startConsoleService (env: Record<string, string> = {}): Promise<ConsoleService> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-console-'))
  const idpPort = await freePort()
  const service = await startService({ PORTAL_DATA_DIR: dataDir, PORTAL_EMBEDDED_IDP_PORT: String(idpPort), ...env })
  return {
    service,
    baseUrl: service.baseUrl,
    idpOrigin: `http://127.0.0.1:${idpPort}`,
    dataDir,
    adminToken: fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim(),
    adminPassword: fs.readFileSync(path.join(dataDir, 'embedded-idp-admin-password'), 'utf8').trim(),
    async close () {
      await service.kill()
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export interface AxeViolation { readonly id: string; readonly impact: string | null; readonly help: string; readonly nodes: ReadonlyArray<{ readonly target: unknown }> }

/**
 * axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA rules). Run
 * through the DevTools protocol, which the page's Content-Security-Policy does not govern.
 */
export async function seriousViolations (page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe
    return (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })).violations
  })
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
}

/** A readable list of violations for an assertion message. */
export function describeViolations (violations: readonly AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact ?? ''}): ${v.help} at ${JSON.stringify(v.nodes.map((node) => node.target))}`).join('\n')
}

/** Signs in at the embedded IdP's page, as a person would, from wherever the browser was sent. */
export async function signInAtIdp (page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** Checks the page now shown with axe, once per path, query, title and state (ids read as :id): a refused form is checked as well as the form. */
export function accessibilityChecker (page: () => Page): (state?: string) => Promise<void> {
  const visited = new Set<string>()
  return async (state = '') => {
    const url = new URL(page().url())
    const key = `${url.pathname}${url.search} ${await page().title()} ${state}`.replace(/\d+/g, ':id')
    if (visited.has(key)) return
    visited.add(key)
    const violations = await seriousViolations(page())
    if (violations.length > 0) throw new Error(`${key}: axe finds serious or critical violations:\n${describeViolations(violations)}`)
  }
}

/** A named step of a flow: a failure says which step (the steps build on each other, so they are one test). */
export async function step (name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`, { cause: error })
  }
}

/** `/portal-api` with the admin token, as a script would set up what a test does not drive in pages. */
export async function adminApi (service: ConsoleService, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers = { authorization: service.adminToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }
  const answer = await fetch(`${service.baseUrl}/portal-api${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: answer.status, body: await answer.json() }
}

/** Where `npm run screenshots` wants the pages (README's screenshots); undefined in a test run. */
export const SCREENSHOTS_DIR = process.env.PORTAL_SCREENSHOTS_DIR

export async function screenshot (page: Page, name: string): Promise<void> {
  if (SCREENSHOTS_DIR === undefined) return
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: false })
}
