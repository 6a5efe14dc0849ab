import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. Issue 13 item 2: a developer who signs in is a portal user;
// the user remembers whom (the OpenID Connect issuer and subject, "<iss> <sub>"), one user per subject.
// Null for users nobody has signed in as yet (created or invited by an admin, or made by an older migration).
export function userSubject (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.alterTable('users').addColumn('subject', 'text').execute()
      // NULLs are distinct in a unique index on both dialects: any number of users not linked yet.
      await db.schema.createIndex('users__subject__unique').on('users').column('subject').unique().execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.dropIndex('users__subject__unique').execute()
      await db.schema.alterTable('users').dropColumn('subject').execute()
    }
  }
}
