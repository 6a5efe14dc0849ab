import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. A tombstone is now written before every DELETE sent to an
// IdP (issue 11 item 2); while its writer still holds `lease_key`, the DELETE is in flight. Found with
// that lease free, its writer died: the reconciler finishes the deletion.
export function deletionsInFlight (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.alterTable('idp_deletions').addColumn('lease_key', 'text').execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.alterTable('idp_deletions').dropColumn('lease_key').execute()
    }
  }
}
