import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SecretBox, generateSecretKeyEntry, parseSecretKeys } from '../../src/shared/secret-box.ts'

const a = { id: 'a', key: Buffer.alloc(32, 1) }
const b = { id: 'b', key: Buffer.alloc(32, 2) }

describe('SecretBox (AES-256-GCM)', () => {
  it('seals with a random IV and the key id, and opens with the same context only', () => {
    const box = new SecretBox([a])
    const one = box.seal('s3cret', 'oauth_clients.client_secret#1')
    const two = box.seal('s3cret', 'oauth_clients.client_secret#1')
    assert.notEqual(one, two, 'a fresh IV each time')
    assert.match(one, /^v1\.a\./)
    assert.equal(one.includes('s3cret'), false)
    assert.equal(box.open(one, 'oauth_clients.client_secret#1'), 's3cret')
    assert.throws(() => box.open(one, 'oauth_clients.client_secret#2'), /fails authentication/)
    assert.throws(() => box.open(one, 'oauth_clients.registration_access_token#1'), /fails authentication/)
  })

  it('refuses a tampered value and an unknown key id', () => {
    const box = new SecretBox([a])
    const sealed = box.seal('value', 'ctx')
    const parts = sealed.split('.')
    const flipped = Buffer.from(parts[3]!, 'base64url')
    flipped[0]! ^= 1
    assert.throws(() => box.open([...parts.slice(0, 3), flipped.toString('base64url'), parts[4]].join('.'), 'ctx'), /fails authentication/)
    assert.throws(() => new SecretBox([b]).open(sealed, 'ctx'), /not sealed with a configured key \(key id "a"\)/)
  })

  it('seals with the first key and opens with any (rotation)', () => {
    const old = new SecretBox([a]).seal('v', 'ctx')
    const rotated = new SecretBox([b, a])
    assert.equal(rotated.open(old, 'ctx'), 'v')
    assert.equal(rotated.isCurrent(old), false)
    assert.equal(rotated.isCurrent(rotated.seal('v', 'ctx')), true)
  })

  it('generates key entries that parse back', () => {
    const [key] = parseSecretKeys(generateSecretKeyEntry())
    assert.equal(key?.key.length, 32)
  })
})
