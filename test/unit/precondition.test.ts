import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { canonicalJson, etagOf } from '../../src/shared/precondition.ts'

// Issue 14 item 1: the ETag is computed faster, and still the same tag for the same representation, so
// tags answered before the change still match If-Match after it. The oracle is the first definition.
function sortedEntriesJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedEntriesJson).join(',')}]`
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  const entries = Object.entries(value).filter(([, inner]) => inner !== undefined).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${sortedEntriesJson(inner)}`).join(',')}}`
}

const representation = fc.anything({ withNullPrototype: false, withSparseArray: false, withBoxedValues: false, withMap: false, withSet: false, withDate: false, withTypedArray: false })

describe('ETag of a representation', () => {
  it('is the SHA-256 of the JSON with keys sorted by code unit and undefined members left out', () => {
    fc.assert(fc.property(representation, (value) => {
      assert.equal(canonicalJson(value), sortedEntriesJson(value))
      assert.equal(etagOf(value), `"${createHash('sha256').update(sortedEntriesJson(value), 'utf8').digest('base64url').slice(0, 27)}"`)
    }), { numRuns: 2000 })
  })

  it('does not depend on the order in which the keys were set, and changes with any value', () => {
    assert.equal(etagOf({ ID: 1, Name: 'a', 'é': 2, Z: [{ b: 1, a: 2 }] }), etagOf({ Z: [{ a: 2, b: 1 }], 'é': 2, Name: 'a', ID: 1, Gone: undefined }))
    assert.notEqual(etagOf({ ID: 1, Name: 'a' }), etagOf({ ID: 1, Name: 'b' }))
    assert.notEqual(etagOf({ ID: 1, UpdatedAt: '2026-11-27 10:05' }), etagOf({ ID: 1, UpdatedAt: '2026-11-27 10:06' }))
  })
})
