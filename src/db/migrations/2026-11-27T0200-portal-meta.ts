import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
import type { Dialect } from '../database.ts'

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
