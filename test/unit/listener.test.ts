// The ports main.ts binds before opening anything (src/listener.ts): 503 until served, a port in use
// as one line, and a drain that frees the port at once and ends once the answer in flight is sent.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { bind, StartError } from '../../src/listener.ts'
import { portIsFree } from '../helpers/process.ts'

describe('the bound ports', () => {
  it('answer 503 with Retry-After until served, then the handler', async () => {
    const listener = await bind(0, '127.0.0.1', 'PORTAL_PORT')
    const url = `http://127.0.0.1:${(listener.server.address() as AddressInfo).port}/ready`
    try {
      const starting = await fetch(url)
      assert.deepEqual([starting.status, starting.headers.get('retry-after'), await starting.json()], [503, '1', { errors: ['the service is starting; retry shortly'] }])
      listener.serve((_req, res) => res.end('ready'))
      assert.equal(await (await fetch(url)).text(), 'ready')
    } finally {
      await listener.close()
    }
  })

  it('name a port in use, and the setting, in one line', async () => {
    const taken = await bind(0, '127.0.0.1', 'PORTAL_PORT')
    const port = (taken.server.address() as AddressInfo).port
    try {
      await assert.rejects(bind(port, '127.0.0.1', 'PORTAL_EMBEDDED_IDP_PORT'), (error: unknown) => {
        assert.ok(error instanceof StartError)
        assert.equal(error.message, `port ${port} on 127.0.0.1 is in use (PORTAL_EMBEDDED_IDP_PORT)`)
        return true
      })
    } finally {
      await taken.close()
    }
  })

  // The timeout turns a drain that waits for the kept-alive connection (72 s) into a failure, not a hang.
  it('drain: the port is free at once, the answer in flight is sent with Connection: close, then close() ends', { timeout: 10_000 }, async () => {
    const listener = await bind(0, '127.0.0.1', 'PORTAL_PORT')
    const port = (listener.server.address() as AddressInfo).port
    let arrive!: () => void
    const arrived = new Promise<void>((resolve) => { arrive = resolve })
    let answer!: () => void
    listener.serve((_req, res) => { answer = () => res.end('done'); arrive() })
    const agent = new http.Agent({ keepAlive: true })
    try {
      const response = new Promise<http.IncomingMessage>((resolve) => http.get({ host: '127.0.0.1', port, agent }, resolve))
      await arrived
      let closed = false
      const closing = listener.close().then(() => { closed = true })
      assert.equal(await portIsFree(port), true, 'no new connection is accepted')
      assert.equal(closed, false, 'the request in flight is waited for')
      answer()
      const res = await response
      res.resume()
      await once(res, 'end')
      assert.equal(res.headers.connection, 'close', 'the kept-alive connection is not kept')
      await closing
    } finally {
      agent.destroy()
    }
  })
})
