// Gluu / Janssen (idp-drivers.md §3): RFC 7592 at a query-style registration_client_uri
// (`…/register?client_id=…`), used exactly as returned (RFC 7592 §3); clients may expire with their lifetime.
import type { DcrDriver } from '../driver.ts'

export const gluuDriver: DcrDriver = {
  type: 'Gluu',
  tokenScheme: 'Bearer',
  management: { style: 'rfc7592' },
  capabilities: {
    supportsUpdate: true,
    supportsDelete: true,
    rotatesSecret: false,
    // Off by default, switched on by rotateClientRegistrationAccessTokenOnUsage.
    rotatesRegistrationTokenOn: new Set(['read', 'update']),
    clientMayExpire: true
  }
}
