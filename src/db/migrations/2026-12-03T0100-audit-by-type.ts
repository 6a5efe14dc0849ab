import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. The audit log of one kind of resource, newest first
// (GET /portal-api/audit-log?resource_type=, the console's filter): read in ID order from the index
// instead of sorting every entry of that kind.
export function auditByType (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.createIndex('audit_log__resource_type_id__index').on('audit_log').columns(['resource_type', 'id']).execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.dropIndex('audit_log__resource_type_id__index').execute()
    }
  }
}
