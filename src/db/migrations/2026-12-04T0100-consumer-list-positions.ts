import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
type Dialect = 'sqlite' | 'postgres' // a copy, not an import: migrations are frozen

// Frozen: never import application code here. The lists of issue 13 item 1 page like the others
// (2026-12-02T0100-list-positions, whose trigger generator this repeats: a migration imports kysely only).
const BLOCK = 1024

const LISTS = [
  { list: 'organisations', table: 'organisations', scope: undefined },
  { list: 'teams', table: 'teams', scope: 'organisation_id' },
  { list: 'users', table: 'users', scope: undefined },
  { list: 'catalogues', table: 'catalogues', scope: undefined },
  { list: 'catalogue_audiences', table: 'catalogue_audiences', scope: 'catalogue_id' }
] as const

type List = (typeof LISTS)[number]

const scopeOf = (list: List, row = '') => list.scope === undefined ? '0' : `${row}${list.scope}`

const add = (list: List) => `INSERT INTO list_positions (list, scope, block, row_count) VALUES ('${list.list}', ${scopeOf(list, 'NEW.')}, NEW.id / ${BLOCK}, 1)
  ON CONFLICT (list, scope, block) DO UPDATE SET row_count = list_positions.row_count + 1;`

function remove (list: List): string {
  const where = `list = '${list.list}' AND scope = ${scopeOf(list, 'OLD.')} AND block = OLD.id / ${BLOCK}`
  return `UPDATE list_positions SET row_count = row_count - 1 WHERE ${where}; DELETE FROM list_positions WHERE ${where} AND row_count = 0;`
}

export function consumerListPositions (dialect: Dialect): Migration {
  return {
    async up (db: Kysely<any>) {
      for (const list of LISTS) {
        const name = `list_positions_${list.list}`
        await sql.raw(`INSERT INTO list_positions (list, scope, block, row_count) SELECT '${list.list}', ${scopeOf(list)}, id / ${BLOCK}, count(*)
          FROM ${list.table} GROUP BY ${list.scope === undefined ? '' : `${list.scope}, `}id / ${BLOCK}`).execute(db)
        if (dialect === 'sqlite') {
          await sql.raw(`CREATE TRIGGER ${name}_insert AFTER INSERT ON ${list.table} BEGIN ${add(list)} END`).execute(db)
          await sql.raw(`CREATE TRIGGER ${name}_delete AFTER DELETE ON ${list.table} BEGIN ${remove(list)} END`).execute(db)
          const moved = list.scope === undefined ? '' : ` OR OLD.${list.scope} IS NOT NEW.${list.scope}`
          await sql.raw(`CREATE TRIGGER ${name}_update AFTER UPDATE ON ${list.table} WHEN OLD.id IS NOT NEW.id${moved} BEGIN ${remove(list)} ${add(list)} END`).execute(db)
        } else {
          const moved = `(TG_OP = 'UPDATE' AND (OLD.id IS DISTINCT FROM NEW.id${list.scope === undefined ? '' : ` OR OLD.${list.scope} IS DISTINCT FROM NEW.${list.scope}`}))`
          await sql.raw(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            IF TG_OP = 'DELETE' OR ${moved} THEN ${remove(list)} END IF;
            IF TG_OP = 'INSERT' OR ${moved} THEN ${add(list)} END IF;
            RETURN NULL; END $$`).execute(db)
          await sql.raw(`CREATE TRIGGER ${name} AFTER INSERT OR DELETE OR UPDATE ON ${list.table} FOR EACH ROW EXECUTE FUNCTION ${name}()`).execute(db)
        }
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
        await db.deleteFrom('list_positions').where('list', '=', list.list).execute()
      }
    }
  }
}
