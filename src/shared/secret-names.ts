// Which field names carry secrets: RegistrationAccessToken, OAuthClientSecret, DCRRegistrationAccessToken,
// client_secret, registration_access_token… Anchored at the end: TokenEndpointAuthMethod is no secret.
const SECRET_NAME = /(secret|token|password|private_?key|credential)$/i

/** Whether a field of this name holds a secret: its value is never echoed, logged or audited in clear. */
export function isSecretName (name: string): boolean {
  return SECRET_NAME.test(name)
}
