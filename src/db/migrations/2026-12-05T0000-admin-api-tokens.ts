import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. Issue 13 item 5: an API token per admin user, as Tyk gives
// each admin user an access token for /portal-api. Only its SHA-256 is kept: the token is shown once.
export function adminApiTokens (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.createTable('admin_api_tokens')
        .addColumn('user_id', 'integer', (col) => col.primaryKey().references('users.id').onDelete('cascade')) // one token per user; it goes with the user
        .addColumn('token_hash', 'text', (col) => col.notNull()) // SHA-256 of the token, hex: a copied table opens nothing
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('created_by', 'text', (col) => col.notNull()) // the actor who created it
        .addUniqueConstraint('admin_api_tokens__token_hash__unique', ['token_hash'])
        .execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.dropTable('admin_api_tokens').execute()
    }
  }
}
