import assert from 'node:assert/strict'
import fs from 'node:fs'
import { describe, it } from 'node:test'

// Issue 14 item 5: the service's V8 flags are given in two places, the bin's shebang (run directly or as
// an installed `portal-service`) and `npm start`; both must give the same ones (the bench reads the latter).
const root = new URL('../../', import.meta.url)
const flagsOf = (command: string) => /\bnode((?:\s+--\S+)*)/.exec(command)?.[1]?.trim()
const environmentOf = (command: string) => /\benv(?: -S)?((?:\s+[A-Z_]+=\S+)*)\s+node\b/.exec(command)?.[1]?.trim()

describe('node flags of the service', () => {
  it('are the same in the bin shebang and in npm start, with the same environment, and bound both generations and malloc\'s arenas', () => {
    const shebang = fs.readFileSync(new URL('bin/portal-service.js', root), 'utf8').split('\n')[0]!
    const start = (JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8')) as { scripts: { start: string } }).scripts.start
    assert.match(shebang, /^#!\/usr\/bin\/env -S [A-Z_]+=\S+ node /)
    assert.match(start, /^exec env [A-Z_]+=\S+ node /)
    assert.equal(flagsOf(shebang), flagsOf(start))
    assert.equal(environmentOf(shebang), environmentOf(start))
    assert.match(flagsOf(start) ?? '', /--max-semi-space-size=\d+/)
    assert.match(flagsOf(start) ?? '', /--max-old-space-size=\d+/)
    assert.match(environmentOf(start) ?? '', /^MALLOC_ARENA_MAX=\d+$/)
  })
})
