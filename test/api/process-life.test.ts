// Process life through the real entry (issue 9 item 7): what a supervisor does to the process it
// started (`kill -TERM <pid>`) stops the service gracefully, under `npm start` and as node alone; a
// port in use is one line and exit 1, and nothing is written before the ports are bound.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { eventually, freePort, portIsFree, spawnEntry, startService, type Entry, type ServiceProcess } from '../helpers/process.ts'

const ADMIN_TOKEN = 'process-life-admin-token-0123456789'

/** An IdP stand-in whose discovery answer waits for release(): a request held in flight at will. */
async function startHeldIdp () {
  let arrive!: () => void
  const arrived = new Promise<void>((resolve) => { arrive = resolve })
  let release!: () => void
  const released = new Promise<void>((resolve) => { release = resolve })
  const server = http.createServer((req, res) => {
    arrive()
    void released.then(() => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: origin, registration_endpoint: `${origin}/register` }))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
  return {
    wellKnownUrl: `${origin}/.well-known/openid-configuration`,
    arrived,
    release,
    async close () {
      release()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}

for (const entry of ['npm start', 'node'] as const satisfies readonly Entry[]) {
  describe(`kill -TERM of the process that ${entry} started`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-life-'))
    let service: ServiceProcess | undefined
    after(async () => {
      await service?.kill()
      fs.rmSync(dataDir, { recursive: true, force: true })
    })

    it('finishes the request in flight, frees both ports, closes everything and says it shut down', async () => {
      const idpPort = await freePort()
      service = await startService({ PORTAL_DATA_DIR: dataDir, PORTAL_EMBEDDED_IDP_PORT: String(idpPort), PORTAL_ADMIN_TOKEN: ADMIN_TOKEN, PORTAL_LOG_LEVEL: 'info' }, 20_000, entry)
      const call = async (method: string, url: string, body?: unknown) => await fetch(`${service!.baseUrl}${url}`, {
        method,
        headers: { authorization: ADMIN_TOKEN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
      const idp = await startHeldIdp()
      try {
        const provider = await (await call('POST', '/portal-api/oauth-providers', { Name: 'Held', Type: 'Other', WellKnownURL: idp.wellKnownUrl })).json() as { ID: number }
        const inFlight = call('POST', `/portal-api/oauth-providers/${provider.ID}/verify`)
        await idp.arrived // the service is waiting for the IdP: the request is in flight

        process.kill(service.child.pid!, 'SIGTERM') // npm's pid under npm start
        assert.ok(await eventually(async () => await portIsFree(service!.port)), 'the API port stops accepting at once')
        assert.equal(service.child.exitCode, null, 'still running: the request in flight is not cut off')
        assert.equal(await portIsFree(idpPort), false, 'the embedded IdP still answers while a request may need it')

        idp.release()
        const answer = await inFlight
        assert.equal(answer.status, 200)
        assert.equal(answer.headers.get('connection'), 'close')
        const report = await answer.json() as { Findings: Array<{ Check: string; Status: string }> }
        assert.equal(report.Findings.find((finding) => finding.Check === 'discovery')?.Status, 'ok', JSON.stringify(report))

        assert.ok(await eventually(async () => await portIsFree(idpPort)), 'the embedded IdP port is freed')
        assert.equal(await service.exited, 0, service.output())
        const messages = service.output().split('\n').filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { msg: string }).msg)
        const shutdown = messages.slice(messages.indexOf('shutting down'))
        assert.deepEqual(shutdown, ['shutting down', 'request completed', 'shut down'], 'the request in flight completed during the shutdown, then it ended')
      } finally {
        await idp.close()
      }
    })
  })
}

describe('a port in use', () => {
  for (const [setting, which] of [['PORTAL_PORT', 'api'], ['PORTAL_EMBEDDED_IDP_PORT', 'idp']] as const) {
    it(`(${setting}) is one line on stderr and exit 1, with nothing written to the data directory`, async () => {
      const taken = net.createServer()
      taken.listen(0, '127.0.0.1')
      await once(taken, 'listening')
      const takenPort = (taken.address() as net.AddressInfo).port
      const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'portal-taken-')), 'data')
      try {
        const ports = { api: which === 'api' ? takenPort : await freePort(), idp: which === 'idp' ? takenPort : await freePort() }
        const child = spawnEntry('node', { PORTAL_DATA_DIR: dataDir, PORTAL_PORT: String(ports.api), PORTAL_EMBEDDED_IDP_PORT: String(ports.idp), PORTAL_LOG_LEVEL: 'info' })
        let stdout = ''
        let stderr = ''
        child.stdout?.on('data', (chunk) => { stdout += String(chunk) })
        child.stderr?.on('data', (chunk) => { stderr += String(chunk) })
        const [code] = await once(child, 'close') as [number | null]
        assert.equal(stderr, `portal-service: port ${takenPort} on 127.0.0.1 is in use (${setting})\n`)
        assert.equal(code, 1)
        assert.equal(stdout, '', 'nothing logged: nothing was opened')
        assert.equal(fs.existsSync(dataDir), false, 'no database file, admin token, secret key or IdP key written')
        if (which === 'idp') assert.ok(await portIsFree(ports.api), 'the API port it had bound is released')
      } finally {
        taken.close()
        fs.rmSync(path.dirname(dataDir), { recursive: true, force: true })
      }
    })
  }
})
