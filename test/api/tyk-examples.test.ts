// Issue 10, "Done when" 1: Tyk's own documented examples, replayed against a fresh service with the embedded
// IdP on, get the statuses Tyk documents, and every answer validates against the response schema Tyk's
// published swagger gives for that status (its required fields and types). Request bodies are built from the
// swagger's own examples (a named request example where it has one, else each property's `example`). Path ids
// are those of the resources this replay created (the swagger's "1" stands for "an existing id").
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { after, before, describe, it } from 'node:test'
import AjvModule from 'ajv'
import { startHarness, type Harness } from '../helpers/app.ts'
import { dialects } from '../helpers/dialects.ts'

const sqlite = dialects[0]!

const SWAGGER_PATH = '/work/shared/reference/tyk-edp-swagger.json'
const available = fs.existsSync(SWAGGER_PATH)

type Schema = Record<string, any>
interface Swagger { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema>; parameters?: Record<string, Schema> } }

/**
 * Where Tyk's swagger contradicts Tyk's own answers (doc bugs), the schema the check uses instead; each is
 * also written down in the README ("Where we differ from Tyk, on purpose").
 */
function correctDocBugs (swagger: Swagger): void {
  const schemas = swagger.components.schemas
  // Client-show's AccessRequests items are "Client-AccessRequest-index", itself an array: an array of arrays.
  schemas['Client-show']!.allOf[2].properties.AccessRequests.items = { $ref: '#/components/schemas/Client-AccessRequest-elem' }
  // DeletedAt is typed string; Tyk's Go model (gorm) answers null for a row that is not soft-deleted.
  schemas['AccessRequest-internal']!.properties.DeletedAt.nullable = true
  // ResponseTypes and GrantType are CSV ("Format as CSV"; the example is "code,token") but typed as one enum
  // value: each item is checked against the enum instead. OktaAppType is "" when unset (Go's zero value).
  const clientType = schemas.OAuthClientTypeBasic!.properties
  for (const field of ['ResponseTypes', 'GrantType']) {
    const values = `(${(clientType[field].enum as string[]).join('|')})`
    clientType[field] = { ...clientType[field], enum: undefined, pattern: `^${values}(,${values})*$` }
  }
  for (const properties of [clientType, schemas.ProductClientTypeResponse!.properties]) {
    if (properties.OktaAppType.enum !== undefined) properties.OktaAppType.enum = ['', ...properties.OktaAppType.enum as string[]]
  }
  // GET …/credentials/{credential_id}: the 200 and 422 schemas are swapped (tyk-portal-api.md §5.5).
  const credential = swagger.paths['/apps/{app_id}/access-requests/{access-request_id}/credentials/{credential_id}']!.get
  credential.responses['200'] = credential.responses['422']
}

/**
 * Where we answer otherwise than Tyk on purpose (README "Where we differ from Tyk, on purpose"): the check
 * accepts our answer there and nowhere else.
 */
function allowOurDifferences (swagger: Swagger): void {
  // Tyk writes Tags as IDs and answers their names; this service has no tags to name, so it answers them as sent.
  swagger.components.schemas['Product-show']!.properties.Tags.items = { type: ['string', 'integer'] }
  // A credential's Expires is "" when it never expires (an OAuth client without client_secret_expires_at).
  const credential = swagger.components.schemas.Credential!.properties
  credential.Expires.pattern = `^$|${String(credential.Expires.pattern)}`
}

/** The example a schema documents: a property's `example` (or first of `examples`), objects built from their properties. */
function exampleOf (swagger: Swagger, schema: Schema): unknown {
  if (schema.$ref !== undefined) return exampleOf(swagger, swagger.components.schemas[String(schema.$ref).split('/').pop()!]!)
  if (schema.example !== undefined) return schema.example
  if (Array.isArray(schema.examples)) return schema.examples[0]
  if (schema.allOf !== undefined) return Object.assign({}, ...schema.allOf.map((part: Schema) => exampleOf(swagger, part)))
  if (schema.properties !== undefined) {
    const entries = Object.entries(schema.properties as Record<string, Schema>).map(([name, property]) => [name, exampleOf(swagger, property)])
    return Object.fromEntries(entries.filter(([, value]) => value !== undefined))
  }
  return undefined
}

