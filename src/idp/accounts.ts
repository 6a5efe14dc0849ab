// The people who sign in at the embedded IdP (issue 12): accounts in the portal's database, passwords
// hashed with argon2id. A failed sign-in costs one hash whether or not the account exists, so its timing
// does not tell an attacker which usernames are real.
import { randomUUID } from 'node:crypto'
import argon2 from 'argon2'
import { sql } from 'kysely'
import { uniqueOrConflict, type Db } from '../db/database.ts'
import type { IdpAccountRow } from '../db/tables/idp-account.table.ts'
import { AppError, show } from '../errors.ts'
import type { Clock } from '../shared/time.ts'

export interface IdpAccount {
  /** Random and never reused: the `sub` claim. */
  readonly id: string
  readonly username: string
  readonly email: string | null
  readonly emailVerified: boolean
  readonly name: string
  /** The `groups` claim; "portal-admins" may use the admin console (PORTAL_CONSOLE_ADMIN_CLAIM). */
  readonly groups: readonly string[]
  readonly active: boolean
  readonly createdAt: string
  readonly updatedAt: string
}

export interface NewIdpAccount {
  readonly username: string
  readonly name: string
  readonly email?: string | null
  readonly emailVerified?: boolean
  readonly groups?: readonly string[]
  readonly password: string
}

export const USERNAME_MAX = 64
// ASCII only, so that SQLite's lower() (ASCII) and PostgreSQL's agree on the unique index.
const USERNAME = new RegExp(`^[A-Za-z0-9._@+-]{1,${USERNAME_MAX}}$`)
// A pragmatic shape check (RFC 5321 allows more; the IdP sends it as a claim, it never sends mail).
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/
// NIST SP 800-63B §3.1.1.2: at least 8 characters, accept at least 64; the cap bounds the work of a hash.
export const PASSWORD_LENGTH = { min: 8, max: 1024 } as const
const NAME_MAX = 200

// OWASP Password Storage Cheat Sheet, argon2id: 19 MiB of memory, 2 iterations, 1 lane.
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

/** How passwords are hashed: argon2id with HASH_OPTIONS (tests wrap it to count the work done). */
export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(hash: string, password: string): Promise<boolean>
  /** True when `hash` was made with other parameters than hash() uses now. */
  needsRehash(hash: string): boolean
}

export const ARGON2ID: PasswordHasher = {
  hash: async (password) => await argon2.hash(password, HASH_OPTIONS),
  verify: async (hash, password) => await argon2.verify(hash, password),
  needsRehash: (hash) => argon2.needsRehash(hash, HASH_OPTIONS)
}

export interface IdpAccountsOptions {
  readonly db: Db
  readonly now?: Clock
  readonly hasher?: PasswordHasher
}

export class IdpAccounts {
  private readonly db: Db
  private readonly now: Clock
  private readonly hasher: PasswordHasher
  /** Verified against when no usable account matches, so that a failure always costs one hash. */
  private readonly dummyHash: Promise<string>

  constructor ({ db, now = () => new Date(), hasher = ARGON2ID }: IdpAccountsOptions) {
    this.db = db
    this.now = now
    this.hasher = hasher
    this.dummyHash = hasher.hash(randomUUID())
  }

  async create (account: NewIdpAccount): Promise<IdpAccount> {
    const problems = [
      ...(USERNAME.test(account.username) ? [] : [`username ${show(account.username)} must be 1 to ${USERNAME_MAX} characters: letters, digits and . _ @ + -`]),
      ...(account.name.trim() !== '' && account.name.length <= NAME_MAX ? [] : [`name ${show(account.name)} must be 1 to ${NAME_MAX} characters, not only spaces`]),
      ...(account.email == null || EMAIL.test(account.email) ? [] : [`email ${show(account.email)} is not an email address`]),
      ...passwordProblems(account.password)
    ]
    if (problems.length > 0) throw new AppError('invalid_input', problems)
    const timestamp = this.now().toISOString()
    const row = {
      id: randomUUID(),
      username: account.username,
      email: account.email ?? null,
      email_verified: account.emailVerified === true ? 1 : 0,
      name: account.name,
      groups: JSON.stringify(account.groups ?? []),
      password_hash: await this.hasher.hash(account.password),
      active: 1,
      created_at: timestamp,
      updated_at: timestamp
    }
    await uniqueOrConflict(this.db.insertInto('idp_accounts').values(row).execute(), `username ${show(account.username)} is already taken (usernames ignore case)`)
    return toAccount(row)
  }

  /** The account `id` names, when it may still sign in (an inactive one finds none: its tokens stop working). */
  async findActive (id: string): Promise<IdpAccount | undefined> {
    const row = await this.db.selectFrom('idp_accounts').selectAll().where('id', '=', id).where('active', '=', 1).executeTakeFirst()
    return row === undefined ? undefined : toAccount(row)
  }

  /** Deletes an account (its sessions and tokens then find no account). */
  async remove (id: string): Promise<void> {
    await this.db.deleteFrom('idp_accounts').where('id', '=', id).execute()
  }

  async count (): Promise<number> {
    const { count } = await this.db.selectFrom('idp_accounts').select((eb) => eb.fn.countAll<number | string>().as('count')).executeTakeFirstOrThrow()
    return Number(count)
  }

  /**
   * The active account with this username and password, else undefined, whatever the reason: the caller
   * answers every failure alike, and each failure has verified one hash (OWASP Authentication Cheat Sheet).
   */
  async authenticate (username: string, password: string): Promise<IdpAccount | undefined> {
    const candidate = password.length <= PASSWORD_LENGTH.max ? password : ''
    const row = USERNAME.test(username) && candidate !== '' ? await this.findByUsername(username) : undefined
    const matches = await this.hasher.verify(row?.password_hash ?? await this.dummyHash, candidate)
    if (row === undefined || !matches || row.active !== 1) return undefined
    if (this.hasher.needsRehash(row.password_hash)) {
      // Other parameters since it was stored: the plain password is at hand only now.
      await this.db.updateTable('idp_accounts').set({ password_hash: await this.hasher.hash(password), updated_at: this.now().toISOString() }).where('id', '=', row.id).execute()
    }
    return toAccount(row)
  }

  private async findByUsername (username: string): Promise<IdpAccountRow | undefined> {
    return await this.db.selectFrom('idp_accounts').selectAll().where(sql<string>`lower(username)`, '=', usernameKey(username)).executeTakeFirst()
  }
}

/** What names one account, whatever the case typed (the per-account rate limit counts by it too). */
export function usernameKey (username: string): string {
  return username.toLowerCase()
}

function passwordProblems (password: string): string[] {
  // Never show the value: it is a password.
  if (password.length < PASSWORD_LENGTH.min || password.length > PASSWORD_LENGTH.max) return [`password must be ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters`]
  return []
}

function toAccount (row: IdpAccountRow): IdpAccount {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: row.email_verified === 1,
    name: row.name,
    groups: JSON.parse(row.groups) as string[],
    active: row.active === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}
