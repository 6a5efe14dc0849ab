// The registration body each driver builds from a client type (design.md §2, §5), the RFC 7592 §2.2
// update body, and the RFC 7591 §3.2.1 differences.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { cannotSucceedOnRetry, DRIVERS, findCorrelationTag, IdpError, MACHINE_CLIENT_REDIRECT_URI, tagClientName, type ClientRequest, type ClientTemplate } from '../../src/dcr/index.ts'
import { AppError } from '../../src/errors.ts'
import { buildRegistrationMetadata, buildUpdateBody, diffMetadata, SERVER_MANAGED_FIELDS } from '../../src/dcr/metadata.ts'

const REQUEST: ClientRequest = { redirectUris: ['https://app.example/cb'], scopes: ['payments', 'read'], clientName: 'Shop', correlationTag: 'ar-42' }
const template = (grantTypes: string[], more: Partial<ClientTemplate> = {}): ClientTemplate =>
  ({ grantTypes, responseTypes: ['code'], tokenEndpointAuthMethod: 'client_secret_basic', oktaAppType: '', ...more })

describe('registration metadata', () => {
  it('maps a web client type for an RFC server', () => {
    assert.deepEqual(buildRegistrationMetadata(DRIVERS.Other, template(['authorization_code', 'refresh_token']), REQUEST), {
      client_name: 'Shop [ar-42]',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'payments read'
    })
  })

  it('sends pkce as authorization_code and device_code as its RFC 8628 URN', () => {
    const body = buildRegistrationMetadata(DRIVERS.Keycloak, template(['pkce', 'authorization_code', 'device_code'], { tokenEndpointAuthMethod: 'none' }), REQUEST)
    assert.deepEqual(body.grant_types, ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'])
    assert.equal(body.token_endpoint_auth_method, 'none')
    assert.equal('application_type' in body, false, 'Keycloak ignores application_type')
  })

  it('gives machine-only types no response types and no redirect URIs, and omits an empty scope', () => {
    const body = buildRegistrationMetadata(DRIVERS.Gluu, template(['client_credentials'], { responseTypes: ['token'] }), { ...REQUEST, scopes: [] })
    assert.deepEqual(body.response_types, [])
    assert.deepEqual(body.redirect_uris, [])
    assert.equal('scope' in body, false)
  })

  it('to an IdP that demands redirect_uris, machine-only types send only the never-resolving .invalid URI (RFC 6761)', () => {
    const machine = buildRegistrationMetadata(DRIVERS.Other, template(['client_credentials']), REQUEST, true)
    assert.deepEqual(machine.redirect_uris, [MACHINE_CLIENT_REDIRECT_URI])
    assert.equal(new URL(MACHINE_CLIENT_REDIRECT_URI).hostname.endsWith('.invalid'), true)
    assert.deepEqual(machine.response_types, [])
    const web = buildRegistrationMetadata(DRIVERS.Other, template(['authorization_code']), REQUEST, true)
    assert.deepEqual(web.redirect_uris, ['https://app.example/cb'], "a web client keeps the app's own")
  })

  it('Okta: service apps with response_types token, browser for public pkce clients, the OktaAppType when set', () => {
    const service = buildRegistrationMetadata(DRIVERS.Okta, template(['client_credentials']), REQUEST)
    assert.equal(service.application_type, 'service')
    assert.deepEqual(service.response_types, ['token'])
    assert.deepEqual(service.redirect_uris, [])
    const spa = buildRegistrationMetadata(DRIVERS.Okta, template(['pkce'], { tokenEndpointAuthMethod: 'none' }), REQUEST)
    assert.equal(spa.application_type, 'browser')
    assert.equal(spa.pkce_required, true)
    assert.deepEqual(spa.grant_types, ['authorization_code'])
    const native = buildRegistrationMetadata(DRIVERS.Okta, template(['authorization_code'], { oktaAppType: 'native' }), REQUEST)
    assert.equal(native.application_type, 'native')
    assert.equal('pkce_required' in native, false)
    assert.equal(buildRegistrationMetadata(DRIVERS.Okta, template(['authorization_code']), REQUEST).application_type, 'web')
  })

  it('tags the client name so that a reconciler can find it', () => {
    assert.equal(findCorrelationTag(tagClientName('My [beta] app', 'ar-7')), 'ar-7')
    assert.equal(findCorrelationTag('untagged'), undefined)
  })
})

describe('update body (RFC 7592 §2.2)', () => {
  it('carries client_id and never the server-managed fields', () => {
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...SERVER_MANAGED_FIELDS, 'client_name', 'scope', 'client_id'), fc.string()), fc.string({ minLength: 1 }), (metadata, clientId) => {
      const body = buildUpdateBody(metadata, clientId)
      assert.equal(body.client_id, clientId)
      for (const field of SERVER_MANAGED_FIELDS) assert.equal(field in body, false)
    }))
  })
})

describe('differences (RFC 7591 §3.2.1)', () => {
  it('lists replaced values; lists and scopes compare as sets', () => {
    const requested = { grant_types: ['authorization_code'], response_types: ['code'], scope: 'a b', token_endpoint_auth_method: 'client_secret_post', client_name: 'x' }
    const returned = { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'b a', token_endpoint_auth_method: 'client_secret_basic' }
    assert.deepEqual(diffMetadata(requested, returned), [
      { field: 'grant_types', requested: ['authorization_code'], returned: ['authorization_code', 'refresh_token'] },
      { field: 'token_endpoint_auth_method', requested: 'client_secret_post', returned: 'client_secret_basic' },
      { field: 'client_name', requested: 'x', returned: undefined }
    ])
  })
})

describe('what a retry can never fix (the reconciler shows it instead, issue 10 item 4)', () => {
  it('refusals and missing management: yes; timeouts, 5xx, 408, 425, 429: no', () => {
    const http = (status: number) => new IdpError(status >= 500 ? 'http_error' : 'oauth_error', `answered ${status}`, { status })
    for (const status of [400, 401, 403, 405]) assert.equal(cannotSucceedOnRetry(http(status)), true, String(status))
    for (const status of [408, 425, 429, 500, 503]) assert.equal(cannotSucceedOnRetry(http(status)), false, String(status))
    assert.equal(cannotSucceedOnRetry(new IdpError('invalid_response', 'no registration_client_uri')), true)
    assert.equal(cannotSucceedOnRetry(new IdpError('timeout', 'timed out')), false)
    assert.equal(cannotSucceedOnRetry(new IdpError('unreachable', 'refused')), false)
    assert.equal(cannotSucceedOnRetry(new AppError('not_supported', 'Okta cannot')), true)
  })
})
