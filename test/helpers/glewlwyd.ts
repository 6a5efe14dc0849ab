// Glewlwyd 2.7.5, an independently written OpenID provider (Debian's package), on 127.0.0.1 for the
// Glewlwyd suite: configured by scripts/glewlwyd/setup.sh in a fresh directory, started and stopped here.
// Where it is not installed the suite is skipped with one line, unless PORTAL_TEST_REQUIRE_GLEWLWYD=1 (CI).
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './process.ts'

const SETUP = fileURLToPath(new URL('../../scripts/glewlwyd/setup.sh', import.meta.url))
const installed = spawnSync('sh', ['-c', 'command -v glewlwyd'], { encoding: 'utf8' }).status === 0
const required = process.env.PORTAL_TEST_REQUIRE_GLEWLWYD === '1'

/** false, or why the Glewlwyd suite is skipped (shown by the test runner). */
export const glewlwydSkip: string | false = installed || required
  ? false
  : 'Glewlwyd suite SKIPPED: glewlwyd is not installed (scripts/glewlwyd/install.sh installs it; CI requires it with PORTAL_TEST_REQUIRE_GLEWLWYD=1)'
if (glewlwydSkip !== false) process.stderr.write(`\n*** ${glewlwydSkip} ***\n\n`)

/** The plugin instances setup.sh creates. */
export type GlewlwydInstance = 'managed' | 'register-only' | 'expiring'

export interface TokenAnswer {
  readonly status: number
  readonly body: Record<string, unknown> | undefined
}

export interface Glewlwyd {
  readonly origin: string
  wellKnownUrl(instance: GlewlwydInstance): string
  /** A client_credentials token of the bootstrap client with the registration scope: Glewlwyd's initial access token. */
  initialAccessToken(instance: GlewlwydInstance): Promise<string>
  /** A client_credentials token request with client_secret_basic; never throws on a refusal. */
  clientCredentials(instance: GlewlwydInstance, clientId: string, secret: string, scope: string): Promise<TokenAnswer>
  /** The client as Glewlwyd's admin API shows it, undefined when it has none. */
  adminClient(clientId: string): Promise<Record<string, unknown> | undefined>
  close(): Promise<void>
}

export async function startGlewlwyd (): Promise<Glewlwyd> {
  if (!installed) throw new Error('PORTAL_TEST_REQUIRE_GLEWLWYD=1 but glewlwyd is not installed: run scripts/glewlwyd/install.sh')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-glewlwyd-'))
  const port = await freePort()
  const setup = spawnSync('bash', [SETUP, dir, String(port)], { encoding: 'utf8' })
  if (setup.status !== 0) throw new Error(`scripts/glewlwyd/setup.sh failed:\n${setup.stdout}${setup.stderr}`)
  const env = Object.fromEntries(fs.readFileSync(path.join(dir, 'portal.env'), 'utf8').split('\n').filter(Boolean).map((line) => line.split('=', 2) as [string, string]))
  const origin = env.GLEWLWYD_ORIGIN!
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

  const child = spawn('glewlwyd', [`--config-file=${env.GLEWLWYD_CONFIG!}`], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => { output += String(chunk) })
  child.stderr.on('data', (chunk) => { output += String(chunk) })
  const exited = once(child, 'exit')
  const wellKnownUrl = (instance: GlewlwydInstance) => `${origin}/api/${instance}/.well-known/openid-configuration`
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`glewlwyd exited with ${child.exitCode}:\n${output}`)
    if (await fetch(wellKnownUrl('managed')).then((r) => r.ok, () => false)) break
    if (attempt > 100) throw new Error(`glewlwyd did not answer on ${origin}:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }

  // The admin API answers a session cookie (API.md, "Authenticate a user with password").
  const login = await fetch(`${origin}/api/auth/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'password' }) })
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''

  const clientCredentials = async (instance: GlewlwydInstance, clientId: string, secret: string, scope: string): Promise<TokenAnswer> => {
    const response = await fetch(`${origin}/api/${instance}/token`, {
      method: 'POST',
      headers: { authorization: basic(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope })
    })
    const text = await response.text()
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) as Record<string, unknown> }
  }

  return {
    origin,
    wellKnownUrl,
    async initialAccessToken (instance) {
      const answer = await clientCredentials(instance, env.GLEWLWYD_BOOTSTRAP_CLIENT_ID!, env.GLEWLWYD_BOOTSTRAP_CLIENT_SECRET!, env.GLEWLWYD_IAT_SCOPE!)
      if (answer.status !== 200 || typeof answer.body?.access_token !== 'string') throw new Error(`no initial access token from ${instance}: ${answer.status}`)
      return answer.body.access_token
    },
    clientCredentials,
    async adminClient (clientId) {
      const response = await fetch(`${origin}/api/client/${encodeURIComponent(clientId)}`, { headers: { cookie } })
      if (response.status === 404) return undefined
      if (!response.ok) throw new Error(`Glewlwyd admin API: GET /api/client/${clientId} answered ${response.status}`)
      return await response.json() as Record<string, unknown>
    },
    async close () {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
