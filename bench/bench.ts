// Benchmark harness (issue 6): where the service stands against the limits of its own stack.
//
// How to run:   npm run bench                 (SQLite; also PostgreSQL when one answers at the default URL or PORTAL_BENCH_POSTGRES_URL)
//               npm run bench -- --profile    (the service child also runs with --cpu-prof into bench/profiles/,
//                                              and the top self-time functions are printed)
// Other options: --only get,put,list,approve,memory,start   --duration 10   --warmup 3   --connections 50
//                --dialects sqlite,postgres (default: both; PostgreSQL only when a server answers)
//                --runs 1 (medians over N runs)     --log-level <level> (default: the service's own, info)
//
// Everything runs on 127.0.0.1, in separate processes running the compiled JavaScript (npm run bench builds first): this parent drives the load with autocannon; the
// service (buildApp from src/app.ts on a real database in a temp dir, seeded by a short-lived child
// first) and a bare Fastify baseline (the framework ceiling, same routes, JSON from memory) are children.
// Each measurement is a warm-up (discarded) followed by a measured run, side by side in the same run:
//   1. GET  /portal-api/oauth-providers/:p/client-types/:id     vs the bare GET: req/s ratio, p50/p99
//   2. PUT  the same client type with the seed body (a durable commit) vs a bare PUT that echoes: req/s ratio;
//      on SQLite, then 2 000 PUTs under strace: fsync and fdatasync calls per PUT (group commit shares them)
//   3. GET  …/client-types?per_page=20 at the middle page of a provider with 100 000 rows vs one with 100:
//      p50 latency ratio
//   4. approve an access request (registration at the embedded IdP included) vs a raw RFC 7591 POST to the
//      same IdP with the same metadata, one at a time, interleaved: p50 latency ratio (its own service child,
//      with the embedded IdP, so that the RSS measured under load stays the service's alone); then 200
//      approvals of distinct requests, 16 at a time, vs 200 raw registrations, 16 at a time: rate ratio
//   5. peak RSS of the service child under the load above (50 connections), and the time from spawning
//      `node dist/src/main.js` (npm start) on a fresh data dir to GET /ready answering 200 (median of 3)
// Every server child (service and bare baseline alike) runs with the node flags of `npm start` (package.json).
// It prints a table (metric, ours, baseline, ratio, target, met?) and the machine's load, and writes
// bench/results.json: every row with its target and whether it was met, the load at start and end.
// Numbers are absolute on a shared machine and noisy; the ratios, measured side by side, are the point.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import autocannon, { type Result } from 'autocannon'
import pg from 'pg'
import { formatTop } from './profile-top.ts'
import type { ChildMessage, SeedIds } from './service.ts'
import { freePort, killGroup, positive } from './processes.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const PROFILE_DIR = path.join(ROOT, 'bench', 'profiles')
const RESULTS_FILE = path.join(ROOT, 'bench', 'results.json')
const PHASES = ['get', 'put', 'list', 'approve', 'memory', 'start'] as const
type Phase = (typeof PHASES)[number]
type DialectName = 'sqlite' | 'postgres'

const SEED_PUT_BODY = JSON.stringify({
  Name: 'Server-side application',
  ResponseTypes: 'code,token',
  GrantType: 'authorization_code,refresh_token,password',
  Description: "Use this client configuration to create server-side applications that don't act on behalf of end-users",
  TokenEndpointAuthMethod: 'client_secret_basic',
  OktaAppType: 'web'
})
/** The node flags and environment `npm start` gives the service (package.json): every server child here runs with them too. */
const { flags: NODE_FLAGS, env: START_ENV } = startCommand()
const TARGETS = { getRatio: 0.70, putRatio: 0.40, listRatio: 1.5, approveRatio: 1.5, approveThroughputRatio: 0.7, rssMb: 150, startMs: 1000 } as const
const APPROVALS = 100
/** Item 4's throughput: this many distinct approvals, this many at a time, against as many raw registrations. */
const THROUGHPUT = { requests: 200, concurrency: 16 } as const
const START_RUNS = 3
const WATCHDOG_MS = 30 * 60_000

const { values: args } = parseArgs({
  options: {
    profile: { type: 'boolean', default: false },
    only: { type: 'string', default: PHASES.join(',') },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    runs: { type: 'string', default: '1' },
    'log-level': { type: 'string' },
    dialects: { type: 'string', default: 'sqlite,postgres' }
  }
})
const options = {
  profile: args.profile === true,
  phases: new Set(String(args.only).split(',').map((phase) => {
    if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`--only takes ${PHASES.join(',')}; got ${phase}`)
    return phase as Phase
  })),
  duration: positive('duration', String(args.duration), 600),
  warmup: positive('warmup', String(args.warmup), 600),
  connections: positive('connections', String(args.connections), 1000),
  runs: positive('runs', String(args.runs), 9),
  logLevel: args['log-level'],
  dialects: new Set(String(args.dialects).split(',').map((name) => {
    if (name !== 'sqlite' && name !== 'postgres') throw new Error(`--dialects takes sqlite,postgres; got ${name}`)
    return name
  }))
}

