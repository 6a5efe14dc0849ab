import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. Issue 14 item 3: Tyk pages by number, and an OFFSET walks
// every row before the page. `list_positions` counts the rows of each list per block of 1024 ids, kept by
// triggers in the transaction of every insert, delete and scope change, so that a page starts with a jump
// to its block (src/db/list-positions.ts) and walks at most one block.
const BLOCK = 1024

/** Every paged list: its table, the column that scopes it (none: one list of the whole table), its order column. */
const LISTS = [
  { list: 'oauth_providers', table: 'oauth_providers', scope: undefined, id: 'id' },
  { list: 'oauth_client_types', table: 'oauth_client_types', scope: 'provider_id', id: 'id' },
  { list: 'products', table: 'products', scope: undefined, id: 'id' },
  { list: 'product_client_types', table: 'product_client_types', scope: 'product_id', id: 'client_type_id' },
  { list: 'plans', table: 'plans', scope: undefined, id: 'id' },
  { list: 'apps', table: 'apps', scope: undefined, id: 'id' },
  { list: 'access_requests', table: 'access_requests', scope: undefined, id: 'id' },
  { list: 'app_access_requests', table: 'access_requests', scope: 'app_id', id: 'id' },
  { list: 'credentials', table: 'credentials', scope: 'access_request_id', id: 'id' },
  { list: 'audit_log', table: 'audit_log', scope: undefined, id: 'id' }
] as const

type List = (typeof LISTS)[number]

const scopeOf = (list: List, row: 'NEW' | 'OLD' | undefined) => list.scope === undefined ? '0' : row === undefined ? list.scope : `${row}.${list.scope}`
const idOf = (list: List, row: 'NEW' | 'OLD' | undefined) => row === undefined ? list.id : `${row}.${list.id}`

function add (list: List, row: 'NEW'): string {
  return `INSERT INTO list_positions (list, scope, block, row_count) VALUES ('${list.list}', ${scopeOf(list, row)}, ${idOf(list, row)} / ${BLOCK}, 1)
    ON CONFLICT (list, scope, block) DO UPDATE SET row_count = list_positions.row_count + 1;`
}

function remove (list: List, row: 'OLD'): string {
  const where = `list = '${list.list}' AND scope = ${scopeOf(list, row)} AND block = ${idOf(list, row)} / ${BLOCK}`
  return `UPDATE list_positions SET row_count = row_count - 1 WHERE ${where};
    DELETE FROM list_positions WHERE ${where} AND row_count = 0;`
}

async function sqliteTriggers (db: Kysely<any>, list: List): Promise<void> {
  const name = `list_positions_${list.list}`
  await sql.raw(`CREATE TRIGGER ${name}_insert AFTER INSERT ON ${list.table} BEGIN ${add(list, 'NEW')} END`).execute(db)
  await sql.raw(`CREATE TRIGGER ${name}_delete AFTER DELETE ON ${list.table} BEGIN ${remove(list, 'OLD')} END`).execute(db)
  const moved = list.scope === undefined ? '' : ` OR OLD.${list.scope} IS NOT NEW.${list.scope}`
  await sql.raw(`CREATE TRIGGER ${name}_update AFTER UPDATE ON ${list.table} WHEN OLD.${list.id} IS NOT NEW.${list.id}${moved}
    BEGIN ${remove(list, 'OLD')} ${add(list, 'NEW')} END`).execute(db)
}

async function postgresTriggers (db: Kysely<any>, list: List): Promise<void> {
  const name = `list_positions_${list.list}`
  const moved = list.scope === undefined ? '' : ` OR OLD.${list.scope} IS DISTINCT FROM NEW.${list.scope}`
  await sql.raw(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.${list.id} IS DISTINCT FROM NEW.${list.id}${moved})) THEN ${remove(list, 'OLD')} END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (OLD.${list.id} IS DISTINCT FROM NEW.${list.id}${moved})) THEN ${add(list, 'NEW')} END IF;
    RETURN NULL; END $$`).execute(db)
  await sql.raw(`CREATE TRIGGER ${name} AFTER INSERT OR DELETE OR UPDATE ON ${list.table} FOR EACH ROW EXECUTE FUNCTION ${name}()`).execute(db)
}

export function listPositions (dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      await db.schema.createTable('list_positions')
        .addColumn('list', 'text', (col) => col.notNull())
        .addColumn('scope', 'integer', (col) => col.notNull())
        .addColumn('block', 'integer', (col) => col.notNull())
        .addColumn('row_count', 'integer', (col) => col.notNull())
        .addPrimaryKeyConstraint('list_positions_pk', ['list', 'scope', 'block'])
        .execute()
      for (const list of LISTS) {
        await sql.raw(`INSERT INTO list_positions (list, scope, block, row_count)
          SELECT '${list.list}', ${scopeOf(list, undefined)}, ${idOf(list, undefined)} / ${BLOCK}, count(*) FROM ${list.table}
          GROUP BY ${list.scope === undefined ? '' : `${list.scope}, `}${idOf(list, undefined)} / ${BLOCK}`).execute(db)
        await (dialect === 'sqlite' ? sqliteTriggers(db, list) : postgresTriggers(db, list))
      }
    },
    async down (db: Kysely<any>) {
      for (const list of LISTS) {
        const name = `list_positions_${list.list}`
        if (dialect === 'sqlite') {
          for (const event of ['insert', 'delete', 'update']) await sql.raw(`DROP TRIGGER ${name}_${event}`).execute(db)
        } else {
          await sql.raw(`DROP TRIGGER ${name} ON ${list.table}`).execute(db)
          await sql.raw(`DROP FUNCTION ${name}()`).execute(db)
        }
      }
      await db.schema.dropTable('list_positions').execute()
    }
  }
}
