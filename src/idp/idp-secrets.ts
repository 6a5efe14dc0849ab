// The embedded IdP's secrets, made on first start and kept in the data directory (mode 0600, never in
// the repository) so that tokens, sessions and the initial access token survive a restart.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import path from 'node:path'
import { readOrCreateSecretFile } from '../shared/secret-file.ts'

export const INITIAL_ACCESS_TOKEN_FILE = 'embedded-idp-initial-access-token'
export const KEYS_FILE = 'embedded-idp-keys.json'

export interface IdpKeys {
  /** Private signing keys (oidc-provider `jwks`): ID tokens, JWT responses. */
  readonly jwks: { readonly keys: readonly JsonWebKey[] }
  /** oidc-provider `cookies.keys`: signs its cookies (Koa keygrip). */
  readonly cookieKeys: readonly string[]
}

/** The Bearer token that RFC 7591 §3 registration requests must present (oidc-provider static IAT mode). */
export function loadInitialAccessToken (dataDir: string): string {
  return readOrCreateSecretFile(path.join(dataDir, INITIAL_ACCESS_TOKEN_FILE), () => randomBytes(32).toString('base64url')).content
}

export function loadIdpKeys (dataDir: string): IdpKeys {
  const text = readOrCreateSecretFile(path.join(dataDir, KEYS_FILE), () => JSON.stringify(generateIdpKeys())).content
  return JSON.parse(text) as IdpKeys
}

function generateIdpKeys (): IdpKeys {
  // RS256 is the one algorithm every OpenID Connect client must support (OIDC Core §15.1).
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const signing = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }
  return { jwks: { keys: [signing] }, cookieKeys: [randomBytes(32).toString('base64url')] }
}
