import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export interface AdminToken {
  readonly token: string
  /** True when this call generated the token (first start): the caller prints it, once. */
  readonly generated: boolean
}

/** PORTAL_ADMIN_TOKEN when set; else the token kept in <dataDir>/admin-token (mode 0600), made on first start. */
export function resolveAdminToken (configured: string | undefined, dataDir: string): AdminToken {
  if (configured !== undefined) return { token: configured, generated: false }
  const file = path.join(dataDir, 'admin-token')
  if (fs.existsSync(file)) return { token: fs.readFileSync(file, 'utf8').trim(), generated: false }
  fs.mkdirSync(dataDir, { recursive: true })
  const token = randomBytes(32).toString('base64url')
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' })
  return { token, generated: true }
}