function startCommand (): { readonly flags: string[]; readonly env: Record<string, string> } {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  const match = /\benv((?:\s+[A-Z_]+=\S+)*)\s+node((?:\s+--\S+)*)\s+bin\//.exec(start)
  if (match === null) throw new Error(`package.json's start script does not run "env [NAME=value…] node [flags] bin/…": ${start}`)
  const words = (text: string) => text.split(/\s+/).filter((word) => word !== '')
  return { flags: words(match[2]!), env: Object.fromEntries(words(match[1]!).map((assignment) => assignment.split('=', 2) as [string, string])) }
}

// ---------------------------------------------------------------------------------------------------
// Child processes: every one is registered, and killed (its whole process group) on any way out.

const children = new Set<ChildProcess>()

process.on('exit', () => { for (const child of children) killGroup(child) })
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping every child\n`)
    process.exit(130)
  })
}
setTimeout(() => {
  process.stderr.write(`bench: watchdog: still running after ${WATCHDOG_MS / 60_000} min, giving up\n`)
  process.exit(2)
}, WATCHDOG_MS).unref()

interface Spawned {
  readonly child: ChildProcess
  readonly stderr: () => string
  readonly exited: Promise<number | null>
}

function spawnNode (script: string, scriptArgs: readonly string[], env: NodeJS.ProcessEnv, execArgv: readonly string[] = [], ipc = true): Spawned {
  // Compiled JavaScript (npm run build), as in production: no TypeScript loader in the measured processes.
  const child = spawn(process.execPath, [...NODE_FLAGS, ...execArgv, script, ...scriptArgs], {
    cwd: ROOT,
    env,
    detached: true, // its own process group, killed as one
    stdio: ['ignore', 'ignore', 'pipe', ...(ipc ? ['ipc' as const] : [])]
  })
  children.add(child)
  let stderr = ''
  child.stderr?.on('data', (chunk) => { stderr = (stderr + String(chunk)).slice(-8000) })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { children.delete(child); resolve(code) }))
  return { child, stderr: () => stderr, exited }
}

async function receive<T extends ChildMessage['type'] | 'listening'> (spawned: Spawned, type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" from child after ${timeoutMs} ms\n${spawned.stderr()}`)), timeoutMs)
    spawned.child.on('message', (message: ChildMessage) => {
      if (message.type === type) { clearTimeout(timer); resolve(message as Extract<ChildMessage, { type: T }>) }
    })
    void spawned.exited.then((code) => { clearTimeout(timer); reject(new Error(`child exited with ${code} before "${type}"\n${spawned.stderr()}`)) })
  })
}

/** Asks for a clean exit (so that --cpu-prof writes its profile); kills after a grace period. */
async function stop (spawned: Spawned, graceMs = 15_000): Promise<void> {
  if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) return
  if (spawned.child.connected) spawned.child.send({ type: 'stop' })
  else spawned.child.kill('SIGTERM')
  const timer = setTimeout(() => killGroup(spawned.child), graceMs)
  await spawned.exited
  clearTimeout(timer)
}

function childEnv (extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  // None of the caller's PORTAL_* settings leak in: the benchmark decides the configuration.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PORTAL_') && key !== 'NODE_OPTIONS'))
  for (const [key, value] of Object.entries({ ...START_ENV, ...extra })) if (value !== undefined) env[key] = value
  return env
}

// ---------------------------------------------------------------------------------------------------
// Sampling a child from outside: RSS and CPU time from /proc (Linux).

const CLOCK_TICKS = 100 // USER_HZ on Linux

function readRssMb (pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? undefined : Number(match[1]) / 1024
  } catch {
    return undefined
  }
}

function readCpuSeconds (pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS // utime + stime
  } catch {
    return undefined
  }
}

class RssSampler {
  peakMb: number | undefined
  private readonly timer: NodeJS.Timeout
  constructor (private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 200)
    this.sample()
  }

  sample (): void {
    const rss = readRssMb(this.pid)
    if (rss !== undefined) this.peakMb = Math.max(this.peakMb ?? 0, rss)
  }

  stop (): number | undefined {
    clearInterval(this.timer)
    this.sample()
    return this.peakMb
  }
}

// ---------------------------------------------------------------------------------------------------
// Load.

interface Target {
  readonly url: string
  readonly method: 'GET' | 'PUT'
  readonly headers: Record<string, string>
  readonly body?: string
}

interface LoadResult {
  readonly rps: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly meanMs: number
  readonly requests: number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
  /** CPU of the process under load, in % of one core. */
  readonly serverCpuPercent: number | undefined
  /** CPU of this process (autocannon), in % of one core. */
  readonly loadGeneratorCpuPercent: number
  readonly peakRssMb: number | undefined
}

