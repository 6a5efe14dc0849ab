// Scale-out run (issue 14 item 7): approvals per second with 1, 2 and 4 service processes on one PostgreSQL.
//
// How to run:   npm run bench:scale                          (builds first; needs PostgreSQL)
// Options:      --processes 1,2,4   --approvals 200   --concurrency 16   --warmup 32
//               PORTAL_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)
//
// For each N: a fresh schema; N real entries (bin/portal-service.js, the production entry, run through its
// own shebang: the node flags of `npm start`), started one after the other so that only the first migrates.
// The first also runs the embedded IdP and connects it (POST /oauth-providers/embedded): the provider is a
// row, so the others (PORTAL_EMBEDDED_IDP=false) register at the first's IdP over HTTP like at any IdP.
// Products and the plan are saved on the first, whose IdP learns their scopes. Then M pending access
// requests, one per app (distinct apps: no two approvals wait on one lease), are approved by this client
// round-robin over the N processes, `concurrency` at a time, after a discarded warm-up. Beside it, in the
// same run, the same IdP takes M raw RFC 7591 registrations at the same concurrency: the ratio is the point.
// Prints a table and writes bench/scale-out.json (bench/results.json belongs to npm run bench, which
// rewrites it whole).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { freePort, killGroup, positive } from './processes.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const ENTRY = path.join(ROOT, 'bin', 'portal-service.js')
const OUTPUT_FILE = path.join(ROOT, 'bench', 'scale-out.json')
const POSTGRES_URL = process.env.PORTAL_BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test'
const TOKEN = randomBytes(24).toString('base64url')
const SECRET_KEYS = `scale:${randomBytes(32).toString('base64')}` // every process opens what another sealed
const WATCHDOG_MS = 15 * 60_000

const { values: args } = parseArgs({
  options: {
    processes: { type: 'string', default: '1,2,4' },
    approvals: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '32' }
  }
})
const options = {
  processes: String(args.processes).split(',').map((n) => positive('processes', n, 16)),
  approvals: positive('approvals', String(args.approvals), 10_000),
  concurrency: positive('concurrency', String(args.concurrency), 256),
  warmup: positive('warmup', String(args.warmup), 1000)
}

// ---------------------------------------------------------------------------------------------------
// Service processes: each in its own process group, all killed on any way out.

interface Service {
  readonly child: ChildProcess
  readonly api: string
  readonly dataDir: string
  readonly exited: Promise<number | null>
  output(): string
}

const services = new Set<Service>()
process.on('exit', () => { for (const service of services) killGroup(service.child) })
process.once('SIGINT', () => process.exit(130))
setTimeout(() => {
  process.stderr.write(`scale-out: watchdog: still running after ${WATCHDOG_MS / 60_000} min, giving up\n`)
  process.exit(2)
}, WATCHDOG_MS).unref()

async function startService (env: Record<string, string>): Promise<Service> {
  const port = await freePort()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-scale-'))
  // None of the caller's PORTAL_* settings leak in; node first on PATH for the entry's `env -S node` shebang.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PORTAL_') && key !== 'NODE_OPTIONS'))
  const child = spawn(ENTRY, [], {
    cwd: ROOT,
    env: { ...inherited, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`, PORTAL_HOST: '127.0.0.1', PORTAL_PORT: String(port), PORTAL_DATA_DIR: dataDir, PORTAL_LOG_LEVEL: 'warn', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const keep = (chunk: Buffer) => { output = (output + String(chunk)).slice(-8000) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const service: Service = { child, api: `http://127.0.0.1:${port}/portal-api`, dataDir, exited, output: () => output }
  services.add(service)
  for (let attempt = 0; attempt < 600; attempt++) { // 50 ms apart: at most ~30 s
    if (child.exitCode !== null) throw new Error(`${ENTRY} exited with ${child.exitCode}\n${output}`)
    if (await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false)) return service
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${ENTRY} not ready after 30 s\n${output}`)
}

async function stopService (service: Service): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) {
    service.child.kill('SIGTERM')
    const timer = setTimeout(() => killGroup(service.child), 15_000)
    await service.exited
    clearTimeout(timer)
  }
  services.delete(service)
  fs.rmSync(service.dataDir, { recursive: true, force: true })
}

/** CPU seconds (user + system) of a process, from /proc (Linux; USER_HZ 100). */
function cpuSeconds (pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

// ---------------------------------------------------------------------------------------------------
// Calls and load.

async function send (method: string, url: string, body?: unknown, authorization = TOKEN): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000)
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) as unknown }
}

/** The answer's body, asserting a 200 or 201: every resource used here answers at least its ID. */
async function ok<T = { ID: number }> (method: string, url: string, body?: unknown): Promise<T> {
  const answer = await send(method, url, body)
  if (answer.status !== 200 && answer.status !== 201) throw new Error(`${method} ${url}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
  return answer.body as T
}

interface Burst { readonly perSecond: number; readonly p50: number; readonly p99: number; readonly failures: string[] }

/** Runs jobs(0 … count-1), `concurrency` at a time; the rate over the whole burst and each job's latency. */
async function burst (count: number, job: (index: number) => Promise<number>): Promise<Burst> {
  const latencies: number[] = []
  const failures: string[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, async () => {
    while (next < count) {
      const index = next++
      const began = performance.now()
      const status = await job(index).catch((error: unknown) => { failures.push(String(error)); return 0 })
      if (status === 200 || status === 201) latencies.push(performance.now() - began)
      else if (status !== 0) failures.push(`job ${index}: ${status}`)
    }
  }))
  const seconds = (performance.now() - started) / 1000
  return { perSecond: round(latencies.length / seconds, 1), p50: round(percentile(latencies, 0.5), 1), p99: round(percentile(latencies, 0.99), 1), failures }
}

// ---------------------------------------------------------------------------------------------------
// One N.

interface Measured {
  readonly processes: number
  readonly approvals: Burst
  readonly raw: Burst
  readonly ratio: number
  /** CPU of all service processes during the approvals, in % of one core (the first also runs the IdP). */
  readonly serviceCpuPercent: number
  readonly credentials: number
}

async function admin (statement: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 })
  await client.connect()
  try { return (await client.query<Record<string, unknown>>(statement)).rows } finally { await client.end() }
}

