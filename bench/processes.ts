// What both benches (bench.ts, scale-out.ts) need to run their child processes and read their options.
import type { ChildProcess } from 'node:child_process'
import net from 'node:net'

/** Kills a child's whole process group (npm, node), unless it has ended. */
export function killGroup (child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try { process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
}

export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** A command-line option that must be an integer from 1 to `max`. */
export function positive (name: string, raw: string, max: number): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got ${raw}`)
  return value
}
