import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { GRANT_TYPES, RESPONSE_TYPE_ALIASES, RESPONSE_TYPES, parseValueList } from '../../src/modules/oauth-providers/client-type.values.ts'
import { parseId } from '../../src/shared/ids.ts'

describe('CSV value lists', () => {
  it('reads a CSV string and the same array alike, order kept', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.constantFrom(...GRANT_TYPES), { minLength: 1 }), fc.constantFrom('', ' ', '  '), (values, pad) => {
      const problems: string[] = []
      const fromCsv = parseValueList('GrantType', values.map((v) => `${pad}${v}${pad}`).join(','), GRANT_TYPES, problems)
      const fromArray = parseValueList('GrantType', values, GRANT_TYPES, problems)
      assert.deepEqual(problems, [])
      assert.deepEqual(fromCsv, values)
      assert.deepEqual(fromArray, values)
    }))
  })

  it('names every bad item at once', () => {
    const problems: string[] = []
    parseValueList('ResponseTypes', 'code,,Token,code,it_token,id_token', RESPONSE_TYPES, problems, RESPONSE_TYPE_ALIASES)
    assert.deepEqual(problems, [
      'ResponseTypes has an empty item at position 2 in "code,,Token,code,it_token,id_token"',
      'ResponseTypes has an unknown value "Token" (allowed, case-sensitive: code, token, id_token, none)',
      'ResponseTypes lists "code" more than once in "code,,Token,code,it_token,id_token"',
      'ResponseTypes lists "id_token" more than once in "code,,Token,code,it_token,id_token"'
    ])
  })
})

describe('path ids', () => {
  // Ids are integer columns: 32 bits on PostgreSQL, where a larger value in a query fails instead of finding nothing.
  it('accepts positive integers up to 2^31 - 1 in plain digits only', () => {
    assert.equal(parseId('1'), 1)
    assert.equal(parseId('2147483647'), 2147483647)
    for (const raw of ['0', '-1', '01', '1e3', '1.0', ' 1', '2147483648', '99999999999', '9007199254740991', '9007199254740993', 'abc', '']) assert.equal(parseId(raw), undefined, raw)
  })
})
