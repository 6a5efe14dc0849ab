// Secrets at rest (issue 5): AES-256-GCM with a random 96-bit IV, the key id stored with the value, and
// associated data that binds the value to its table, column and row (a sealed value copied to another
// row or column does not open). The first key seals; every key opens, so keys can be rotated.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

export interface SecretKey {
  readonly id: string
  readonly key: Buffer // 32 bytes
}

const VERSION = 'v1'

export class SecretBox {
  private readonly byId: ReadonlyMap<string, Buffer>

  constructor (private readonly keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key')
    this.byId = new Map(keys.map((k) => [k.id, k.key]))
  }

  /** The id of the key that seals. */
  get currentKeyId (): string {
    return this.keys[0]!.id
  }

  /** `v1.<key id>.<iv>.<ciphertext>.<tag>`, base64url; `context` names the table, column and row. */
  seal (plaintext: string, context: string): string {
    const { id, key } = this.keys[0]!
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    cipher.setAAD(Buffer.from(context, 'utf8'))
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return [VERSION, id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.')
  }

  open (sealed: string, context: string): string {
    const [version, keyId, iv, ciphertext, tag] = sealed.split('.')
    const key = keyId === undefined ? undefined : this.byId.get(keyId)
    if (version !== VERSION || key === undefined || iv === undefined || ciphertext === undefined || tag === undefined) {
      throw new Error(`the secret in ${context} is not sealed with a configured key (key id ${JSON.stringify(keyId ?? '')})`)
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(context, 'utf8'))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      throw new Error(`the secret in ${context} fails authentication: tampered, moved from another row, or a wrong key`)
    }
  }

  /** Whether a sealed value is under the sealing key already (the re-seal command skips it). */
  isCurrent (sealed: string): boolean {
    return sealed.startsWith(`${VERSION}.${this.currentKeyId}.`)
  }
}

/** `PORTAL_SECRET_KEYS`: `id:base64key[,id:base64key…]`, each key 32 bytes; the first one seals. */
export function parseSecretKeys (raw: string): SecretKey[] {
  const keys = raw.split(',').map((entry, index) => {
    const [id, encoded, ...rest] = entry.trim().split(':')
    if (id === undefined || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || encoded === undefined || rest.length > 0) {
      throw new Error(`entry ${index + 1} must be <id>:<base64 key>, the id 1 to 32 letters, digits, _ or -`)
    }
    const key = Buffer.from(encoded, 'base64')
    if (key.length !== 32) throw new Error(`key ${JSON.stringify(id)} must be 32 bytes in base64, got ${key.length} bytes`)
    return { id, key }
  })
  const ids = keys.map((k) => k.id)
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index)
  if (repeated !== undefined) throw new Error(`key id ${JSON.stringify(repeated)} appears twice`)
  return keys
}

/** A new key entry for PORTAL_SECRET_KEYS or the generated key file. */
export function generateSecretKeyEntry (): string {
  return `${new Date().toISOString().slice(0, 10).replace(/-/g, '')}${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}`
}
