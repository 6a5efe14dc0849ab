// The console's sessions (issue 12): a random token in an http-only cookie, its SHA-256 in the database
// (a copied table opens no session), the ID token sealed for the sign-out hint. Rows, not signed cookies,
// so that signing out ends the session everywhere and replicas on one database share them.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import type { Db } from '../db/database.ts'
import type { ConsoleSessionRow } from '../db/tables/console-session.table.ts'
import { sameSecret } from '../shared/same-secret.ts'
import type { SecretBox } from '../shared/secret-box.ts'
import type { Clock } from '../shared/time.ts'

/** Who signed in, as the identity provider's ID token says. */
export interface Person {
  /** `${iss} ${sub}`: unique across providers. */
  readonly subject: string
  readonly username: string
  readonly name: string
  readonly isAdmin: boolean
}

export interface Session extends Person {
  /** The hidden field every state-changing form carries: an HMAC of the session's token (OWASP CSRF, synchronizer token). */
  readonly csrfToken: string
  readonly expiresAt: string
}

export interface SessionsOptions {
  readonly db: Db
  readonly box: SecretBox
  readonly now: Clock
  readonly hours: number
}

export class Sessions {
  constructor (private readonly options: SessionsOptions) {}

  /** The cookie's Max-Age: a session ends at the latest this long after sign-in. */
  get lifetimeSeconds (): number {
    return this.options.hours * 3600
  }

  /** A new session; answers the cookie's token (shown to nobody else). Ended sessions go first, so the table holds the live ones. */
  async start (person: Person, idToken: string): Promise<string> {
    await this.deleteExpired()
    const token = randomBytes(32).toString('base64url')
    const id = digest(token)
    const now = this.options.now()
    await this.options.db.insertInto('console_sessions').values({
      id,
      subject: person.subject,
      username: person.username,
      name: person.name,
      is_admin: person.isAdmin ? 1 : 0,
      id_token: this.options.box.seal(idToken, sealContext(id)),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.options.hours * 3_600_000).toISOString()
    }).execute()
    return token
  }

  async find (token: string): Promise<Session | undefined> {
    const row = await this.options.db.selectFrom('console_sessions').selectAll()
      .where('id', '=', digest(token)).where('expires_at', '>', this.options.now().toISOString()).executeTakeFirst()
    return row === undefined ? undefined : toSession(row, token)
  }

  /** Ends the session; answers its ID token for the identity provider's sign-out, if it was alive. */
  async end (token: string): Promise<string | undefined> {
    const id = digest(token)
    const row = await this.options.db.deleteFrom('console_sessions').where('id', '=', id).returning('id_token').executeTakeFirst()
    return row === undefined ? undefined : this.options.box.open(row.id_token, sealContext(id))
  }

  async deleteExpired (): Promise<void> {
    await this.options.db.deleteFrom('console_sessions').where('expires_at', '<=', this.options.now().toISOString()).execute()
  }
}

export function sameCsrfToken (session: Session, given: unknown): boolean {
  return typeof given === 'string' && sameSecret(given, session.csrfToken)
}

function toSession (row: ConsoleSessionRow, token: string): Session {
  return {
    subject: row.subject,
    username: row.username,
    name: row.name,
    isAdmin: row.is_admin === 1,
    csrfToken: createHmac('sha256', token).update('console csrf').digest('base64url'),
    expiresAt: row.expires_at
  }
}

function digest (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

function sealContext (id: string): string {
  return `console_sessions.id_token:${id}`
}