/** The swagger's request body example for an operation: a named example, else one built from the schema's examples. */
function requestExample (swagger: Swagger, operation: Schema, name?: string): unknown {
  const content = operation.requestBody?.content?.['application/json']
  if (content === undefined) return undefined
  if (content.examples !== undefined) return content.examples[name ?? Object.keys(content.examples)[0]!].value
  return content.example ?? exampleOf(swagger, content.schema)
}

describe('Tyk\'s documented examples, replayed against a fresh service', { skip: available ? false : `${SWAGGER_PATH} not found` }, () => {
  let h: Harness
  let swagger: Swagger
  let ajv: InstanceType<typeof AjvModule.default>

  before(async () => {
    swagger = JSON.parse(fs.readFileSync(SWAGGER_PATH, 'utf8')) as Swagger
    correctDocBugs(swagger)
    allowOurDifferences(swagger)
    ajv = new AjvModule.default({ strict: false, allErrors: true })
    ajv.addSchema({ $id: 'tyk', components: swagger.components })
    h = await startHarness(sqlite, { embeddedIdp: true })
  })
  after(async () => { await h.close() })

  /** Sends Tyk's operation (path template as the swagger writes it) with these ids; checks status and schema. */
  async function replay (method: 'GET' | 'POST' | 'PUT' | 'DELETE', template: string, ids: Record<string, number>, options: { body?: unknown; example?: string; status?: number; query?: string } = {}) {
    const operation = swagger.paths[template]?.[method.toLowerCase()]
    assert.ok(operation, `${method} ${template} is in Tyk's swagger`)
    const body = 'body' in options ? options.body : requestExample(swagger, operation, options.example)
    const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => String(ids[name] ?? assert.fail(`no id for ${name}`)))
    const reply = await h.call(method, `/portal-api${path}${options.query ?? ''}`, body)
    const documented = Object.keys(operation.responses as object).map(Number)
    const expected = options.status ?? documented.find((status) => status < 300)!
    assert.ok(documented.includes(expected), `${expected} is documented for ${method} ${template}`)
    assert.equal(reply.status, expected, `${method} ${path}: ${JSON.stringify(reply.body)}`)
    const schema = operation.responses[String(expected)]?.content?.['application/json']?.schema
    if (schema !== undefined) {
      const validate = ajv.compile({ $ref: `tyk#/components/schemas/${String(schema.$ref).split('/').pop()!}` })
      assert.ok(validate(reply.body), `${method} ${path} ${expected} against ${String(schema.$ref)}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(reply.body)}`)
    }
    return reply.body
  }

  it('answers every documented example of the endpoints we implement as Tyk documents it', async () => {
    // Our extension, documented in the README: the embedded IdP becomes provider 1, client types 1 and 2.
    const embedded = (await h.call('POST', '/portal-api/oauth-providers/embedded')).body
    assert.deepEqual([embedded.ID, embedded.ClientTypes.map((t: { ID: number }) => t.ID)], [1, [1, 2]])

    // OAuth2.0 providers and client types.
    const provider = (await replay('POST', '/oauth-providers', {})).ID as number
    assert.equal(provider, 2)
    await replay('GET', '/oauth-providers', {})
    await replay('GET', '/oauth-providers/{provider_id}', { provider_id: provider })
    await replay('PUT', '/oauth-providers/{provider_id}', { provider_id: provider })
    const type = (await replay('POST', '/oauth-providers/{provider_id}/client-types', { provider_id: provider })).ID as number
    await replay('GET', '/oauth-providers/{provider_id}/client-types', { provider_id: provider })
    await replay('GET', '/oauth-providers/{provider_id}/client-types/{client_type_id}', { provider_id: provider, client_type_id: type })
    await replay('PUT', '/oauth-providers/{provider_id}/client-types/{client_type_id}', { provider_id: provider, client_type_id: type })

    // Organisations, teams and users. A fresh portal holds the Default Organisation (ID 1, with its default team 1),
    // whose name Tyk's create example repeats: names are unique here, so the new organisation is named otherwise.
    const organisation = (await replay('POST', '/organisations', {}, { body: { Name: 'ACME Partners' } })).ID as number
    assert.equal(organisation, 2)
    await replay('GET', '/organisations', {})
    await replay('GET', '/organisations/{organisation_id}', { organisation_id: organisation })
    await replay('PUT', '/organisations/{organisation_id}', { organisation_id: organisation }, { body: { Name: 'ACME Partners Ltd' } })
    const team = (await replay('POST', '/organisations/{organisation_id}/teams', { organisation_id: organisation })).ID as number
    await replay('GET', '/organisations/{organisation_id}/teams', { organisation_id: organisation })
    await replay('GET', '/organisations/{organisation_id}/teams/{team_id}', { organisation_id: organisation, team_id: team })
    const user = (await replay('POST', '/users', {})).ID as number
    assert.equal(user, 1, 'the example app\'s UserID 1 names this user')
    await replay('GET', '/users', {})
    await replay('GET', '/users/{user_id}', { user_id: user })
    // The update example's Teams are placeholders ("team-id-1"): Tyk's documented 422. Then the user joins the new team.
    await replay('PUT', '/users/{user_id}', { user_id: user }, { status: 422 })
    await replay('PUT', '/users/{user_id}', { user_id: user }, { body: { OrganisationID: organisation, Teams: [team] } })
    // Team-update's example: a new name, and user 1 as its one member.
    const renamed = await replay('PUT', '/organisations/{organisation_id}/teams/{team_id}', { organisation_id: organisation, team_id: team })
    assert.deepEqual([renamed.Name, renamed.Users], ['Default Organisation All users', ['User#1']])

    // Catalogue 1, for the products' and plans' examples ("Catalogues": [1]); Catalogue-create's own example offers
    // product 1 and plan 1, so it is replayed once they exist.
    const publicCatalogue = (await replay('POST', '/catalogues', {}, { body: { Name: 'Public Catalogue', VisibilityStatus: 'Public' } })).ID as number
    assert.equal(publicCatalogue, 1)

    // Products: Tyk's two named examples. "Templates": [1] names client type 1, the embedded IdP's "Machine to machine".
    const product = (await replay('POST', '/products', {}, { example: 'regular-product' })).ID as number
    const docs = (await replay('POST', '/products', {}, { example: 'documentation-product' })).ID as number
    await replay('GET', '/products', {})
    await replay('GET', '/products/{product_id}', { product_id: product })
    await replay('PUT', '/products/{product_id}', { product_id: product }, { example: 'regular-product' })
    await replay('PUT', '/products/{product_id}', { product_id: docs }, { example: 'documentation-product' })
    await replay('GET', '/products/{product_id}/client_types', { product_id: product })
    // The attach example's ID names no client type on a fresh portal: Tyk's documented 422.
    await replay('POST', '/products/{product_id}/client_types', { product_id: product }, { status: 422 })
    await replay('POST', '/products/{product_id}/client_types', { product_id: docs }, { body: { ID: 1 } })
    await replay('GET', '/products/{product_id}/client_types/{client_type_id}', { product_id: product, client_type_id: 1 })

    // Plans (the example approves automatically) and apps.
    const plan = (await replay('POST', '/plans', {})).ID as number
    await replay('GET', '/plans', {})
    await replay('GET', '/plans/{plan_id}', { plan_id: plan })
    await replay('PUT', '/plans/{plan_id}', { plan_id: plan })
    assert.deepEqual((await replay('GET', '/products/{product_id}', { product_id: product })).Catalogues, ['Public Catalogue'], 'written as IDs, answered as names')

    // Catalogue-create's example (its lists carry no example values: a private catalogue offering nothing yet).
    const catalogue = (await replay('POST', '/catalogues', {})).ID as number
    await replay('GET', '/catalogues', {})
    await replay('PUT', '/catalogues/{catalogue_id}', { catalogue_id: catalogue })
    await replay('PUT', '/catalogues/{catalogue_id}', { catalogue_id: catalogue }, { body: { Products: [product], Plans: [plan] } })
    await replay('GET', '/catalogues/{catalogue_id}/audiences', { catalogue_id: catalogue })
    const audience = (await replay('POST', '/catalogues/{catalogue_id}/audiences', { catalogue_id: catalogue })).ID as number // the Default Organisation's team 1
    await replay('POST', '/catalogues/{catalogue_id}/audiences', { catalogue_id: catalogue }, { body: { OrganisationID: organisation, TeamID: team } })
    await replay('GET', '/catalogues/{catalogue_id}/audiences/{audience_id}', { catalogue_id: catalogue, audience_id: audience })
    await replay('POST', '/catalogues/{catalogue_id}/audiences', { catalogue_id: catalogue }, { status: 422, body: { TeamID: 999 } })
    const offered = await replay('GET', '/catalogues/{catalogue_id}', { catalogue_id: catalogue })
    assert.deepEqual([offered.Products, offered.Plans, offered.OrgCatalogues.map((item: { Organisation: string }) => item.Organisation)],
      [['payment_api'], ['free_plan_2'], ['Default Organisation', 'ACME Partners Ltd']])

    const app = (await replay('POST', '/apps', {})).ID as number
    await replay('GET', '/apps', {}, { query: '?p=-2' }) // as Tyk's Go client lists apps
    await replay('PUT', '/apps/{app_id}', { app_id: app })

    // Provision: documented without a body (Tyk's 422 StatusWithErrors says what is missing); Tyk's Postman body creates.
    const bodiless = await replay('PUT', '/apps/{app_id}/provision', { app_id: app }, { status: 422, body: undefined })
    assert.match(bodiless.errors[0], /^request body is required: PlanID \(the plan\) and ProductIDs \(the products\)/)
    const provisioned = await replay('PUT', '/apps/{app_id}/provision', { app_id: app }, { body: { PlanID: plan, ProductIDs: [product], DCRTemplateID: 1 } })
    const request = provisioned.ID as number
    await replay('GET', '/access_requests', {})
    await replay('GET', '/access_requests/{access_request_id}', { access_request_id: request })
    await replay('GET', '/apps/{app_id}/access-requests', { app_id: app })
    await replay('GET', '/apps/{app_id}/access-requests/{access-request_id}', { app_id: app, 'access-request_id': request })
    const shown = await replay('GET', '/apps/{app_id}', { app_id: app })
    assert.deepEqual(shown.AccessRequests[0].Products, ['payment_api'], 'Products as an array inside an app, as Tyk answers')
    const ids = { app_id: app, 'access-request_id': request }
    const credential = (await replay('GET', '/apps/{app_id}/access-requests/{access-request_id}/credentials', ids))[0].ID as number
    await replay('GET', '/apps/{app_id}/access-requests/{access-request_id}/credentials/{credential_id}', { ...ids, credential_id: credential })
    await replay('PUT', '/apps/{app_id}/access-requests/{access-request_id}/credentials/{credential_id}/rotate', { ...ids, credential_id: credential })
    // Approving a request already approved: Tyk's documented 422 StatusWithMessage, its message beside our errors.
    const refused = await replay('PUT', '/access_requests/{access_request_id}/approve', { access_request_id: request }, { status: 422 })
    assert.deepEqual(refused, { status: 'error', message: `access request ${request} is approved, not pending`, errors: [`access request ${request} is approved, not pending`] })

    // A plan that waits for an admin (Tyk's handler decodes this partial body onto the plan): approve and reject with 200.
    await replay('PUT', '/plans/{plan_id}', { plan_id: plan }, { body: { AutoApproveAccessRequests: false } })
    const pending = async () => (await h.call('PUT', `/portal-api/apps/${app}/provision`, { PlanID: plan, ProductIDs: [product], DCRTemplateID: 1 })).body.ID as number
    const approving = await pending()
    await replay('PUT', '/access_requests/{access_request_id}/approve', { access_request_id: approving })
    const rejecting = await pending()
    await replay('PUT', '/access_requests/{access_request_id}/reject', { access_request_id: rejecting })
    await replay('PUT', '/access_requests/{access_request_id}/reject', { access_request_id: rejecting }, { status: 422 })

    // Deletions, what uses a resource first.
    const rotated = (await h.call('GET', `/portal-api/apps/${app}/access-requests/${request}/credentials`)).body[0].ID as number
    await replay('DELETE', '/apps/{app_id}/access-requests/{access-request_id}/credentials/{credential_id}', { ...ids, credential_id: rotated })
    await replay('DELETE', '/apps/{app_id}/access-requests/{access-request_id}', ids)
    await replay('DELETE', '/access_requests/{access_request_id}', { access_request_id: approving })
    await replay('DELETE', '/apps/{app_id}', { app_id: app })
    await replay('DELETE', '/products/{product_id}/client_types/{client_type_id}', { product_id: product, client_type_id: 1 })
    await replay('DELETE', '/products/{product_id}', { product_id: product })
    await replay('DELETE', '/plans/{plan_id}', { plan_id: plan })
    await replay('DELETE', '/oauth-providers/{provider_id}/client-types/{client_type_id}', { provider_id: provider, client_type_id: type }, { query: '?force=false' })
    await replay('DELETE', '/oauth-providers/{provider_id}', { provider_id: provider }, { query: '?force=false' })
    await replay('DELETE', '/catalogues/{catalogue_id}/audiences/{audience_id}', { catalogue_id: catalogue, audience_id: audience })
    await replay('DELETE', '/catalogues/{catalogue_id}', { catalogue_id: catalogue })
    await replay('DELETE', '/organisations/{organisation_id}/teams/{team_id}', { organisation_id: organisation, team_id: team })
    await replay('DELETE', '/organisations/{organisation_id}', { organisation_id: organisation })
    await replay('DELETE', '/users/{user_id}', { user_id: user }, { query: '?force=false' })
  })

  it('has a replay for every operation of Tyk\'s swagger that this service implements', () => {
    const ours = Object.entries((h.app.swagger() as { paths: Record<string, object> }).paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`))
    const implemented = Object.entries(swagger.paths)
      .flatMap(([path, operations]) => Object.keys(operations).filter((method) => ['get', 'post', 'put', 'delete'].includes(method)).map((method) => [`${method.toUpperCase()} ${path}`, `${method.toUpperCase()} /portal-api${path.replace(/\{[^}]+\}/g, '{}')}`]))
      .filter(([, normalized]) => ours.includes(normalized!))
      .map(([operation]) => operation!)
    // Read from this file's replay(…) calls, not from what earlier tests ran: the check holds when run alone too.
    const source = fs.readFileSync(new URL(import.meta.url), 'utf8')
    const written = new Set([...source.matchAll(/replay\('(GET|POST|PUT|DELETE)', '([^']+)'/g)].map(([, method, path]) => `${method!} ${path!}`))
    assert.deepEqual(implemented.filter((operation) => !written.has(operation)), [])
    assert.ok(implemented.length >= 66, `${implemented.length} operations`)
  })
})