async function measure (processes: number): Promise<Measured> {
  const schema = `scale_${process.pid}_${processes}`
  await admin(`create schema ${schema}`)
  const url = new URL(POSTGRES_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  const shared = { PORTAL_DATABASE_URL: url.href, PORTAL_ADMIN_TOKEN: TOKEN, PORTAL_SECRET_KEYS: SECRET_KEYS }
  const running: Service[] = []
  try {
    process.stderr.write(`\n== ${processes} process${processes === 1 ? '' : 'es'} ==\n  starting … `)
    running.push(await startService({ ...shared, PORTAL_EMBEDDED_IDP: 'true', PORTAL_EMBEDDED_IDP_PORT: String(await freePort()) }))
    for (let i = 1; i < processes; i++) running.push(await startService({ ...shared, PORTAL_EMBEDDED_IDP: 'false' }))
    const first = running[0]!.api
    const provider = await ok<{ ID: number; WellKnownURL: string; ClientTypes: Array<{ ID: number; Name: string }> }>('POST', `${first}/oauth-providers/embedded`)
    const typeId = provider.ClientTypes.find((type) => type.Name === 'Machine to machine')!.ID
    const product = await ok('POST', `${first}/products`, { Name: 'scale product', DCREnabled: true, Scopes: 'scale' })
    await ok('POST', `${first}/products/${product.ID}/client_types`, { ID: typeId })
    const plan = await ok('POST', `${first}/plans`, { Name: 'scale plan', ProviderID: provider.ID, JWTScope: 'scale-plan' })

    // One pending request per app, created through the API spread over the processes.
    const total = options.warmup + options.approvals
    process.stderr.write(`creating ${total} apps with a pending access request each … `)
    const requestIds = new Array<number>(total)
    const created = await burst(total, async (i) => {
      const api = running[i % processes]!.api
      const app = await ok('POST', `${api}/apps`, { Name: `scale app ${i}` })
      requestIds[i] = (await ok('PUT', `${api}/apps/${app.ID}/provision`, { PlanID: plan.ID, ProductIDs: [product.ID], DCRTemplateID: typeId })).ID
      return 200
    })
    if (created.failures.length > 0) throw new Error(`creating access requests failed: ${created.failures.slice(0, 3).join('; ')}`)
    process.stderr.write('done\n')

    const approve = (offset: number) => async (i: number) =>
      (await send('PUT', `${running[i % processes]!.api}/access_requests/${requestIds[offset + i]}/approve`)).status
    const registrationEndpoint = (await (await fetch(provider.WellKnownURL)).json() as { registration_endpoint: string }).registration_endpoint
    const initialAccessToken = fs.readFileSync(path.join(running[0]!.dataDir, 'embedded-idp-initial-access-token'), 'utf8').trim()
    const raw = (label: string) => async (i: number) => {
      const response = await fetch(registrationEndpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${initialAccessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: `raw ${label} ${i} [scale]`, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', scope: 'scale scale-plan' })
      })
      await response.text()
      return response.status
    }

    process.stderr.write(`  warm-up: ${options.warmup} approvals and ${options.warmup} raw registrations (discarded) … `)
    const warm = [await burst(options.warmup, approve(0)), await burst(options.warmup, raw('warm-up'))]
    const warmFailures = warm.flatMap((b) => b.failures)
    if (warmFailures.length > 0) throw new Error(`warm-up failed: ${warmFailures.slice(0, 3).join('; ')}`)
    process.stderr.write('done\n')

    const pids = running.map((service) => service.child.pid)
    const cpuBefore = pids.map(cpuSeconds)
    const wallBefore = performance.now()
    const approvals = await burst(options.approvals, approve(options.warmup))
    const wall = (performance.now() - wallBefore) / 1000
    const serviceCpuPercent = Math.round(pids.reduce<number>((sum, pid, i) => sum + cpuSeconds(pid) - (cpuBefore[i] ?? Number.NaN), 0) / wall * 100)
    const rawBurst = await burst(options.approvals, raw('measured'))
    const credentials = Number((await admin(`select count(*) as n from ${schema}.credentials`))[0]?.n)
    const ratio = round(approvals.perSecond / rawBurst.perSecond, 2)
    process.stderr.write(`  approvals ${approvals.perSecond}/s (p50 ${approvals.p50} ms, p99 ${approvals.p99} ms), raw registrations ${rawBurst.perSecond}/s: ratio ${ratio}; ` +
      `service CPU ${serviceCpuPercent}% of one core; ${credentials} credentials stored${approvals.failures.length + rawBurst.failures.length > 0 ? `; FAILURES: ${[...approvals.failures, ...rawBurst.failures].slice(0, 3).join('; ')}` : ''}\n`)
    return { processes, approvals, raw: rawBurst, ratio, serviceCpuPercent, credentials }
  } catch (error) {
    for (const service of running) process.stderr.write(`\n--- process ${service.child.pid} output ---\n${service.output()}\n`)
    throw error
  } finally {
    for (const service of running) await stopService(service)
    await admin(`drop schema if exists ${schema} cascade`)
  }
}

// ---------------------------------------------------------------------------------------------------

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits
function percentile (values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!
}

function printTable (results: readonly Measured[]): string {
  const header = ['processes', 'approvals/s', 'p50 ms', 'p99 ms', 'raw registrations/s', 'ratio', 'service CPU % of a core', 'failures']
  const cells = results.map((r) => [String(r.processes), String(r.approvals.perSecond), String(r.approvals.p50), String(r.approvals.p99), String(r.raw.perSecond), r.ratio.toFixed(2),
    String(r.serviceCpuPercent), String(r.approvals.failures.length + r.raw.failures.length + (r.credentials === options.warmup + options.approvals ? 0 : 1))])
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)))
  const line = (values: readonly string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.map(line)].join('\n')
}

