import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

type Dialect = 'sqlite' | 'postgres' // a copy, not an import: see below

// Frozen: never import application code here. Facts the service keeps about itself (key → value).
export function portalMeta (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.createTable('portal_meta')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('value', 'text', (col) => col.notNull())
        .execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.dropTable('portal_meta').execute()
    }
  }
}
