// An API token per admin user (issue 13 item 5), as Tyk gives each admin user an access token for
// /portal-api: made and revoked in the console, shown once, kept as its SHA-256. It acts as `user:<email>`
// while its user is an active admin user (super-admin, provider-admin), and goes with the user.
import { createHash, randomBytes } from 'node:crypto'
import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import type { Actor } from '../../shared/actor.ts'
import type { Clock } from '../../shared/time.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { recordAudit } from '../audit/audit.ts'
import { isAdminRole } from '../organisations/member.record.ts'
import { deleteTokenOf, findAdminByTokenHash, findTokenOf, saveToken } from './api-token.repository.ts'
import { getUserRow } from './user.service.ts'

/** What is known of a user's token: never the token. */
export interface ApiTokenRecord {
  readonly userId: number
  readonly createdAt: string // ISO 8601, UTC
  /** The actor who created it. */
  readonly createdBy: string
}

/** The audit actor of a user's token (the bootstrap token is `bootstrap-token:<fingerprint>`, a console session `person:<username>`). */
export const userActor = (email: string) => `user:${email}`

export interface ApiTokenServiceDeps {
  readonly db: Db
  readonly now: Clock
}

export class ApiTokenService {
  constructor (private readonly deps: ApiTokenServiceDeps) {}

  /** The user's token, if they have one (404 for an unknown user). */
  async find (userId: number): Promise<ApiTokenRecord | undefined> {
    await getUserRow(this.deps.db, userId)
    const row = await findTokenOf(this.deps.db, userId)
    return row === undefined ? undefined : { userId: row.user_id, createdAt: row.created_at, createdBy: row.created_by }
  }

  /** A new token for an active admin user, replacing theirs if any; answers it: the only time it is seen. */
  async create (userId: number, actor: Actor): Promise<{ readonly token: string; readonly record: ApiTokenRecord }> {
    // 256 random bits: unguessable, so that a lookup by its hash needs no constant-time comparison (auth.ts).
    const token = randomBytes(32).toString('base64url')
    const at = this.deps.now()
    const record = { userId, createdAt: at.toISOString(), createdBy: actor.fingerprint }
    await this.deps.db.transaction().execute(async (trx) => {
      const user = await getUserRow(trx, userId)
      if (!isAdminRole(user.role)) {
        throw new AppError('invalid_state', `user ${userId} ${show(user.email)} has the role ${show(user.role)}: only admin users (super-admin, provider-admin) have an API token`)
      }
      if (user.active !== 1) throw new AppError('invalid_state', `user ${userId} ${show(user.email)} is not active: activate the user first`)
      const before = await findTokenOf(trx, userId)
      await saveToken(trx, { user_id: userId, token_hash: tokenHash(token), created_at: record.createdAt, created_by: record.createdBy })
      await recordAudit(trx, {
        actor, at, action: 'create_api_token', resourceType: 'user', resourceId: userId,
        ...(before === undefined ? {} : { before: snapshot(before.created_at, before.created_by) }),
        after: snapshot(record.createdAt, record.createdBy)
      })
    })
    return { token, record }
  }

  /** The token stops working at once. */
  async revoke (userId: number, actor: Actor): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      await getUserRow(trx, userId)
      const before = await findTokenOf(trx, userId)
      if (before === undefined) throw new AppError('invalid_state', `user ${userId} has no API token to revoke`)
      await deleteTokenOf(trx, userId)
      await recordAudit(trx, { actor, at: this.deps.now(), action: 'revoke_api_token', resourceType: 'user', resourceId: userId, before: snapshot(before.created_at, before.created_by) })
    })
  }

  /** The audit actor of a live token by its SHA-256, or undefined (unknown, revoked, user inactive or no admin any more). */
  async actorOf (digest: Buffer): Promise<string | undefined> {
    const email = await findAdminByTokenHash(this.deps.db, digest.toString('hex'))
    return email === undefined ? undefined : userActor(email)
  }
}

function tokenHash (token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** A token as the audit trail keeps it: when and by whom it was made, never the token. */
const snapshot = (createdAt: string, createdBy: string) => ({ APITokenCreatedAt: formatTimestamp(createdAt), CreatedBy: createdBy })
