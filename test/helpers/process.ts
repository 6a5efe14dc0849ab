// Runs the real service entry (`npm start`) as a child process in its own process group.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'

export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface ServiceProcess {
  readonly child: ChildProcess
  readonly baseUrl: string
  /** All it wrote to stderr and stdout so far. */
  output(): string
  /** SIGKILL the whole process group (npm, tsx and node): no shutdown code runs. */
  kill(): Promise<void>
}

export async function startService (env: Record<string, string>, timeoutMs = 20_000): Promise<ServiceProcess> {
  const port = await freePort()
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORTAL_PORT: String(port), PORTAL_LOG_LEVEL: 'warn', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout?.on('data', (chunk) => { output += String(chunk) })
  child.stderr?.on('data', (chunk) => { output += String(chunk) })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const service: ServiceProcess = {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    async kill () {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL')
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
