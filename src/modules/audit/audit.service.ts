import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { listAuditEntries, type AuditFilter } from './audit.repository.ts'
import { toAuditRecord, type AuditRecord } from './audit.ts'

export type { AuditFilter }

export class AuditLogService {
  constructor (private readonly deps: { readonly db: Db }) {}

  async list (page: Page, filter: AuditFilter = {}): Promise<AuditRecord[]> {
    return (await listAuditEntries(this.deps.db, page, filter)).map(toAuditRecord)
  }
}
