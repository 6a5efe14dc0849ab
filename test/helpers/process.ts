// Runs the real service entry (`npm start`, or `node bin/portal-service.js`) as a child process in its
// own process group.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { sql, type Kysely } from 'kysely'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** True when nothing listens on the port: binding it succeeds. */
export async function portIsFree (port: number): Promise<boolean> {
  const server = net.createServer()
  return await new Promise((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** Polls `condition` every 50 ms, at most about `boundMs` long; false when it never held (a bound, not a measurement). */
export async function eventually (condition: () => boolean | Promise<boolean>, boundMs = 5_000): Promise<boolean> {
  for (let attempt = 0; attempt <= boundMs / 50; attempt++) {
    if (await condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

/** `npm start` (what the README says), or the node process alone (what a supervisor may run). */
export type Entry = 'npm start' | 'node'

// The service processes run under the tests' network guard too; npm's update check stays off.
const GUARDED = {
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${new URL('../network-guard.mjs', import.meta.url).href}`.trim(),
  npm_config_update_notifier: 'false'
}

export function spawnEntry (entry: Entry, env: Record<string, string>): ChildProcess {
  const [command, args] = entry === 'npm start' ? ['npm', ['start', '--silent']] : [process.execPath, ['bin/portal-service.js']]
  return spawn(command, args, { cwd: ROOT, env: { ...process.env, ...GUARDED, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
}

export interface ServiceProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly baseUrl: string
  /** Resolves with the exit code (null when ended by a signal). */
  readonly exited: Promise<number | null>
  /** All it wrote to stderr and stdout so far. */
  output(): string
  /** SIGKILL the whole process group (npm, tsx and node): no shutdown code runs. */
  kill(): Promise<void>
}

export async function startService (env: Record<string, string>, timeoutMs = 20_000, entry: Entry = 'npm start'): Promise<ServiceProcess> {
  // A caller that needs the port before the start (a redirect URI registered elsewhere) names it.
  const port = env.PORTAL_PORT === undefined ? await freePort() : Number(env.PORTAL_PORT)
  const child = spawnEntry(entry, { PORTAL_PORT: String(port), PORTAL_LOG_LEVEL: 'warn', ...env })
  let output = ''
  child.stdout?.on('data', (chunk) => { output += String(chunk) })
  child.stderr?.on('data', (chunk) => { output += String(chunk) })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const service: ServiceProcess = {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    exited,
    output: () => output,
    async kill () {
      // The whole group, even when npm already ended: a node it left behind must not outlive the test.
      try { process.kill(-child.pid!, 'SIGKILL') } catch { /* the group is gone */ }
      await exited
    }
  }
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${output}`)
    const ready = await fetch(`${service.baseUrl}/ready`).then((r) => r.status === 200, () => false)
    if (ready) return service
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await service.kill()
  throw new Error(`service not ready after ${timeoutMs} ms:\n${output}`)
}

export interface ServiceAnswer { readonly status: number; readonly body: any }

/** One admin API call to a running service process, the body parsed JSON (undefined when empty). */
export async function callService (service: ServiceProcess, token: string, method: string, url: string, body?: unknown): Promise<ServiceAnswer> {
  const response = await fetch(`${service.baseUrl}${url}`, {
    method,
    headers: { authorization: token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

/** As callService, asserting a 200 or 201; its body. */
export async function okService (service: ServiceProcess, token: string, method: string, url: string, body?: unknown): Promise<any> {
  const reply = await callService(service, token, method, url, body)
  if (reply.status !== 200 && reply.status !== 201) throw new Error(`${method} ${url}: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

/** PORTAL_DATABASE_URL for service processes that share this open PostgreSQL database's schema. */
export async function sameSchemaUrl (database: { db: Kysely<any> }, postgresUrl: string): Promise<string> {
  const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]!.schema
  const url = new URL(postgresUrl)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.href
}
