// The layers of README.md § Architecture, as rules `npm run lint:deps` (and .ci/run) enforces. A broken
// rule fails with its name; the comment next to each says why the rule exists.
//
//   entry    src/*.ts but errors.ts: main, app (composition root), config, logger, start-up steps, reseal CLI
//   http     src/http/      Fastify glue
//   modules  src/modules/   one folder per resource: routes, schemas, service, repository
//   dcr      src/dcr/       the DCR engine: outbound gate, discovery, drivers
//   idp      src/idp/       the embedded OpenID provider
//   console  src/console/   the admin console's pages: another door to the modules' services
//   db       src/db/        Kysely, dialects, row types (tables/), frozen migrations
//   kernel   src/errors.ts, src/shared/   small pieces everyone may use
//
// Type-only imports count like any other (tsPreCompilationDeps): a layer that names another's types
// depends on it.
const ENTRY = '^src/(?!errors\\.ts$)[^/]+\\.ts$'
const KERNEL = '^src/(errors\\.ts$|shared/)'
const HTTP = '^src/http/'
const MODULES = '^src/modules/'
const DCR = '^src/dcr/'
const IDP = '^src/idp/'
const DB = '^src/db/'
const CONSOLE = '^src/console/'

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'kernel-imports-nobody',
      comment: 'errors.ts and shared/ are used by every layer, so they may use no layer: only each other, node: and npm packages.',
      severity: 'error',
      from: { path: KERNEL },
      to: { path: '^src/', pathNot: KERNEL }
    },
    {
      name: 'nobody-imports-the-entry',
      comment: 'The entry (main, app, config, logger, start-up steps) wires the layers; a layer that imports it would depend on all of them.',
      severity: 'error',
      from: { path: '^src/', pathNot: ENTRY },
      to: { path: ENTRY }
    },
    {
      name: 'db-knows-no-use-case',
      comment: 'Storage owns the schema and the queries every layer may share; it knows no module, HTTP, IdP or DCR engine.',
      severity: 'error',
      from: { path: DB },
      to: { path: [MODULES, HTTP, DCR, IDP] }
    },
    {
      name: 'migrations-are-frozen',
      comment: 'A released migration never changes, so it may not follow application code that does: kysely only.',
      severity: 'error',
      from: { path: '^src/db/migrations/' },
      to: { pathNot: '^node_modules/kysely/' }
    },
    {
      name: 'dcr-stands-alone',
      comment: 'The DCR engine talks to IdPs and nothing else: no database, no HTTP server, no module, no embedded IdP.',
      severity: 'error',
      from: { path: DCR },
      to: { path: [DB, HTTP, MODULES, IDP] }
    },
    {
      name: 'idp-knows-no-module',
      comment: 'The embedded IdP is a separate OpenID provider on its own port; it stores through db and knows no module, portal HTTP or DCR engine.',
      severity: 'error',
      from: { path: IDP },
      to: { path: [MODULES, HTTP, DCR] }
    },
    {
      name: 'http-knows-no-module',
      comment: 'Fastify glue serves every module; modules register their routes on it, never the other way round.',
      severity: 'error',
      from: { path: HTTP },
      to: { path: [MODULES, DCR, IDP] }
    },
    {
      name: 'nobody-imports-the-console',
      comment: 'The console is a door to the services, like the routes: the entry mounts it; no layer below may depend on pages.',
      severity: 'error',
      from: { path: '^src/', pathNot: [ENTRY, CONSOLE] },
      to: { path: CONSOLE }
    },
    {
      name: 'console-not-to-idp',
      comment: 'The console signs people in over OpenID Connect like any relying party; the embedded IdP is one provider among others.',
      severity: 'error',
      from: { path: CONSOLE },
      to: { path: IDP }
    },
    {
      name: 'modules-not-to-idp',
      comment: 'Modules see the embedded IdP as any other OAuth2.0 provider, through dcr; only the entry starts it.',
      severity: 'error',
      from: { path: MODULES },
      to: { path: IDP }
    },
    {
      name: 'no-circular',
      comment: 'An import circle has no bottom to read, test or change first; it also makes ESM start-up order fragile.',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'no-circular-modules',
      comment: 'Module folders depend on each other one way only (e.g. products → oauth-providers), even when no single file closes a circle.',
      severity: 'error',
      scope: 'folder',
      from: { path: MODULES },
      to: { circular: true }
    },
    {
      name: 'src-not-to-tests',
      comment: 'The service never loads test code.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' }
    },
    {
      name: 'not-to-dev-dep',
      comment: 'npm ci --omit=dev in production: src/ may use runtime dependencies only.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'no-non-package-json',
      comment: 'A package that is not in package.json works only by accident of what else node_modules holds.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] }
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file fails at run time.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true }
    },
    {
      name: 'no-deprecated-core',
      comment: 'Deprecated node: modules will go away.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['core'], path: '^(punycode|domain|constants|sys|_linklist|_stream_wrap)$' }
    },
    {
      name: 'no-orphans',
      comment: 'A file nothing imports and that imports nothing is dead code (ambient declarations aside).',
      severity: 'error',
      from: { orphan: true, pathNot: '\\.d\\.ts$' },
      to: {}
    }
  ],
  options: {
    doNotFollow: { path: '^node_modules' },
    // import type counts: a layer that names another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings']
    },
    reporterOptions: { text: { highlightFocused: true } }
  }
}
