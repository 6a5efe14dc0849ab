import path from 'node:path'
import { generateSecretKeyEntry, parseSecretKeys, type SecretKey } from './shared/secret-box.ts'
import { readOrCreateSecretFile } from './shared/secret-file.ts'

export const SECRET_KEYS_FILE = 'secret-keys'

/**
 * PORTAL_SECRET_KEYS when set; else the keys kept in <dataDir>/secret-keys (mode 0600, same format),
 * made on first start. `fromFile` lets the caller warn: in production the keys belong outside the data.
 */
export function resolveSecretKeys (configured: readonly SecretKey[] | undefined, dataDir: string): { keys: readonly SecretKey[]; fromFile?: string } {
  if (configured !== undefined) return { keys: configured }
  const file = path.join(dataDir, SECRET_KEYS_FILE)
  return { keys: parseSecretKeys(readOrCreateSecretFile(file, generateSecretKeyEntry).content), fromFile: file }
}
