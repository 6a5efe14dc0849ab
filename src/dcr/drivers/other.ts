// Any RFC 7591 / RFC 7592 server, as the RFCs describe it (idp-drivers.md §0).
import type { DcrDriver } from '../driver.ts'

export const otherDriver: DcrDriver = {
  type: 'Other',
  tokenScheme: 'Bearer', // RFC 7591 §3: the initial access token is an OAuth bearer token
  management: { style: 'rfc7592' },
  capabilities: {
    supportsUpdate: true,
    supportsDelete: true,
    rotatesSecret: false,
    rotatesRegistrationTokenOn: new Set(['read', 'update']), // RFC 7592 §2.1, §2.2 allow both
    clientMayExpire: false
  }
}
