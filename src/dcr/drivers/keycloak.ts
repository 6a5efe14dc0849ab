// Keycloak's `openid-connect` client-registration provider (idp-drivers.md §1): RFC 7591/7592 under
// /realms/<realm>/clients-registrations/openid-connect; it ignores application_type, so none is sent.
import type { DcrDriver } from '../driver.ts'

export const keycloakDriver: DcrDriver = {
  type: 'Keycloak',
  tokenScheme: 'Bearer',
  management: { style: 'rfc7592' },
  capabilities: {
    supportsUpdate: true,
    supportsDelete: true,
    rotatesSecret: false,
    // A registration access token is valid once: every PUT issues a new one, and GET may (client-registration.adoc).
    rotatesRegistrationTokenOn: new Set(['read', 'update']),
    clientMayExpire: false
  }
}
