import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. Issue 10 items 4 and 5: what was asked of the IdP beside what
// it registered, when it last changed a client's secret, and providers whose IdP demands redirect_uris on
// every registration (OpenID Connect Registration §2), machine-only clients included.
export function idpTruth (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.alterTable('oauth_providers').addColumn('requires_redirect_uris', 'integer', (column) => column.notNull().defaultTo(0)).execute()
      await db.schema.alterTable('oauth_clients').addColumn('requested_scope', 'text').execute()
      await db.schema.alterTable('oauth_clients').addColumn('requested_grant_types', 'text').execute()
      await db.schema.alterTable('oauth_clients').addColumn('secret_changed_at', 'text').execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.alterTable('oauth_clients').dropColumn('secret_changed_at').execute()
      await db.schema.alterTable('oauth_clients').dropColumn('requested_grant_types').execute()
      await db.schema.alterTable('oauth_clients').dropColumn('requested_scope').execute()
      await db.schema.alterTable('oauth_providers').dropColumn('requires_redirect_uris').execute()
    }
  }
}
