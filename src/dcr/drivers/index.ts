// One driver per provider Type (design.md §2).
import type { DcrDriver, ProviderType } from '../driver.ts'
import { gluuDriver } from './gluu.ts'
import { keycloakDriver } from './keycloak.ts'
import { oktaDriver } from './okta.ts'
import { otherDriver } from './other.ts'

export const DRIVERS: Readonly<Record<ProviderType, DcrDriver>> = {
  Keycloak: keycloakDriver,
  Gluu: gluuDriver,
  Okta: oktaDriver,
  Other: otherDriver
}
