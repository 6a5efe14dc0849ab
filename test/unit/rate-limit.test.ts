import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RateLimit } from '../../src/shared/rate-limit.ts'

describe('RateLimit', () => {
  it('allows `limit` events per key and window, then says how long to wait, then allows again', () => {
    let now = 1_000_000
    const limit = new RateLimit({ limit: 3, windowMs: 60_000, now: () => now })
    for (let i = 0; i < 3; i++) assert.equal(limit.take('a'), undefined)
    assert.equal(limit.take('a'), 60)
    assert.equal(limit.blocked('b'), undefined, 'keys are counted apart')
    now += 45_500
    assert.equal(limit.blocked('a'), 15)
    now += 14_500
    assert.equal(limit.blocked('a'), undefined)
    assert.equal(limit.take('a'), undefined)
  })

  it('blocked() counts nothing', () => {
    const limit = new RateLimit({ limit: 1, windowMs: 1000, now: () => 0 })
    for (let i = 0; i < 5; i++) assert.equal(limit.blocked('a'), undefined)
    assert.equal(limit.take('a'), undefined)
    assert.equal(limit.blocked('a'), 1)
  })
})
