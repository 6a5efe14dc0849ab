// First start (issue 12): an empty account table gets one account, "admin", whose generated password is
// kept in the data directory (mode 0600, like the admin API token) and handed to the caller to print once;
// it is in the group that the admin console admits by default.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../errors.ts'
import { readOrCreateSecretFile } from '../shared/secret-file.ts'
import type { IdpAccounts } from './accounts.ts'

export const ADMIN_PASSWORD_FILE = 'embedded-idp-admin-password'
export const FIRST_ADMIN_USERNAME = 'admin'
/** The group whose members may use the admin console by default (PORTAL_CONSOLE_ADMIN_CLAIM=groups=portal-admins). */
export const ADMIN_GROUP = 'portal-admins'

export interface FirstAdmin {
  readonly username: string
  /** Where the password is kept. */
  readonly file: string
  /** Set when this start generated it (the file is new): the caller prints it, once, and never logs it. */
  readonly generatedPassword: string | undefined
}

/** Creates the first account when there is none; undefined when accounts already exist. */
export async function ensureFirstAdmin (accounts: IdpAccounts, dataDir: string): Promise<FirstAdmin | undefined> {
  if (await accounts.count() > 0) return undefined
  const file = path.join(dataDir, ADMIN_PASSWORD_FILE)
  // 24 characters of base64url: 144 random bits.
  const { content: password, created } = readOrCreateSecretFile(file, () => randomBytes(18).toString('base64url'))
  try {
    await accounts.create({ username: FIRST_ADMIN_USERNAME, name: 'Administrator', groups: [ADMIN_GROUP], password })
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'conflict_taken')) throw error
    // Another replica on the same database made it first: its password is in its own data directory.
    if (created) fs.rmSync(file, { force: true })
    return undefined
  }
  return { username: FIRST_ADMIN_USERNAME, file, generatedPassword: created ? password : undefined }
}