async function load (label: string, target: Target, serverPid: number): Promise<LoadResult> {
  const base = { url: target.url, method: target.method, headers: target.headers, connections: options.connections, ...(target.body === undefined ? {} : { body: target.body }) }
  process.stderr.write(`  ${label}: warm-up ${options.warmup} s, measure ${options.duration} s … `)
  await autocannon({ ...base, duration: options.warmup })
  const rss = new RssSampler(serverPid)
  const cpuBefore = readCpuSeconds(serverPid)
  const selfBefore = process.cpuUsage()
  const wallBefore = performance.now()
  const result: Result = await autocannon({ ...base, duration: options.duration })
  const wallSeconds = (performance.now() - wallBefore) / 1000
  const cpuAfter = readCpuSeconds(serverPid)
  const self = process.cpuUsage(selfBefore)
  const peakRssMb = rss.stop()
  const summary: LoadResult = {
    rps: round(result.requests.total / result.duration, 1),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    meanMs: round(result.latency.mean, 2),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuPercent: cpuBefore === undefined || cpuAfter === undefined ? undefined : round(((cpuAfter - cpuBefore) / wallSeconds) * 100, 0),
    loadGeneratorCpuPercent: round(((self.user + self.system) / 1e6 / wallSeconds) * 100, 0),
    peakRssMb: peakRssMb === undefined ? undefined : round(peakRssMb, 1)
  }
  process.stderr.write(`${summary.rps} req/s, p50 ${summary.p50} ms, p99 ${summary.p99} ms, server CPU ${summary.serverCpuPercent ?? '?'}%` +
    `${summary.non2xx + summary.errors + summary.timeouts > 0 ? `, FAILURES: ${summary.non2xx} non-2xx, ${summary.errors} errors, ${summary.timeouts} timeouts` : ''}\n`)
  return summary
}

const FSYNC_COUNTED_REQUESTS = 2000

/**
 * The fsync and fdatasync calls of `pid` (every thread) while FSYNC_COUNTED_REQUESTS requests run at the
 * load's concurrency, counted by strace attached to it: a count, not a time, so the tracer's slowness does
 * not matter (item 2: an acknowledged write is on disk, so a PUT costs at most one; group commit shares it).
 */
async function fsyncsPerRequest (target: Target, pid: number): Promise<{ requests: number; fsyncs: number } | 'strace missing'> {
  const tracer = spawn('strace', ['-f', '-c', '-e', 'trace=fsync,fdatasync', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  tracer.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<void>((resolve) => { tracer.on('close', () => resolve()) })
  const missing = await new Promise<boolean>((resolve) => {
    tracer.on('error', () => resolve(true))
    const attached = setInterval(() => { if (output.includes('attached')) { clearInterval(attached); resolve(false) } }, 20)
    tracer.on('close', () => { clearInterval(attached); resolve(true) })
  })
  if (missing) return 'strace missing'
  process.stderr.write(`  fsyncs per ${target.method}: ${FSYNC_COUNTED_REQUESTS} requests under strace … `)
  const result = await autocannon({ url: target.url, method: target.method, headers: target.headers, connections: options.connections, amount: FSYNC_COUNTED_REQUESTS, ...(target.body === undefined ? {} : { body: target.body }) })
  tracer.kill('SIGINT')
  await exited
  if (result.non2xx + result.errors > 0) throw new Error(`fsync count: ${result.non2xx} non-2xx and ${result.errors} errors`)
  const fsyncs = [...output.matchAll(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(?:fsync|fdatasync)\s*$/gm)].reduce((sum, match) => sum + Number(match[1]), 0)
  process.stderr.write(`${fsyncs} fsyncs\n`)
  return { requests: result.requests.total, fsyncs }
}

/** Runs task(0 … count - 1), at most `concurrency` at a time. */
async function inParallel (count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++)
  }))
}

/** One request outside the load, to check the setup answers what it should. */
async function call (target: Target): Promise<{ status: number; body: any }> {
  const response = await fetch(target.url, { method: target.method, headers: target.headers, ...(target.body === undefined ? {} : { body: target.body }), signal: AbortSignal.timeout(30_000) })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

async function expectOk (what: string, target: Target, check: (body: any) => boolean = () => true): Promise<any> {
  const { status, body } = await call(target)
  if (status !== 200 || !check(body)) throw new Error(`${what}: unexpected answer ${status} ${JSON.stringify(body)?.slice(0, 500)}`)
  return body
}

// ---------------------------------------------------------------------------------------------------
// Start to ready: spawn the real entry on a fresh data dir and poll GET /ready.

function readyStatus (port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/ready', agent: false, timeout: 1000 }, (response) => {
      response.resume()
      resolve(response.statusCode)
    })
    request.on('timeout', () => { request.destroy(); resolve(undefined) })
    request.on('error', () => resolve(undefined))
  })
}

