// Summarizes a V8 .cpuprofile (node --cpu-prof): the functions with the most self time.
// As a command: node --import tsx bench/profile-top.ts <file.cpuprofile> [how many]
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export interface HotFunction {
  readonly name: string
  readonly where: string
  readonly selfMs: number
  readonly selfPercent: number
}

export function topSelfTime (file: string, count = 20): { totalMs: number; functions: HotFunction[] } {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfUs = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  // Each sample's time is the delta to the next sample (the last one gets the previous delta).
  samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0)))
  const totalUs = [...selfUs.values()].reduce((sum, us) => sum + us, 0) || 1
  const merged = new Map<string, { name: string; where: string; us: number }>()
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame
    if (frame === undefined) continue
    const name = frame.functionName || '(anonymous)'
    const where = frame.url === '' ? '' : `${shorten(frame.url)}:${frame.lineNumber + 1}`
    const key = `${name} ${where}`
    const entry = merged.get(key) ?? { name, where, us: 0 }
    entry.us += us
    merged.set(key, entry)
  }
  const functions = [...merged.values()].sort((a, b) => b.us - a.us).slice(0, count)
    .map(({ name, where, us }) => ({ name, where, selfMs: Math.round(us / 1000), selfPercent: Math.round((us / totalUs) * 1000) / 10 }))
  return { totalMs: Math.round(totalUs / 1000), functions }
}

function shorten (url: string): string {
  const file = url.startsWith('file://') ? new URL(url).pathname : url
  const inModules = file.lastIndexOf('node_modules/')
  return inModules >= 0 ? file.slice(inModules + 'node_modules/'.length) : path.relative(process.cwd(), file)
}

/** Self time summed by owner: a package in node_modules, the project's own code, Node's internals, or V8. */
export function selfTimeByOwner (file: string): Array<{ owner: string; selfMs: number; busyPercent: number }> {
  const { functions } = topSelfTime(file, Number.MAX_SAFE_INTEGER)
  const owners = new Map<string, number>()
  for (const f of functions) {
    if (f.name === '(idle)') continue
    const owner = f.where === '' ? (f.name.startsWith('(') ? f.name : '(native, called from JS)')
      : f.where.startsWith('node:') ? 'node: internals'
        : f.where.startsWith('src/') || f.where.startsWith('bench/') ? f.where.split('/').slice(0, 2).join('/')
          : f.where.startsWith('@') ? f.where.split('/').slice(0, 2).join('/') : f.where.split('/')[0]!
    owners.set(owner, (owners.get(owner) ?? 0) + f.selfMs)
  }
  const busy = [...owners.values()].reduce((sum, ms) => sum + ms, 0) || 1
  return [...owners].sort((a, b) => b[1] - a[1]).map(([owner, selfMs]) => ({ owner, selfMs, busyPercent: Math.round((selfMs / busy) * 1000) / 10 }))
}

export function formatTop (file: string, count = 20): string {
  const { totalMs, functions } = topSelfTime(file, count)
  const lines = functions.map((f) => `${f.selfPercent.toFixed(1).padStart(5)}%  ${String(f.selfMs).padStart(7)} ms  ${f.name}  ${f.where}`)
  const owners = selfTimeByOwner(file).slice(0, 15)
    .map((o) => `${o.busyPercent.toFixed(1).padStart(5)}%  ${String(o.selfMs).padStart(7)} ms  ${o.owner}`)
  return `${path.basename(file)}: ${totalMs} ms sampled; top self time (% of all samples)\n${lines.join('\n')}\n` +
    `self time by owner (% of busy samples, idle excluded)\n${owners.join('\n')}\n`
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, count] = process.argv.slice(2)
  if (file === undefined) {
    process.stderr.write('usage: node --import tsx bench/profile-top.ts <file.cpuprofile> [count]\n')
    process.exit(2)
  }
  process.stdout.write(formatTop(file, count === undefined ? 20 : Number(count)))
}
