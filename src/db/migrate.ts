import { sql, type Kysely } from 'kysely'
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration'
import type { Dialect } from './dialect.ts'
import { providersAndClientTypes } from './migrations/2026-11-27T0000-providers-and-client-types.ts'
import { embeddedIdp } from './migrations/2026-11-27T0100-embedded-idp.ts'
import { portalMeta } from './migrations/2026-11-27T0200-portal-meta.ts'
import { productsPlansApps } from './migrations/2026-11-27T0300-products-plans-apps.ts'
import { accessRequestsCredentials } from './migrations/2026-11-27T0400-access-requests-credentials.ts'
import { idpOperations } from './migrations/2026-11-27T0500-idp-operations.ts'
import { idempotencyAudit } from './migrations/2026-11-27T0600-idempotency-audit.ts'
import { leases } from './migrations/2026-11-28T0000-leases.ts'
import { idpModelClient } from './migrations/2026-11-30T0000-idp-model-client.ts'
import { idpTruth } from './migrations/2026-12-01T0100-idp-truth.ts'
import { deletionsInFlight } from './migrations/2026-12-01T0200-deletions-in-flight.ts'
import { idpAccounts } from './migrations/2026-12-02T0000-idp-accounts.ts'
import { listPositions } from './migrations/2026-12-02T0100-list-positions.ts'
import { consoleSessions } from './migrations/2026-12-03T0000-console.ts'
import { signUp } from './migrations/2026-12-03T0200-sign-up.ts'
import { accessRequestStatus } from './migrations/2026-12-04T0000-access-request-status.ts'
import { auditByType } from './migrations/2026-12-03T0100-audit-by-type.ts'
import { consumersCatalogues } from './migrations/2026-12-04T0000-consumers-catalogues.ts'
import { consumerListPositions } from './migrations/2026-12-04T0100-consumer-list-positions.ts'
import { userSubject } from './migrations/2026-12-05T0000-user-subject.ts'
import { adminApiTokens } from './migrations/2026-12-05T0000-admin-api-tokens.ts'

// Frozen in time: a migration, once released, is never edited; a change is a new file listed here.
const MIGRATIONS: Readonly<Record<string, (dialect: Dialect) => Migration>> = {
  '2026-11-27T0000-providers-and-client-types': providersAndClientTypes,
  '2026-11-27T0100-embedded-idp': embeddedIdp,
  '2026-11-27T0200-portal-meta': portalMeta,
  '2026-11-27T0300-products-plans-apps': productsPlansApps,
  '2026-11-27T0400-access-requests-credentials': accessRequestsCredentials,
  '2026-11-27T0500-idp-operations': idpOperations,
  '2026-11-27T0600-idempotency-audit': idempotencyAudit,
  '2026-11-28T0000-leases': leases,
  '2026-11-30T0000-idp-model-client': idpModelClient,
  '2026-12-01T0100-idp-truth': idpTruth,
  '2026-12-01T0200-deletions-in-flight': deletionsInFlight,
  '2026-12-02T0000-idp-accounts': idpAccounts,
  '2026-12-02T0100-list-positions': listPositions,
  '2026-12-03T0000-console': consoleSessions,
  '2026-12-03T0100-audit-by-type': auditByType,
  '2026-12-03T0200-sign-up': signUp,
  '2026-12-04T0000-access-request-status': accessRequestStatus,
  '2026-12-04T0000-consumers-catalogues': consumersCatalogues,
  '2026-12-04T0100-consumer-list-positions': consumerListPositions,
  '2026-12-05T0000-user-subject': userSubject,
  '2026-12-05T0000-admin-api-tokens': adminApiTokens
}

export async function migrateToLatest (db: Kysely<any>, dialect: Dialect): Promise<void> {
  await migrate(db, dialect, async (migrator) => await migrator.migrateToLatest())
}

/** Up or down to the named migration, included (tests: data written before a migration, then migrated). */
export async function migrateTo (db: Kysely<any>, dialect: Dialect, name: string): Promise<void> {
  if (!(name in MIGRATIONS)) throw new Error(`no migration ${name}`)
  await migrate(db, dialect, async (migrator) => await migrator.migrateTo(name))
}

async function migrate (db: Kysely<any>, dialect: Dialect, run: (migrator: Migrator) => Promise<MigrationResultSet>): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: async () => Object.fromEntries(Object.entries(MIGRATIONS).map(([name, make]) => [name, make(dialect)]))
  }
  // Kysely looks for its own tables in every schema unless told which one: without this, a second
  // database in another schema of the same PostgreSQL database (parallel test suites) skips creating them.
  const schema = dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined
  const { error, results } = await run(new Migrator({
    db,
    provider,
    migrationTableName: 'portal_migrations',
    migrationLockTableName: 'portal_migrations_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema })
  }))
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`database migration ${failed} failed: ${(error as Error).message}`, { cause: error })
  }
}
