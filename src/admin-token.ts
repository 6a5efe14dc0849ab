import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { readOrCreateSecretFile } from './shared/secret-file.ts'

export interface AdminToken {
  readonly token: string
  /** True when this call generated the token (first start): the caller prints it, once. */
  readonly generated: boolean
}

/** PORTAL_ADMIN_TOKEN when set; else the token kept in <dataDir>/admin-token (mode 0600), made on first start. */
export function resolveAdminToken (configured: string | undefined, dataDir: string): AdminToken {
  if (configured !== undefined) return { token: configured, generated: false }
  const { content, created } = readOrCreateSecretFile(path.join(dataDir, 'admin-token'), () => randomBytes(32).toString('base64url'))
  return { token: content, generated: created }
}
