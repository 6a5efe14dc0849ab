#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8 --no-allocation-site-pretenuring --max-old-space-size=128
// The production entry (package.json "bin"): the compiled service, with stack traces mapped to src/.
// Run it as the process a supervisor starts and signals: `./bin/portal-service.js` (or `npm start`), so that
// its shebang's environment and node flags apply (README, "Running in production").
// The V8 flags (also in package.json's start, README "Running in production") hold resident memory under
// load: a young generation of 16 MB instead of up to 64, and no pretenuring of request objects.
process.setSourceMapsEnabled(true)
await import('../dist/src/main.js')
