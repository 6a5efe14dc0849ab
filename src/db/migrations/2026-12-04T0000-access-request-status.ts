import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. The queue of pending access requests (issue 12): one
// status in id order, read from an index instead of a walk over every request.
export function accessRequestStatus (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.createIndex('access_requests__status_id__index').on('access_requests').columns(['status', 'id']).execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.dropIndex('access_requests__status_id__index').execute()
    }
  }
}
