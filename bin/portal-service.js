#!/usr/bin/env node
// The production entry (package.json "bin"): the compiled service, with stack traces mapped to src/.
// Run it as the process a supervisor starts and signals: `node bin/portal-service.js` (or `npm start`).
process.setSourceMapsEnabled(true)
await import('../dist/src/main.js')
