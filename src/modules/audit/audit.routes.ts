import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { parsePage } from '../../shared/pagination.ts'
import { AuditEntry, AuditLogQuery, parseAuditFilter, toAuditEntry } from './audit.schemas.ts'
import type { AuditLogService } from './audit.service.ts'

export function auditLogRoutes (auditLog: AuditLogService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/audit-log', {
      schema: {
        operationId: 'list-audit-log',
        tags: ['Audit'],
        summary: 'Admin changes, newest first (descending ID), paged like every list; of one kind of resource or one resource',
        querystring: AuditLogQuery,
        response: { 200: Type.Array(AuditEntry) }
      }
    }, async (request) => (await auditLog.list(parsePage(request.query), parseAuditFilter(request.query))).map(toAuditEntry))
  }
}
