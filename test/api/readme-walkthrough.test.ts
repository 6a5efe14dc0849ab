// Issue 10, "Done when" 4: the README's walk-through, run verbatim with bash against the real `npm start` on a
// fresh data directory and fresh ports, works from its first line to a token.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { after, describe, it } from 'node:test'
import { freePort, startService, type ServiceProcess } from '../helpers/process.ts'

/** The shell blocks of the README's "Walk-through with curl" section (up to the next second-level heading), in order. */
export function walkthroughScript (readme: string): string {
  const start = readme.indexOf('## Walk-through with curl')
  assert.notEqual(start, -1, 'the README has a walk-through')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end === -1 ? undefined : end)
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]).join('\n')
}

describe('the README walk-through, verbatim', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-readme-'))
  const dataDir = path.join(home, 'data')
  let service: ServiceProcess | undefined
  after(async () => {
    await service?.kill()
    fs.rmSync(home, { recursive: true, force: true })
  })

  it('runs with bash on a fresh database from its first line to a token', async () => {
    const idpPort = await freePort()
    service = await startService({
      PORTAL_DATA_DIR: dataDir,
      PORTAL_DATABASE_URL: `sqlite:${path.join(dataDir, 'portal.db')}`,
      PORTAL_EMBEDDED_IDP_PORT: String(idpPort)
    })
    const port = new URL(service.baseUrl).port
    // Only the ports change: the README's are the defaults (3001, 3002), this run's are free ones.
    const script = walkthroughScript(fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8'))
      .replaceAll('127.0.0.1:3001', `127.0.0.1:${port}`)
      .replaceAll('127.0.0.1:3002', `127.0.0.1:${idpPort}`)
    assert.match(script, /^export PORTAL=/, 'the walk-through starts by naming the service')
    // Run where `data/` is the service's data directory, as `npm start` makes it in the repository.
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      cwd: home,
      env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` },
      maxBuffer: 16 * 1024 * 1024
    })
    assert.ok(stdout.startsWith('{"ID":1,"Name":"Embedded IdP"'), `its first call connects the embedded IdP as provider 1: ${stdout.slice(0, 200)}`)
    assert.match(stdout, /"message":"access request 1 created and approved","ID":1/)
    const token = /\{"access_token":"[^"]+","expires_in":\d+,"scope":"payments free-plan","token_type":"Bearer"\}/.exec(stdout)
    assert.ok(token, `the token request succeeds:\n${stdout}`)
    assert.doesNotMatch(stdout, /internal error/)
  })
})
