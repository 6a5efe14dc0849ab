import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import { dialects } from '../helpers/dialects.ts'
import { startHarness, type Harness } from '../helpers/app.ts'
import { assertResponsesConform } from '../helpers/openapi.ts'

describe('OpenAPI document', () => {
  let h: Harness
  let document: any
  before(async () => {
    h = await startHarness(dialects[0]!)
    const reply = await h.call('GET', '/portal-api/openapi.json')
    assert.equal(reply.status, 200)
    document = reply.body
  })
  after(async () => { await h.close() })

  it('is a valid OpenAPI 3.1 document', async () => {
    assert.equal(document.openapi, '3.1.0')
    const result = await new Validator().validate(structuredClone(document))
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2))
  })

  it('describes the ten Tyk operations with their operationIds', () => {
    const ids = Object.values(document.paths as Record<string, Record<string, { operationId?: string }>>)
      .flatMap((operations) => Object.values(operations).map((operation) => operation.operationId))
    for (const id of [
      'list-oauth-providers', 'create-oauth-provider', 'get-oauth-provider', 'update-oauth-provider', 'delete-oauth-provider',
      'list-oauth-provider-client-type', 'create-oauth-provider-client-type', 'get-oauth-provider-client-type',
      'update-oauth-provider-client-type', 'delete-oauth-provider-client-type'
    ]) assert.ok(ids.includes(id), `missing ${id}`)
  })

  it('lists the error statuses each route can answer', () => {
    const update = document.paths['/portal-api/oauth-providers/{provider_id}/client-types/{client_type_id}'].put
    assert.deepEqual(Object.keys(update.responses).sort(), ['200', '400', '401', '404', '409', '412', '413', '415', '429', '500', '503'])
    assert.ok(JSON.stringify(document.components ?? {}).includes('AdminAPIToken'))
  })

  it('derives the statuses every route shares from what it declares', () => {
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown; parameters?: Array<{ in: string }> }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const statuses = Object.keys(operation.responses)
        const expected = ['500']
        if (path.startsWith('/portal-api')) expected.push('401', '429', '503')
        if (operation.requestBody !== undefined) expected.push('400', '413', '415')
        if (operation.parameters?.some((parameter) => parameter.in === 'path') === true) expected.push('404')
        for (const status of expected) assert.ok(statuses.includes(status), `${method.toUpperCase()} ${path} does not list ${status}`)
      }
    }
  })

  it('lists what a route declares: Idempotency-Key, Tyk\'s 422 and its envelope, the IdP\'s statuses', () => {
    const responses = (path: string, method: string) => Object.keys(document.paths[path][method].responses).sort()
    const credential = '/portal-api/apps/{app_id}/access-requests/{access_request_id}/credentials/{credential_id}'
    for (const [path, method] of [[`${credential}/rotate`, 'put'], [credential, 'delete'], ['/portal-api/apps/{app_id}', 'delete']] as const) {
      for (const status of ['409', '502', '504']) assert.ok(responses(path, method).includes(status), `${method} ${path} ${status}`)
    }
    const provision = document.paths['/portal-api/apps/{app_id}/provision'].put
    assert.ok(provision.parameters.some((parameter: { name: string }) => parameter.name === 'Idempotency-Key'))
    assert.deepEqual(Object.keys(provision.responses['422'].content['application/json'].schema.properties).sort(), ['errors', 'status'])
    const createProduct = document.paths['/portal-api/products'].post
    assert.ok(createProduct.parameters.some((parameter: { name: string }) => parameter.name === 'Idempotency-Key'))
    assert.deepEqual(Object.keys(createProduct.responses['422'].content['application/json'].schema.properties), ['errors'])
    assert.equal(document.paths['/portal-api/products/{product_id}'].get.responses['422'], undefined)
    assert.equal((document.paths['/portal-api/oauth-providers/{provider_id}'].put.parameters ?? []).some((parameter: { name: string }) => parameter.name === 'Idempotency-Key'), false)
  })

  it('documents RegistrationAccessToken as write-only and never in a response', () => {
    const create = document.paths['/portal-api/oauth-providers'].post
    assert.equal(create.requestBody.content['application/json'].schema.properties.RegistrationAccessToken.writeOnly, true)
    assert.equal(JSON.stringify(create.responses['200']).includes('RegistrationAccessToken'), false)
  })

  it('catches a response that breaks it (the conformance check can fail)', async () => {
    await assert.rejects(assertResponsesConform(h.app, [
      { method: 'GET', url: '/portal-api/oauth-providers/1', status: 200, body: { ID: 'one' }, contentType: 'application/json' }
    ]), /GET \/portal-api\/oauth-providers\/\{provider_id\} 200/)
    await assert.rejects(assertResponsesConform(h.app, [
      { method: 'GET', url: '/portal-api/oauth-providers', status: 418, body: {}, contentType: 'application/json' }
    ]), /answered 418, which the document does not list/)
  })
})
