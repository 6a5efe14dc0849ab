import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. The admin console (issue 12): its sessions, and the
// groups of the embedded IdP's accounts (the `groups` claim; "portal-admins" may use the console).
export function consoleSessions (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.createTable('console_sessions')
        .addColumn('id', 'text', (col) => col.primaryKey()) // SHA-256 of the cookie's token, hex: a stolen table opens no session
        .addColumn('subject', 'text', (col) => col.notNull()) // the ID token's iss and sub
        .addColumn('username', 'text', (col) => col.notNull())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('is_admin', 'integer', (col) => col.notNull())
        .addColumn('id_token', 'text', (col) => col.notNull()) // sealed: the hint of RP-initiated logout
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'text', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('console_sessions__expires_at').on('console_sessions').column('expires_at').execute()
      await db.schema.alterTable('idp_accounts').addColumn('groups', 'text', (col) => col.notNull().defaultTo('[]')).execute()
      // The first account the embedded IdP made ("admin", src/idp/first-admin.ts) is the console's admin.
      await db.updateTable('idp_accounts').set({ groups: '["portal-admins"]' }).where(sql`lower(username)`, '=', 'admin').execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.alterTable('idp_accounts').dropColumn('groups').execute()
      await db.schema.dropTable('console_sessions').execute()
    }
  }
}
