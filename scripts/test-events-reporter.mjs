// A node:test reporter for scripts/each-test-alone.mjs: one JSON line per leaf test, with the names of
// its suites (the path --test-name-pattern matches), its status and, on failure, the first error line.
export default async function * testEventsReporter (source) {
  const open = [] // the names of the tests started and not yet reported, by nesting level
  for await (const event of source) {
    if (event.type === 'test:start') {
      open.length = event.data.nesting
      open.push(event.data.name)
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    const { data } = event
    if (data.details?.type === 'suite') continue
    // A file that fails outside any test is reported as a test named after the file.
    const testPath = [...open.slice(0, data.nesting), data.name]
    const status = data.skip !== undefined ? 'skip' : data.todo !== undefined ? 'todo' : event.type === 'test:pass' ? 'pass' : 'fail'
    const error = status === 'fail' ? firstLine(data.details?.error) : undefined
    yield `${JSON.stringify({ path: testPath, status, error })}\n`
  }
}

function firstLine (error) {
  const cause = error?.cause ?? error
  return String(cause?.message ?? cause ?? '').split('\n')[0]
}
