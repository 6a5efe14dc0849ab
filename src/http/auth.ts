// Admin authentication (design.md §2): `Authorization: <token>` as Tyk sends it, or `Bearer <token>`.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

/** An onRequest hook that lets only the admin token through; compares digests in constant time. */
export function adminAuth (adminToken: string) {
  const expected = digest(adminToken)
  return async function authenticate (request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization
    if (header === undefined || header === '') throw new AppError('unauthorized', 'missing Authorization header: send the admin API token')
    const presented = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '') : header
    if (!timingSafeEqual(digest(presented), expected)) throw new AppError('unauthorized', 'invalid admin API token in the Authorization header')
  }
}
