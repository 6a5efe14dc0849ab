// `npm run secrets:reseal`: re-seal every stored secret under the first key of PORTAL_SECRET_KEYS
// (after adding a new key in front). Safe to stop and run again; safe while the service runs.
import { parseConfig } from './config.ts'
import { openDatabase } from './db/database.ts'
import { resealSecrets } from './db/reseal-secrets.ts'
import { resealIdpModels, sealLegacyIdpModels } from './idp/kysely-adapter.ts'
import { resolveSecretKeys } from './secret-keys.ts'
import { SecretBox } from './shared/secret-box.ts'

const config = parseConfig(process.env)
const box = new SecretBox(resolveSecretKeys(config.secretKeys, config.dataDir).keys)
const database = await openDatabase(config.database)
try {
  // The embedded IdP's records too: those stored before sealing, then those under an older key.
  const counts = { ...await resealSecrets(database.db, box), 'idp_models.payload': await sealLegacyIdpModels(database.db, box) + await resealIdpModels(database.db, box) }
  process.stdout.write(`re-sealed under key ${box.currentKeyId}: ${JSON.stringify(counts)}\n`)
} finally {
  await database.close()
}
