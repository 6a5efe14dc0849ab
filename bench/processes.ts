// What both benches (bench.ts, scale-out.ts) need to run their child processes and read their options.
import type { ChildProcess } from 'node:child_process'

/** Kills a child's whole process group (npm, node), unless it has ended. */
export function killGroup (child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try { process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
}

// The tests' own: one way to find a free loopback port.
export { freePort } from '../test/helpers/process.ts'

/** A command-line option that must be an integer from 1 to `max`. */
export function positive (name: string, raw: string, max: number): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got ${raw}`)
  return value
}