async function measureStart (env: Record<string, string | undefined>): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-start-'))
  const port = await freePort()
  const started = performance.now()
  const spawned = spawnNode('dist/src/main.js', [], childEnv({ ...env, PORTAL_DATA_DIR: dataDir, PORTAL_HOST: '127.0.0.1', PORTAL_PORT: String(port), PORTAL_EMBEDDED_IDP: 'false', PORTAL_LOG_LEVEL: options.logLevel }), [], false)
  try {
    for (let attempt = 0; attempt < 3000; attempt++) { // 10 ms apart: at most ~30 s, plus the probes
      if (spawned.child.exitCode !== null) throw new Error(`dist/src/main.js exited with ${spawned.child.exitCode}\n${spawned.stderr()}`)
      if (await readyStatus(port) === 200) return Math.round(performance.now() - started)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`dist/src/main.js not ready after 30 s\n${spawned.stderr()}`)
  } finally {
    await stop(spawned, 5000)
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------------
// One dialect.

interface Pair { readonly ours: LoadResult; readonly baseline: LoadResult }
interface RunResult { get?: Pair; put?: Pair; list?: { readonly rows100: LoadResult; readonly rows100000: LoadResult } }
interface DialectResult {
  readonly dialect: DialectName
  seed?: { readonly ids: SeedIds; readonly ms: number }
  readonly runs: RunResult[]
  rss?: { readonly oursPeakMb: number | undefined; readonly baselinePeakMb: number | undefined; readonly idleMb: number | undefined }
  start?: { readonly ms: number[]; readonly medianMs: number; readonly failure?: string }
  approve?: {
    readonly oursMs: number[]
    readonly rawMs: number[]
    readonly oursP50: number
    readonly rawP50: number
    readonly throughput: { readonly approvalsPerSecond: number; readonly rawPerSecond: number; readonly rawRuns: readonly number[] }
  }
  /** SQLite: fsync and fdatasync calls of the service per PUT, counted by strace (PostgreSQL's server flushes, not the service). */
  fsyncsPerPut?: { readonly requests: number; readonly fsyncs: number } | 'strace missing'
  profile?: string
}

interface DialectSetup {
  readonly name: DialectName
  /** Environment of the seed and serve children. */
  readonly env: Record<string, string | undefined>
  /** Environment of one fresh start of src/main.ts (made fresh per start). */
  freshStartEnv(index: number): Promise<Record<string, string | undefined>>
  dropFreshStart(index: number): Promise<void>
  cleanup(): Promise<void>
}

/**
 * Approve (one registration at the embedded IdP each: a new app every time) against a raw RFC 7591 POST of
 * the same metadata to the same IdP, one request at a time, interleaved, after a warm-up of each.
 */
async function measureApprove (setup: DialectSetup): Promise<NonNullable<DialectResult['approve']>> {
  const profile = cpuProfile(`approve-${setup.name}`)
  const service = spawnNode('dist/bench/service.js', ['serve'], childEnv({ ...setup.env, BENCH_EMBEDDED_IDP: '1' }), profile.flags)
  try {
    const listening = await receive(service, 'listening', 60_000)
    if (listening.idp === undefined) throw new Error('the service child did not start the embedded IdP')
    const api = `http://127.0.0.1:${listening.port}/portal-api`
    const headers = { authorization: String(setup.env.PORTAL_ADMIN_TOKEN), 'content-type': 'application/json' }
    const send = async (method: string, url: string, body?: unknown) => {
      const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
      const text = await response.text()
      if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`)
      return text === '' ? undefined : JSON.parse(text)
    }
    // A fresh database holds no provider: one call connects the embedded IdP (README, "The embedded identity provider").
    const provider = await send('POST', `${api}/oauth-providers/embedded`) as { ID: number; ClientTypes: Array<{ ID: number; Name: string }> }
    const providerId = provider.ID
    const typeId = provider.ClientTypes.find((t) => t.Name === 'Machine to machine')!.ID
    const product = await send('POST', `${api}/products`, { Name: 'bench product', DCREnabled: true, Scopes: 'bench' })
    await send('POST', `${api}/products/${product.ID}/client_types`, { ID: typeId })
    const plan = await send('POST', `${api}/plans`, { Name: 'bench plan', ProviderID: providerId, JWTScope: 'bench-plan' })
    const registrationEndpoint = (await (await fetch(listening.idp.wellKnownUrl)).json() as { registration_endpoint: string }).registration_endpoint

    let n = 0
    const approveOnce = async () => {
      n++
      const app = await send('POST', `${api}/apps`, { Name: `bench app ${n}` })
      const provisioned = await send('PUT', `${api}/apps/${app.ID}/provision`, { PlanID: plan.ID, ProductIDs: [product.ID], DCRTemplateID: typeId })
      const started = performance.now()
      await send('PUT', `${api}/access_requests/${provisioned.ID}/approve`)
      return performance.now() - started
    }
    const rawOnce = async () => {
      n++
      const started = performance.now()
      const response = await fetch(registrationEndpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${listening.idp!.initialAccessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: `raw ${n} [bench]`, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', scope: 'bench bench-plan' })
      })
      await response.text()
      if (response.status !== 201) throw new Error(`raw registration answered ${response.status}`)
      return performance.now() - started
    }
    process.stderr.write(`  approve vs raw RFC 7591 POST: ${APPROVALS} each, interleaved … `)
    for (let i = 0; i < 10; i++) { await approveOnce(); await rawOnce() }
    const oursMs: number[] = []
    const rawMs: number[] = []
    for (let i = 0; i < APPROVALS; i++) {
      oursMs.push(await approveOnce())
      rawMs.push(await rawOnce())
    }
    process.stderr.write(`approve p50 ${round(median(oursMs), 2)} ms, raw p50 ${round(median(rawMs), 2)} ms\n`)

    // Throughput (item 4): distinct access requests, provisioned first, approved THROUGHPUT.concurrency at
    // a time, against as many raw registrations as many at a time, raw before and after (the mean of both).
    const { requests, concurrency } = THROUGHPUT
    process.stderr.write(`  throughput: ${requests} approvals vs ${requests} raw registrations, ${concurrency} at a time … `)
    const pending: number[] = []
    await inParallel(requests, concurrency, async () => {
      const app = await send('POST', `${api}/apps`, { Name: `bench app ${++n}` })
      pending.push((await send('PUT', `${api}/apps/${app.ID}/provision`, { PlanID: plan.ID, ProductIDs: [product.ID], DCRTemplateID: typeId })).ID)
    })
    const perSecond = async (task: (i: number) => Promise<unknown>) => {
      const started = performance.now()
      await inParallel(requests, concurrency, task)
      return round(requests / ((performance.now() - started) / 1000), 1)
    }
    const rawBefore = await perSecond(rawOnce)
    const approvals = await perSecond(async (i) => await send('PUT', `${api}/access_requests/${pending[i]}/approve`))
    const rawAfter = await perSecond(rawOnce)
    const throughput = { approvalsPerSecond: approvals, rawPerSecond: round((rawBefore + rawAfter) / 2, 1), rawRuns: [rawBefore, rawAfter] }
    process.stderr.write(`${approvals} approvals/s, raw ${rawBefore} and ${rawAfter}/s\n`)
    return { oursMs: oursMs.map((ms) => round(ms, 2)), rawMs: rawMs.map((ms) => round(ms, 2)), oursP50: median(oursMs), rawP50: median(rawMs), throughput }
  } finally {
    await stop(service)
    profile.report('approve service main thread, whole life (the embedded IdP in it: approvals and raw registrations alike)')
  }
}

/** With --profile: the node flags that make a child write CPU profiles into a directory of its own, and, once it has stopped, its main thread's top functions printed. */
function cpuProfile (label: string): { readonly flags: string[]; report (title: string): string | undefined } {
  if (!options.profile) return { flags: [], report: () => undefined }
  // Under --import tsx the module-hooks thread writes its own profile (default names:
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; the main thread is thread 0).
  const dir = path.join(PROFILE_DIR, `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  fs.mkdirSync(dir, { recursive: true })
  return {
    flags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    report: (title) => {
      const main = fs.readdirSync(dir).find((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name))
      if (main === undefined) {
        process.stderr.write(`  (no main-thread profile in ${dir})\n`)
        return undefined
      }
      process.stderr.write(`\n${title}\n${formatTop(path.join(dir, main), 30)}`)
      return path.relative(ROOT, path.join(dir, main))
    }
  }
}

async function benchDialect (setup: DialectSetup): Promise<DialectResult> {
  const result: DialectResult = { dialect: setup.name, runs: [] }
  const underLoad = (['get', 'put', 'list', 'memory'] as const).some((phase) => options.phases.has(phase))
  process.stderr.write(`\n== ${setup.name} ==\n`)
  // First, while nothing else of ours runs and no seeded schema exists yet.
  if (options.phases.has('start')) {
    const ms: number[] = []
    try {
      for (let i = 0; i < START_RUNS; i++) {
        try {
          ms.push(await measureStart(await setup.freshStartEnv(i)))
        } finally {
          await setup.dropFreshStart(i)
        }
      }
      result.start = { ms, medianMs: median(ms) }
      process.stderr.write(`  start to ready: ${ms.join(', ')} ms\n`)
    } catch (error) {
      result.start = { ms, medianMs: Number.NaN, failure: (error as Error).message }
      process.stderr.write(`  start to ready FAILED: ${(error as Error).message}\n`)
    }
  }
  if (options.phases.has('approve')) {
    try {
      result.approve = await measureApprove(setup)
    } catch (error) {
      process.stderr.write(`  approve FAILED: ${(error as Error).message}\n`)
    }
  }
  if (underLoad) {
    const seeder = spawnNode('dist/bench/service.js', ['seed'], childEnv(setup.env))
    const seeded = await receive(seeder, 'seeded', 10 * 60_000)
    await seeder.exited
    result.seed = { ids: seeded.ids, ms: seeded.ms }
    process.stderr.write(`  seeded ${seeded.ids.smallRows} + ${seeded.ids.largeRows} client types in ${seeded.ms} ms\n`)

    const profile = cpuProfile(`service-${setup.name}`)
    const service = spawnNode('dist/bench/service.js', ['serve'], childEnv(setup.env), profile.flags)
    const servicePort = (await receive(service, 'listening', 60_000)).port
    let baseline: Spawned | undefined
    try {
      const { ids } = seeded
      const headers = { authorization: String(setup.env.PORTAL_ADMIN_TOKEN) }
      const ours = `http://127.0.0.1:${servicePort}/portal-api/oauth-providers`
      const one = `${ours}/${ids.smallProviderId}/client-types/${ids.clientTypeId}`
      const getOne: Target = { url: one, method: 'GET', headers }
      const putOne: Target = { url: one, method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: SEED_PUT_BODY }
      const middle = (rows: number) => Math.ceil(rows / 20 / 2) // 100 rows: page 3 of 5; 100 000: page 2500 of 5000
      const list = (providerId: number, rows: number): Target => ({ url: `${ours}/${providerId}/client-types?per_page=20&page=${middle(rows)}`, method: 'GET', headers })
      const list100 = list(ids.smallProviderId, ids.smallRows)
      const list100k = list(ids.largeProviderId, ids.largeRows)

      // The PUT first, so that the GET and the baseline answer the updated client type.
      await expectOk('PUT client type', putOne, (body) => body?.Name === 'Server-side application')
      const elem = await expectOk('GET client type', getOne, (body) => body?.ID === ids.clientTypeId)
      for (const [target, rows] of [[list100, ids.smallRows], [list100k, ids.largeRows]] as const) {
        const firstId = (middle(rows) - 1) * 20
        await expectOk(`list ${rows} rows`, target, (body) => Array.isArray(body) && body.length === 20 && body[0].ID - body[19].ID === -19 && body[0].ID > firstId - 1)
      }
      const idleMb = readRssMb(service.child.pid!)

      baseline = spawnNode('dist/bench/baseline.js', [], childEnv({ BENCH_BODY: JSON.stringify(elem) }))
      const baselinePort = (await receive(baseline, 'listening', 60_000)).port
      const bare = `http://127.0.0.1:${baselinePort}/portal-api/oauth-providers/${ids.smallProviderId}/client-types/${ids.clientTypeId}`
      const getBare: Target = { ...getOne, url: bare }
      const putBare: Target = { ...putOne, url: bare }
      const bareElem = await expectOk('bare GET', getBare)
      if (JSON.stringify(bareElem) !== JSON.stringify(elem)) throw new Error('the baseline does not answer the same JSON as the service')
      await expectOk('bare PUT', putBare, (body) => body?.Name === 'Server-side application')

      const servicePid = service.child.pid!
      const baselinePid = baseline.child.pid!
      const phases = new Set(options.phases)
      if (phases.has('memory') && !['get', 'put', 'list'].some((phase) => phases.has(phase as Phase))) phases.add('get') // RSS needs load
      for (let run = 1; run <= options.runs; run++) {
        if (options.runs > 1) process.stderr.write(` run ${run} of ${options.runs}\n`)
        const runResult: RunResult = {}
        if (phases.has('get')) runResult.get = { ours: await load('GET ours', getOne, servicePid), baseline: await load('GET bare', getBare, baselinePid) }
        if (phases.has('put')) runResult.put = { ours: await load('PUT ours', putOne, servicePid), baseline: await load('PUT bare', putBare, baselinePid) }
        if (phases.has('list')) runResult.list = { rows100: await load('list, 100 rows', list100, servicePid), rows100000: await load('list, 100 000 rows', list100k, servicePid) }
        result.runs.push(runResult)
      }
      if (phases.has('put') && setup.name === 'sqlite') result.fsyncsPerPut = await fsyncsPerRequest(putOne, servicePid)
      const peak = (pick: (run: RunResult) => Array<LoadResult | undefined>) => {
        const values = result.runs.flatMap(pick).map((load) => load?.peakRssMb).filter((mb): mb is number => mb !== undefined)
        return values.length === 0 ? undefined : Math.max(...values)
      }
      result.rss = {
        oursPeakMb: peak((run) => [run.get?.ours, run.put?.ours, run.list?.rows100, run.list?.rows100000]),
        baselinePeakMb: peak((run) => [run.get?.baseline, run.put?.baseline]),
        idleMb: idleMb === undefined ? undefined : round(idleMb, 1)
      }
    } finally {
      if (baseline !== undefined) await stop(baseline)
      await stop(service)
    }
    result.profile = profile.report('service main thread, whole life (seeded data open, warm-ups and measures; the RSS above includes the profiler)')
  }
  return result
}

function sqliteSetup (token: string): DialectSetup {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'))
  return {
    name: 'sqlite',
    env: { PORTAL_DATABASE_URL: `sqlite:${path.join(dir, 'portal.db')}`, PORTAL_DATA_DIR: dir, PORTAL_ADMIN_TOKEN: token, PORTAL_EMBEDDED_IDP: 'false', PORTAL_LOG_LEVEL: options.logLevel },
    freshStartEnv: async () => ({}), // the default: sqlite:<fresh data dir>/portal.db
    dropFreshStart: async () => { /* measureStart removes the data dir */ },
    cleanup: async () => { fs.rmSync(dir, { recursive: true, force: true }) }
  }
}

function postgresSetup (url: string, token: string): DialectSetup {
  const prefix = `bench_${process.pid}_${randomBytes(3).toString('hex')}`
  const schemas = new Set<string>([prefix])
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
    await client.connect()
    try { await client.query(statement) } finally { await client.end() }
  }
  return {
    name: 'postgres',
    env: { PORTAL_DATABASE_URL: url, BENCH_PG_SCHEMA: prefix, PORTAL_ADMIN_TOKEN: token, PORTAL_EMBEDDED_IDP: 'false', PORTAL_LOG_LEVEL: options.logLevel },
    async freshStartEnv (index) {
      // src/main.ts takes no schema option: a fresh empty schema, named through the URL's search_path.
      const schema = `${prefix}_start${index}`
      schemas.add(schema)
      await admin(`create schema ${schema}`)
      const withPath = new URL(url)
      withPath.searchParams.set('options', `-c search_path=${schema}`)
      return { PORTAL_DATABASE_URL: withPath.toString() }
    },
    async dropFreshStart (index) {
      await admin(`drop schema if exists ${prefix}_start${index} cascade`)
    },
    async cleanup () {
      for (const schema of schemas) await admin(`drop schema if exists ${schema} cascade`)
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The table.

interface Row {
  readonly dialect: DialectName
  readonly metric: string
  readonly ours: string
  readonly baseline: string
  readonly ratio: number | undefined
  readonly target: string
  readonly met: 'yes' | 'NO' | '' | 'n/a' | 'INVALID'
}

function rowsOf (result: DialectResult): Row[] {
  const rows: Row[] = []
  const dialect = result.dialect
  const add = (metric: string, ours: string, baseline: string, ratio: number | undefined, target: string, met: Row['met']) =>
    rows.push({ dialect, metric, ours, baseline, ratio: ratio === undefined ? undefined : round(ratio, 2), target, met })
  const failed = (...loads: LoadResult[]) => loads.some((load) => load.non2xx + load.errors + load.timeouts > 0)
  const judge = (ok: boolean, ...loads: LoadResult[]): Row['met'] => failed(...loads) ? 'INVALID' : ok ? 'yes' : 'NO'
  const med = <T>(pick: (run: RunResult) => T | undefined, value: (item: T) => number) => {
    const values = result.runs.map(pick).filter((item): item is T => item !== undefined).map(value)
    return values.length === 0 ? undefined : median(values)
  }
  const allLoads = (pick: (run: RunResult) => Pair | undefined) => result.runs.map(pick).flatMap((pair) => pair === undefined ? [] : [pair.ours, pair.baseline])
  const pairRows = (name: string, pick: (run: RunResult) => Pair | undefined, target: number) => {
    const ratio = med(pick, (pair) => pair.ours.rps / pair.baseline.rps)
    if (ratio === undefined) return
    const stat = (side: 'ours' | 'baseline', key: 'rps' | 'p50' | 'p99') => med(pick, (pair) => pair[side][key])!
    add(`${name} req/s`, fmt(stat('ours', 'rps')), fmt(stat('baseline', 'rps')), ratio, `≥ ${target.toFixed(2)}`, judge(ratio >= target, ...allLoads(pick)))
    // autocannon records whole milliseconds: a 0 reads "< 1", and then no ratio can be given.
    const ms = (value: number) => value === 0 ? '< 1' : fmt(value)
    const over = (a: number, b: number) => b === 0 ? undefined : a / b
    add(`${name} p50 latency ms (ours/bare)`, ms(stat('ours', 'p50')), ms(stat('baseline', 'p50')), over(stat('ours', 'p50'), stat('baseline', 'p50')), '', '')
    add(`${name} p99 latency ms (ours/bare)`, ms(stat('ours', 'p99')), ms(stat('baseline', 'p99')), over(stat('ours', 'p99'), stat('baseline', 'p99')), '', '')
  }
  pairRows('1. GET client type', (run) => run.get, TARGETS.getRatio)
  pairRows('2. PUT client type (durable commit)', (run) => run.put, TARGETS.putRatio)
  if (result.fsyncsPerPut === 'strace missing') add('2. PUT fsyncs per request', 'not counted: strace missing', '', undefined, '(reported)', '')
  else if (result.fsyncsPerPut !== undefined) {
    const { requests, fsyncs } = result.fsyncsPerPut
    add(`2. PUT fsyncs per request (strace: ${fsyncs} in ${fmt(requests)} PUTs, ${options.connections} at a time)`, (fsyncs / requests).toFixed(3), '', undefined, '(reported)', '')
  }
  const list = (run: RunResult) => run.list
  const listRatio = med(list, (pair) => pair.rows100000.p50 / pair.rows100.p50)
  if (listRatio !== undefined) {
    const listLoads = result.runs.flatMap((run) => run.list === undefined ? [] : [run.list.rows100, run.list.rows100000])
    add('3. list p50 ms: 100 000 rows (ours) vs 100 rows (baseline)', fmt(med(list, (pair) => pair.rows100000.p50)!), fmt(med(list, (pair) => pair.rows100.p50)!), listRatio, `≤ ${TARGETS.listRatio}`, judge(listRatio <= TARGETS.listRatio, ...listLoads))
    add('3. list p99 ms: 100 000 rows vs 100 rows', fmt(med(list, (pair) => pair.rows100000.p99)!), fmt(med(list, (pair) => pair.rows100.p99)!), med(list, (pair) => pair.rows100000.p99 / pair.rows100.p99), '', '')
    add('3. list req/s: 100 000 rows vs 100 rows', fmt(med(list, (pair) => pair.rows100000.rps)!), fmt(med(list, (pair) => pair.rows100.rps)!), med(list, (pair) => pair.rows100000.rps / pair.rows100.rps), '', '')
  }
  if (result.approve !== undefined) {
    const { oursP50, rawP50, oursMs } = result.approve
    const ratio = oursP50 / rawP50
    add(`4. approve p50 ms vs raw RFC 7591 POST (${oursMs.length} each)`, fmt(round(oursP50, 2)), fmt(round(rawP50, 2)), ratio, `≤ ${TARGETS.approveRatio}`, ratio <= TARGETS.approveRatio ? 'yes' : 'NO')
    const { approvalsPerSecond, rawPerSecond } = result.approve.throughput
    const rates = approvalsPerSecond / rawPerSecond
    add(`4. approvals/s vs raw registrations/s (${THROUGHPUT.requests} each, ${THROUGHPUT.concurrency} at a time)`, fmt(approvalsPerSecond), fmt(rawPerSecond), rates, `≥ ${TARGETS.approveThroughputRatio}`, rates >= TARGETS.approveThroughputRatio ? 'yes' : 'NO')
  }
  if (result.rss !== undefined) {
    const { oursPeakMb, baselinePeakMb, idleMb } = result.rss
    add(`5. peak RSS MB under ${options.connections} connections`, oursPeakMb === undefined ? 'unavailable' : fmt(oursPeakMb), baselinePeakMb === undefined ? '' : fmt(baselinePeakMb),
      oursPeakMb !== undefined && baselinePeakMb !== undefined ? oursPeakMb / baselinePeakMb : undefined, `≤ ${TARGETS.rssMb} MB`, oursPeakMb === undefined ? 'n/a' : oursPeakMb <= TARGETS.rssMb ? 'yes' : 'NO')
    add('5. idle RSS MB (started, a few requests answered, before the load)', idleMb === undefined ? 'unavailable' : fmt(idleMb), '', undefined, '(reported)', '')
  }
  if (result.start?.failure !== undefined) {
    add('5. start to ready ms', `failed: ${result.start.failure.split('\n').find((line) => line.includes('Error')) ?? result.start.failure.split('\n')[0]}`, '', undefined, dialect === 'sqlite' ? `≤ ${TARGETS.startMs} ms` : '(target on SQLite)', 'INVALID')
  } else if (result.start !== undefined) {
    const { medianMs, ms } = result.start
    const onSqlite = dialect === 'sqlite'
    add(`5. start to ready ms (median of ${ms.length}: ${ms.join(', ')})`, fmt(medianMs), '', undefined, onSqlite ? `≤ ${TARGETS.startMs} ms` : '(target on SQLite)', onSqlite ? (medianMs <= TARGETS.startMs ? 'yes' : 'NO') : '')
  }
  return rows
}

function printTable (rows: readonly Row[]): string {
  const header = ['dialect', 'metric', 'ours', 'baseline', 'ratio', 'target', 'met?']
  const cells = rows.map((row) => [row.dialect, row.metric, row.ours, row.baseline, row.ratio === undefined ? '' : row.ratio.toFixed(2), row.target, row.met])
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)))
  const line = (values: readonly string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.map(line)].join('\n')
}

// ---------------------------------------------------------------------------------------------------

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits
const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 0 : 1))
function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** Whether a PostgreSQL server accepts a connection at `url` within two seconds. */
async function answers (url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => { /* never connected */ })
  }
}

