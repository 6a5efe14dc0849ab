import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import type { Database, Db } from '../../src/db/database.ts'
import { LIST_BLOCK } from '../../src/db/list-positions.ts'
import { listAuditEntries } from '../../src/modules/audit/audit.repository.ts'
import { listClientTypes } from '../../src/modules/oauth-providers/client-type.repository.ts'
import { dialects } from '../helpers/dialects.ts'

// Issue 14 item 3: a page jumps to its block by the per-block row counts the triggers keep. Whatever the
// inserts, deletes (direct or cascaded) and moves between scopes, every page equals the OFFSET answer.
const NOW = '2026-12-02T10:00:00.000Z'
const MAX_ID = 4 * LIST_BLOCK // ids over four blocks, so that pages cross block boundaries

type Command =
  | { readonly op: 'insert'; readonly id: number; readonly provider: number }
  | { readonly op: 'delete'; readonly id: number }
  | { readonly op: 'move'; readonly id: number; readonly provider: number }
  | { readonly op: 'audit'; readonly id: number }
  | { readonly op: 'forget'; readonly id: number }
  | { readonly op: 'drop provider'; readonly provider: number }

const id = fc.integer({ min: 1, max: MAX_ID })
const provider = fc.integer({ min: 0, max: 1 })
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('insert' as const), id, provider }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), id }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('move' as const), id, provider }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('audit' as const), id }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('forget' as const), id }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('drop provider' as const), provider }), weight: 1 }
)
// Offsets at, just before and just after the rows of a block, and past the end.
const page = fc.record({ offset: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 3 }).map((k) => k * 20)), limit: fc.integer({ min: 1, max: 25 }) })

for (const dialect of dialects) {
  describe(`list positions on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: Database
    let db: Db
    before(async () => { database = await dialect.open(); db = database.db })
    after(async () => { await database.close() })

    const providerIds: number[] = []
    const ensureProviders = async () => {
      for (const [index, existing] of [providerIds[0], providerIds[1]].entries()) {
        if (existing !== undefined && await db.selectFrom('oauth_providers').select('id').where('id', '=', existing).executeTakeFirst() !== undefined) continue
        providerIds[index] = (await db.insertInto('oauth_providers').values({
          name: `p${index}-${Math.random()}`, type: 'Keycloak', well_known_url: 'http://127.0.0.1:1/.well-known/openid-configuration',
          registration_access_token: null, ssl_insecure_skip_verify: 0, created_at: NOW, updated_at: NOW
        }).returning('id').executeTakeFirstOrThrow()).id
      }
    }
    const run = async (step: Command) => {
      await ensureProviders()
      const exists = async (table: 'oauth_client_types' | 'audit_log', rowId: number) => await db.selectFrom(table).select('id').where('id', '=', rowId).executeTakeFirst() !== undefined
      switch (step.op) {
        case 'insert':
          if (await exists('oauth_client_types', step.id)) return
          await db.insertInto('oauth_client_types').values({
            id: step.id, provider_id: providerIds[step.provider]!, name: `t${step.id}`, description: '', response_types: 'code',
            grant_types: 'authorization_code', token_endpoint_auth_method: 'client_secret_basic', okta_app_type: '', created_at: NOW, updated_at: NOW
          }).execute()
          return
        case 'delete': await db.deleteFrom('oauth_client_types').where('id', '=', step.id).execute(); return
        case 'move': await db.updateTable('oauth_client_types').set({ provider_id: providerIds[step.provider]! }).where('id', '=', step.id).execute(); return
        case 'audit':
          if (await exists('audit_log', step.id)) return
          await db.insertInto('audit_log').values({ id: step.id, occurred_at: NOW, actor: 'a', request_id: 'r', action: 'create', resource_type: 'x', resource_id: 1, before: null, after: null }).execute()
          return
        case 'forget': await db.deleteFrom('audit_log').where('id', '=', step.id).execute(); return
        case 'drop provider': await db.deleteFrom('oauth_providers').where('id', '=', providerIds[step.provider]!).execute() // cascades to its client types
      }
    }

    it('gives every page of a scoped list and of a descending list exactly as OFFSET does', async () => {
      await fc.assert(fc.asyncProperty(fc.array(command, { maxLength: 60 }), fc.array(page, { minLength: 1, maxLength: 6 }), async (commands, pages) => {
        for (const step of commands) await run(step)
        await ensureProviders()
        for (const { offset, limit } of pages) {
          for (const providerId of providerIds) {
            const expected = await db.selectFrom('oauth_client_types').select('id').where('provider_id', '=', providerId).orderBy('id').limit(limit).offset(offset).execute()
            assert.deepEqual((await listClientTypes(db, providerId, { offset, limit })).map((row) => row.id), expected.map((row) => row.id), `provider ${providerId}, offset ${offset}, limit ${limit}`)
          }
          const expected = await db.selectFrom('audit_log').select('id').orderBy('id', 'desc').limit(limit).offset(offset).execute()
          assert.deepEqual((await listAuditEntries(db, { offset, limit })).map((row) => row.id), expected.map((row) => row.id), `audit log, offset ${offset}, limit ${limit}`)
        }
      }), { numRuns: 40 })
    })

    it('keeps the counts equal to a count of the rows, per scope and block', async () => {
      await fc.assert(fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
        for (const step of commands) await run(step)
        const kept = await db.selectFrom('list_positions').select(['scope', 'block', 'row_count']).where('list', '=', 'oauth_client_types').orderBy('scope').orderBy('block').execute()
        const rows = await db.selectFrom('oauth_client_types').select(['provider_id', 'id']).execute()
        const counted = new Map<string, number>()
        for (const row of rows) counted.set(`${row.provider_id}/${Math.floor(row.id / LIST_BLOCK)}`, (counted.get(`${row.provider_id}/${Math.floor(row.id / LIST_BLOCK)}`) ?? 0) + 1)
        assert.deepEqual(new Map(kept.map((row) => [`${row.scope}/${row.block}`, row.row_count])), counted)
      }), { numRuns: 20 })
    })
  })
}
