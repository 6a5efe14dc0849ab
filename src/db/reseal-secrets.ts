// Re-seals every secret under the newest key (PORTAL_SECRET_KEYS' first), in small batches, each row with
// a compare-and-set so a concurrent write is never overwritten. Resumable: only rows not yet under the
// newest key are picked, so a stopped run simply continues. Values stored before sealing existed
// (plain text, not "v1.…") are sealed too.
import { sql } from 'kysely'
import type { SecretBox } from '../shared/secret-box.ts'
import { SEALED_COLUMNS, openColumn, sealColumn, type SealedColumn } from '../shared/sealed-columns.ts'
import type { Db } from './database.ts'

const BATCH = 100

export async function resealSecrets (db: Db, box: SecretBox): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const column of SEALED_COLUMNS) counts[`${column.table}.${column.column}`] = await resealColumn(db, box, column)
  return counts
}

async function resealColumn (db: Db, box: SecretBox, column: SealedColumn): Promise<number> {
  const current = `v1.${box.currentKeyId}.%`
  let done = 0
  let after = 0
  for (;;) {
    const { rows } = await sql<{ id: number; value: string }>`
      select id, ${sql.ref(column.column)} as value from ${sql.table(column.table)}
      where ${sql.ref(column.column)} is not null and ${sql.ref(column.column)} not like ${current} and id > ${after}
      order by id limit ${BATCH}`.execute(db)
    if (rows.length === 0) return done
    for (const { id, value } of rows) {
      const plaintext = value.startsWith('v1.') ? openColumn(box, column, id, value)! : value
      const { numAffectedRows } = await sql`
        update ${sql.table(column.table)} set ${sql.ref(column.column)} = ${sealColumn(box, column, id, plaintext)}
        where id = ${id} and ${sql.ref(column.column)} = ${value}`.execute(db)
      if (numAffectedRows !== undefined && numAffectedRows > 0n) done++
      after = id
    }
  }
}