async function main (): Promise<void> {
  const began = Date.now()
  const loadAverageAtStart = os.loadavg()
  const token = randomBytes(24).toString('base64url')
  const setups: DialectSetup[] = options.dialects.has('sqlite') ? [sqliteSetup(token)] : []
  // Issue 14 item 6: PostgreSQL beside SQLite in the default run whenever a server answers (as npm test does).
  const postgresUrl = !options.dialects.has('postgres') ? undefined : process.env.PORTAL_BENCH_POSTGRES_URL || (await answers(DEFAULT_POSTGRES_URL) ? DEFAULT_POSTGRES_URL : undefined)
  if (postgresUrl !== undefined) setups.push(postgresSetup(postgresUrl, token))
  else if (options.dialects.has('postgres')) process.stderr.write(`PostgreSQL variant skipped: no server at ${DEFAULT_POSTGRES_URL} and PORTAL_BENCH_POSTGRES_URL is not set\n`)

  const results: DialectResult[] = []
  try {
    for (const setup of setups) {
      try {
        results.push(await benchDialect(setup))
      } finally {
        await setup.cleanup()
      }
    }
  } finally {
    for (const child of children) killGroup(child)
  }
  const rows = results.flatMap(rowsOf)
  const table = printTable(rows)
  process.stdout.write(`\n${table}\n\n`)
  const cpu = os.cpus()
  const report = {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - began) / 1000),
    // The load of the whole machine (other processes included) when the run began and ended: 1, 5 and 15 minute averages.
    machine: { cpus: cpu.length, model: cpu[0]?.model, memoryGb: round(os.totalmem() / 2 ** 30, 1), platform: `${os.type()} ${os.release()}`, node: process.version, nodeFlags: NODE_FLAGS, environment: START_ENV, loadAverageAtStart, loadAverage: os.loadavg() },
    options: { ...options, phases: [...options.phases] },
    targets: TARGETS,
    rows,
    table,
    dialects: results
  }
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`)
  const load = (averages: number[]) => averages.map((value) => value.toFixed(1)).join(' / ')
  process.stderr.write(`machine load (1 / 5 / 15 min averages, ${cpu.length} cores): ${load(loadAverageAtStart)} at the start, ${load(report.machine.loadAverage)} at the end; node flags of the servers: ${NODE_FLAGS.join(' ') || 'none'}, environment: ${Object.entries(START_ENV).map(([key, value]) => `${key}=${value}`).join(' ') || 'none'}\n`)
  process.stderr.write(`written ${path.relative(process.cwd(), RESULTS_FILE)} (${report.durationSeconds} s)\n`)
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
