#!/usr/bin/env node
// Runs every test alone (issue 9 item 6: each test passes with a name filter, whatever ran before it).
// Per file: one run lists the tests (and must pass whole), then each test runs by itself with an
// anchored, escaped --test-name-pattern (the runner matches a test's ancestors' names and its own,
// joined by spaces). Failures are listed at the end with the command that reproduces them.
//   node scripts/each-test-alone.mjs [test files…]     (default: every test/*/*.test.ts; npm run test:alone)
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const REPORTER = fileURLToPath(new URL('./test-events-reporter.mjs', import.meta.url))
// The runner's flags, as in package.json's "test" script.
const RUNNER = ['--import', 'tsx', '--import', './test/network-guard.mjs', '--test', `--test-reporter=${REPORTER}`]

const files = process.argv.length > 2
  ? process.argv.slice(2)
  : fs.readdirSync(path.join(ROOT, 'test'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((dir) => fs.readdirSync(path.join(ROOT, 'test', dir.name)).filter((name) => name.endsWith('.test.ts')).map((name) => `test/${dir.name}/${name}`))
      .sort()

/** Runs the test runner; resolves with the leaf tests it reported ({ path, status, error }). */
async function run (args) {
  const child = spawn(process.execPath, [...RUNNER, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => { stdout += String(chunk) })
  child.stderr.on('data', (chunk) => { stderr += String(chunk) })
  const code = await new Promise((resolve) => child.on('close', resolve))
  const tests = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
  return { code, tests, stderr }
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const quote = (text) => `'${text.replace(/'/g, "'\\''")}'`

const failures = []
let ran = 0
for (const file of files) {
  const whole = await run([file])
  const listed = whole.tests.filter((test) => test.status !== 'skip' && test.status !== 'todo')
  if (whole.code !== 0) failures.push({ file, name: '(the whole file)', why: whole.tests.filter((test) => test.status === 'fail').map((test) => `${test.path.join(' > ')}: ${test.error}`).join('\n') || whole.stderr.slice(-2000) })
  console.log(`${file}: ${listed.length} tests`)
  for (const test of listed) {
    const pattern = `^${escape(test.path.join(' '))}$`
    const alone = await run([`--test-name-pattern=${pattern}`, file])
    ran++
    const target = alone.tests.find((reported) => reported.path.join('\u0000') === test.path.join('\u0000'))
    const failed = alone.tests.filter((reported) => reported.status === 'fail')
    const ok = alone.code === 0 && target?.status === 'pass' && failed.length === 0
    console.log(`  ${ok ? '✔' : '✖'} ${test.path.join(' > ')}`)
    if (!ok) {
      const why = failed.map((reported) => `${reported.path.join(' > ')}: ${reported.error}`).join('\n') || (target === undefined ? 'the test did not run' : alone.stderr.slice(-2000))
      failures.push({ file, name: test.path.join(' > '), why, command: `node ${RUNNER.slice(0, -1).join(' ')} --test-name-pattern=${quote(pattern)} ${file}` })
    }
  }
}

console.log(`\n${ran} tests run alone in ${files.length} files; ${failures.length} failed`)
for (const failure of failures) {
  console.log(`\n✖ ${failure.file}: ${failure.name}\n${failure.why.replace(/^/gm, '    ')}`)
  if (failure.command !== undefined) console.log(`  again: ${failure.command}`)
}
process.exitCode = failures.length === 0 ? 0 : 1
