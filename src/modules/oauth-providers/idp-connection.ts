// Rows as the DCR engine sees them: a provider connection and a client template.
import type { ClientTemplate, OktaAppType, ProviderConnection, ProviderType, TokenEndpointAuthMethod } from '../../dcr/index.ts'
import type { ClientTypeRow } from '../../db/tables/client-type.table.ts'
import type { SecretBox } from '../../shared/secret-box.ts'
import { PROVIDER_TOKEN, openColumn } from '../../shared/sealed-columns.ts'
import type { OAuthProviderRow } from '../../db/tables/oauth-provider.table.ts'

export function toProviderConnection (row: OAuthProviderRow, box: SecretBox): ProviderConnection {
  return {
    id: row.id,
    type: row.type as ProviderType,
    wellKnownUrl: row.well_known_url,
    initialAccessToken: openColumn(box, PROVIDER_TOKEN, row.id, row.registration_access_token),
    sslInsecureSkipVerify: row.ssl_insecure_skip_verify === 1,
    requiresRedirectUris: row.requires_redirect_uris === 1
  }
}

export function toClientTemplate (row: ClientTypeRow): ClientTemplate {
  return {
    grantTypes: row.grant_types.split(','),
    responseTypes: row.response_types.split(','),
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as TokenEndpointAuthMethod,
    oktaAppType: row.okta_app_type as OktaAppType
  }
}
