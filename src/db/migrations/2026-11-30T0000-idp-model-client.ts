import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. The client each embedded-IdP record belongs to, so that
// deleting a client revokes its tokens at once (issue 11 item 13). Rows stored before it are filled in
// by the embedded IdP at start, when it seals them (their payload is plain JSON until then).
export function idpModelClient (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.alterTable('idp_models').addColumn('client_id', 'text').execute()
      await db.schema.createIndex('idp_models__client_id__index').on('idp_models').column('client_id').execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.dropIndex('idp_models__client_id__index').execute()
      await db.schema.alterTable('idp_models').dropColumn('client_id').execute()
    }
  }
}
