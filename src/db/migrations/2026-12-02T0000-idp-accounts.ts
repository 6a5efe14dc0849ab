import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. The people who sign in at the embedded IdP (issue 12).
export function idpAccounts (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.createTable('idp_accounts')
        .addColumn('id', 'text', (col) => col.primaryKey()) // random, never reused: the `sub` claim
        .addColumn('username', 'text', (col) => col.notNull()) // as typed at creation
        .addColumn('email', 'text')
        .addColumn('email_verified', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('password_hash', 'text', (col) => col.notNull()) // argon2id, PHC string format
        .addColumn('active', 'integer', (col) => col.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute()
      // Case-insensitive uniqueness; usernames are ASCII, where SQLite's and PostgreSQL's lower() agree.
      await db.schema.createIndex('idp_accounts__lower_username__unique').on('idp_accounts').unique().expression(sql`lower(username)`).execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.dropTable('idp_accounts').execute()
    }
  }
}
