// Okta (idp-drivers.md §2): create with `SSWS <API token>` at /oauth2/v1/clients; no RFC 7592, the client
// is managed at /oauth2/v1/clients/{client_id} with the same token; application_type drives the grants.
import type { ClientTemplate, DcrDriver, OktaAppType } from '../driver.ts'
import { isMachineOnly } from '../metadata.ts'

export const oktaDriver: DcrDriver = {
  type: 'Okta',
  tokenScheme: 'SSWS',
  management: { style: 'admin_api', newSecretPath: '/lifecycle/newSecret' },
  capabilities: {
    supportsUpdate: true,
    supportsDelete: true,
    rotatesSecret: true,
    rotatesRegistrationTokenOn: new Set(),
    clientMayExpire: false
  },
  tailor (metadata, template) {
    const applicationType = template.oktaAppType === '' ? defaultAppType(template) : template.oktaAppType
    return {
      ...metadata,
      application_type: applicationType,
      // Okta's own service-app samples send response_types ["token"] with client_credentials.
      ...(applicationType === 'service' ? { response_types: ['token'] } : {}),
      ...(template.grantTypes.includes('pkce') ? { pkce_required: true } : {})
    }
  }
}

/** Without an OktaAppType: machine clients are service apps, public ones browser apps, the rest web apps. */
function defaultAppType (template: ClientTemplate): Exclude<OktaAppType, ''> {
  if (isMachineOnly(template)) return 'service'
  return template.tokenEndpointAuthMethod === 'none' ? 'browser' : 'web'
}
