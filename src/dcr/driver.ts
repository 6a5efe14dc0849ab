// The types the DCR engine speaks, and the shape of a driver: a small declarative description of how
// one kind of IdP differs from plain RFC 7591 / RFC 7592 (design.md §5, idp-drivers.md §11).

export type ProviderType = 'Keycloak' | 'Gluu' | 'Okta' | 'Other'

/** What the engine needs to know about a configured provider (never read from the database here). */
export interface ProviderConnection {
  readonly id: number
  readonly type: ProviderType
  readonly wellKnownUrl: string
  /** RFC 7591 §3 initial access token; for Okta the SSWS API token. Null: create without credentials. */
  readonly initialAccessToken: string | null
  /** Skip certificate verification for this provider's calls only (security-checklist §1.7). */
  readonly sslInsecureSkipVerify: boolean
  /** The IdP demands redirect_uris on every registration (OpenID Connect Registration §2), machine-only ones too. */
  readonly requiresRedirectUris?: boolean
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none'
export type OktaAppType = '' | 'web' | 'native' | 'browser' | 'service'

/** A client type, in the values the client-types module stores (Tyk's, incl. `pkce` and `device_code`). */
export interface ClientTemplate {
  readonly grantTypes: readonly string[]
  readonly responseTypes: readonly string[]
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod
  readonly oktaAppType: OktaAppType
}

/** What one app asks for (design.md §5). */
export interface ClientRequest {
  readonly redirectUris: readonly string[]
  readonly scopes: readonly string[]
  /** The app's name; the client_name sent also carries the correlation tag. */
  readonly clientName: string
  /** Lets a reconciler find this client at the IdP after an unknown outcome (idp-drivers.md §12.2). */
  readonly correlationTag: string
}

/** RFC 7591 §2 client metadata as sent to the IdP. */
export type RegistrationMetadata = Readonly<Record<string, unknown>>

/** What the caller stored about a registered client; always give the newest values. */
export interface ClientCredentials {
  readonly clientId: string
  readonly clientSecret?: string
  readonly registrationAccessToken?: string
  readonly registrationClientUri?: string
}

/** A requested metadata value the IdP replaced (RFC 7591 §3.2.1). */
export interface Difference {
  readonly field: string
  readonly requested: unknown
  readonly returned: unknown
}

/**
 * A client as the IdP last described it. Credentials are the newest: a rotated registration access
 * token or secret replaces the one given, otherwise the given one is carried over. Persist them first.
 */
export interface ManagedClient extends ClientCredentials {
  /** RFC 7591 §3.2.1 `client_secret_expires_at`: seconds since the epoch, 0 = never. */
  readonly secretExpiresAt?: number
  /** The IdP's response without `client_secret` and `registration_access_token`. */
  readonly response: Readonly<Record<string, unknown>>
  /** Empty for reads and secret rotations. */
  readonly differences: readonly Difference[]
}

export type ManagementCall = 'read' | 'update'

export interface DriverCapabilities {
  readonly supportsUpdate: boolean
  readonly supportsDelete: boolean
  /** A new secret on demand, the client staying the same (Okta lifecycle/newSecret). */
  readonly rotatesSecret: boolean
  /** Calls after which the IdP may hand out a new registration access token (RFC 7592 §2.1, §2.2). */
  readonly rotatesRegistrationTokenOn: ReadonlySet<ManagementCall>
  /** The IdP may expire the client or its secret (`client_secret_expires_at` > 0). */
  readonly clientMayExpire: boolean
}

/** How a client is managed after creation. */
export type ManagementStyle =
  // RFC 7592: the registration_client_uri the IdP returned, with its registration access token (§1.2, §3).
  | { readonly style: 'rfc7592' }
  // The IdP's own API at `<registration endpoint>/<client_id>`, authorised by the provider's admin token.
  | { readonly style: 'admin_api'; readonly newSecretPath: string }

export interface DcrDriver {
  readonly type: ProviderType
  /** Authorization scheme for the provider's token: create, and admin-API management. */
  readonly tokenScheme: 'Bearer' | 'SSWS'
  readonly management: ManagementStyle
  readonly capabilities: DriverCapabilities
  /** This IdP's changes to the shared RFC 7591 metadata (returns a new object). */
  readonly tailor?: (metadata: RegistrationMetadata, template: ClientTemplate) => RegistrationMetadata
}