async function main (): Promise<void> {
  const began = Date.now()
  const loadAverageAtStart = os.loadavg()
  try {
    await admin('select 1')
  } catch (error) {
    throw new Error(`no PostgreSQL at ${POSTGRES_URL} (set PORTAL_BENCH_POSTGRES_URL): ${(error as Error).message}`, { cause: error })
  }
  const cpus = os.cpus().length
  process.stderr.write(`scale-out: ${options.approvals} approvals of distinct apps, ${options.concurrency} at a time, round-robin over N processes on one PostgreSQL; ` +
    `${cpus} cores on this machine, shared by the processes, PostgreSQL and this client: ${Math.max(...options.processes)} processes on ${cpus} cores measure contention, not scale\n`)
  const results: Measured[] = []
  for (const processes of options.processes) results.push(await measure(processes))
  const table = printTable(results)
  const load = (averages: number[]) => averages.map((value) => value.toFixed(1)).join(' / ')
  process.stdout.write(`\n${table}\n\n`)
  process.stdout.write(`${cpus} cores; machine load (1 / 5 / 15 min) ${load(loadAverageAtStart)} at the start, ${load(os.loadavg())} at the end. ` +
    'Each process lets 8 IdP calls per provider be in flight (PORTAL_IDP_MAX_CONCURRENT, default); the raw registrations go to the same IdP, in the first process.\n')
  const report = {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - began) / 1000),
    machine: { cpus, model: os.cpus()[0]?.model, memoryGb: round(os.totalmem() / 2 ** 30, 1), node: process.version, loadAverageAtStart, loadAverage: os.loadavg() },
    options,
    table,
    results
  }
  fs.writeFileSync(OUTPUT_FILE, `${JSON.stringify(report, null, 2)}\n`)
  process.stderr.write(`written ${path.relative(process.cwd(), OUTPUT_FILE)} (${report.durationSeconds} s)\n`)
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`scale-out: ${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
