import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

type Dialect = 'sqlite' | 'postgres' // a copy, not an import: see below

// Frozen: never import application code here. Storage of the embedded OpenID provider (design.md §6).
export function embeddedIdp (_dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      // One row per oidc-provider model instance (Client, RegistrationAccessToken, AccessToken, …).
      await db.schema.createTable('idp_models')
        .addColumn('model', 'text', (col) => col.notNull())
        .addColumn('id', 'text', (col) => col.notNull())
        .addColumn('payload', 'text', (col) => col.notNull()) // JSON
        .addColumn('grant_id', 'text')
        .addColumn('user_code', 'text')
        .addColumn('uid', 'text')
        .addColumn('expires_at', 'text') // ISO 8601 UTC; null = never
        .addColumn('consumed_at', 'text')
        .addPrimaryKeyConstraint('idp_models__model_id__pk', ['model', 'id'])
        .execute()
      // The adapter's secondary lookups: revokeByGrantId, findByUserCode, findByUid; and expiry sweeps.
      await db.schema.createIndex('idp_models__grant_id__index').on('idp_models').column('grant_id').execute()
      await db.schema.createIndex('idp_models__model_user_code__index').on('idp_models').columns(['model', 'user_code']).execute()
      await db.schema.createIndex('idp_models__model_uid__index').on('idp_models').columns(['model', 'uid']).execute()
      await db.schema.createIndex('idp_models__expires_at__index').on('idp_models').column('expires_at').execute()

      // Scopes the provider accepts beyond its base ones, added as products and plans name them.
      await db.schema.createTable('idp_scopes')
        .addColumn('scope', 'text', (col) => col.primaryKey())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .execute()
    },
    async down (db: Kysely<any>) {
      await db.schema.dropTable('idp_scopes').execute()
      await db.schema.dropTable('idp_models').execute()
    }
  }
}
