import type { Db } from '../../db/database.ts'
import type { Page } from '../../shared/pagination.ts'
import { listAuditEntries } from './audit.repository.ts'
import { toAuditRecord, type AuditRecord } from './audit.ts'

export class AuditLogService {
  constructor (private readonly deps: { readonly db: Db }) {}

  async list (page: Page): Promise<AuditRecord[]> {
    return (await listAuditEntries(this.deps.db, page)).map(toAuditRecord)
  }
}
