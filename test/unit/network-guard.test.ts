// The network is blocked by a mechanism (test/network-guard.mjs, loaded by `npm test` with --import):
// anything but loopback fails loudly, whichever client asks. 192.0.2.1 is TEST-NET-1 (RFC 5737) and
// .invalid never resolves (RFC 6761), so even without the guard nothing on the internet is reached.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import dns from 'node:dns'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import net from 'node:net'
import { after, before, describe, it } from 'node:test'
import { request } from 'undici'
import { HttpGate } from '../../src/dcr/index.ts'

const WITHOUT_GUARD = 'the network guard is not loaded: run the tests with --import ./test/network-guard.mjs (npm test does)'

async function codeOf (attempt: Promise<unknown>): Promise<string | undefined> {
  const error = await attempt.then(() => undefined, (caught: unknown) => caught)
  let cause = error as { code?: string; cause?: unknown } | undefined
  while (cause !== undefined && cause.code === undefined) cause = cause.cause as typeof cause
  return cause?.code
}

describe('the test network guard', () => {
  let server: http.Server
  let port: number
  before(async () => {
    server = http.createServer((_req, res) => res.end('loopback'))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    port = (server.address() as AddressInfo).port
  })
  after(async () => { await new Promise((resolve) => server.close(resolve)) })

  it('refuses a non-loopback address with ERR_TEST_NETWORK_BLOCKED, through fetch, undici, http and net', async () => {
    assert.equal(await codeOf(fetch('http://192.0.2.1/', { signal: AbortSignal.timeout(10_000) })), 'ERR_TEST_NETWORK_BLOCKED', WITHOUT_GUARD)
    assert.equal(await codeOf(request('http://192.0.2.1:8080/', { signal: AbortSignal.timeout(10_000) })), 'ERR_TEST_NETWORK_BLOCKED')
    assert.equal(await codeOf(new Promise((resolve, reject) => http.get('http://[2001:db8::1]/', resolve).on('error', reject))), 'ERR_TEST_NETWORK_BLOCKED')
    assert.equal(await codeOf(new Promise((resolve, reject) => net.connect(443, '192.0.2.1', () => resolve(undefined)).on('error', reject))), 'ERR_TEST_NETWORK_BLOCKED')
  })

  it('refuses to resolve a name other than localhost, before any DNS server is asked', async () => {
    assert.equal(await codeOf(fetch('https://portal-test.invalid/')), 'ERR_TEST_NETWORK_BLOCKED', WITHOUT_GUARD)
    assert.equal(await codeOf(dns.promises.lookup('portal-test.invalid')), 'ERR_TEST_NETWORK_BLOCKED')
    assert.equal(await codeOf(new Promise((resolve, reject) => dns.lookup('portal-test.invalid', (error) => { if (error) reject(error); else resolve(undefined) }))), 'ERR_TEST_NETWORK_BLOCKED')
  })

  it('checks what a custom resolver answers: a name mapped to a public address is refused too', async () => {
    const toPublic = ((_name: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options.all === true) callback(null, [{ address: '192.0.2.1', family: 4 }])
      else callback(null, '192.0.2.1', 4)
    }) as unknown as net.LookupFunction
    const socket = net.connect({ port: 80, host: 'mapped.test', lookup: toPublic })
    assert.equal(await codeOf(once(socket, 'connect')), 'ERR_TEST_NETWORK_BLOCKED', WITHOUT_GUARD)
    // The service's own gate (production behaviour unchanged) is refused at the socket as well.
    const gate = new HttpGate({ lookup: toPublic, connectTimeoutMs: 10_000 })
    try {
      await assert.rejects(gate.send({ method: 'GET', url: 'http://mapped.test/.well-known/openid-configuration' }))
    } finally {
      await gate.close()
    }
  })

  it('lets loopback through: 127.0.0.1 and localhost', async () => {
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'loopback')
    assert.equal(await (await fetch(`http://localhost:${port}/`)).text(), 'loopback')
  })
})
