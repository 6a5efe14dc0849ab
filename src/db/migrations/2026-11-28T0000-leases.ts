import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. Leases (issue 9): one holder at a time per key across
// processes, without holding a connection; `fence` grows on every acquisition and is checked on save.
export function leases (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.createTable('leases')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('owner', 'text', (col) => col.notNull())
        .addColumn('fence', 'integer', (col) => col.notNull())
        .addColumn('expires_at', 'text', (col) => col.notNull()) // ISO 8601, UTC
        .execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.dropTable('leases').execute()
    }
  }
}
