import fs from 'node:fs'
import path from 'node:path'

/**
 * A secret kept in the data directory: the file's content when it exists; otherwise `create()`, written
 * exclusively with mode 0600 (never in the repository). `created` tells the caller this start made it.
 */
export function readOrCreateSecretFile (file: string, create: () => string): { content: string; created: boolean } {
  try {
    return { content: fs.readFileSync(file, 'utf8').trim(), created: false }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const content = create()
  fs.writeFileSync(file, `${content}\n`, { mode: 0o600, flag: 'wx' })
  return { content, created: true }
}
