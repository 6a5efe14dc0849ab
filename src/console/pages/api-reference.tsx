// The API reference (issue 12): the OpenAPI document /portal-api/openapi.json serves, generated from the
// routes' schemas, rendered for reading; and the document itself for a signed-in admin, who has no token.
import { STATUS_CODES } from 'node:http'
import { Fragment, h, type Html } from '../html.ts'
import { Facts, Page } from '../layout.tsx'
import { consolePage, type ConsolePage } from '../console.plugin.tsx'

export interface ApiReferencePagesDeps {
  /** The OpenAPI document, as GET /portal-api/openapi.json answers it (app.swagger()). */
  readonly openApi: () => unknown
}

const SECTION = '/console/api'
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const

export function apiReferencePages ({ openApi }: ApiReferencePagesDeps): ConsolePage[] {
  return [
    consolePage('GET', '/api', async (ctx) => {
      const reference = readDocument(openApi())
      return (
        <Page title='API reference' session={ctx.session} section={SECTION}>
          <p>
            The admin API at <code>/portal-api</code>, as its OpenAPI {reference.version} document describes it. The document is generated from
            the schemas every route checks, so it is what the service accepts and answers. Every call sends the admin token
            in <code>Authorization</code> (as it is, or after <code>Bearer</code>).
          </p>
          <Facts rows={[['Title', reference.title], ['Version', reference.apiVersion], ['Description', reference.description]]} />
          <p><a class='button secondary' href='/console/api/openapi.json' download='portal-api-openapi.json'>Download the OpenAPI document (JSON)</a></p>
          <nav aria-labelledby='operations-title'>
            <h2 id='operations-title'>Operations</h2>
            <ul>
              {reference.groups.map((group) => (
                <li>
                  <a href={`#${anchor('tag', group.tag)}`}>{group.tag}</a>
                  <ul>{group.operations.map((operation) => <li><a href={`#${operation.anchor}`}><code>{operation.method} {operation.path}</code></a></li>)}</ul>
                </li>
              ))}
            </ul>
          </nav>
          {reference.groups.map((group) => (
            <section aria-labelledby={anchor('tag', group.tag)}>
              <h2 id={anchor('tag', group.tag)}>{group.tag}</h2>
              {group.operations.map((operation) => <OperationSection operation={operation} />)}
            </section>
          ))}
        </Page>
      )
    }),

    consolePage('GET', '/api/openapi.json', async () => ({ json: openApi() }))
  ]
}

type Json = Readonly<Record<string, unknown>>

interface FieldRow { readonly name: string; readonly type: string; readonly required: boolean; readonly description: string }
interface Operation {
  readonly anchor: string
  readonly method: string
  readonly path: string
  readonly summary: string
  readonly description: string
  readonly parameters: ReadonlyArray<FieldRow & { readonly in: string }>
  readonly body: { readonly required: boolean; readonly type: string; readonly fields: readonly FieldRow[]; readonly closed: boolean } | undefined
  readonly responses: ReadonlyArray<{ readonly status: string; readonly description: string; readonly type: string | undefined; readonly fields: readonly FieldRow[] }>
}
interface Reference {
  readonly version: string
  readonly title: string
  readonly apiVersion: string
  readonly description: string
  readonly groups: ReadonlyArray<{ readonly tag: string; readonly operations: readonly Operation[] }>
}

function record (value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Json : {}
}
function list (value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : []
}
function text (value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** The rules a value's schema states beside its type, in words. */
function limitsOf (schema: Json): string[] {
  const limits: string[] = []
  const range = (min: unknown, max: unknown, unit: string) => {
    if (typeof min === 'number' && typeof max === 'number') limits.push(`${min} to ${max}${unit}`)
    else if (typeof min === 'number' && min > 0) limits.push(`at least ${min}${unit}`)
    else if (typeof max === 'number') limits.push(`at most ${max}${unit}`)
  }
  range(schema.minLength, schema.maxLength, ' characters')
  range(schema.minimum, schema.maximum, '')
  range(schema.minItems, schema.maxItems, ' items')
  if (typeof schema.pattern === 'string') limits.push(`matches ${schema.pattern}`)
  if (schema.writeOnly === true) limits.push('write-only: never in an answer')
  if (schema.readOnly === true) limits.push('read-only')
  return limits
}

/** A schema's description, with its first example. */
function described (schema: Json): string {
  const example = list(schema.examples)[0] ?? schema.example
  const description = text(schema.description)
  if (example === undefined) return description
  return `${description}${description === '' ? '' : ' '}(e.g. ${JSON.stringify(example)})`
}

function anchor (kind: string, name: string): string {
  return `${kind}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`
}

/** The operations of the document, grouped by their first tag in the order the document lists them. */
function readDocument (value: unknown): Reference {
  const doc = record(value)
  const info = record(doc.info)
  /** A local "$ref" (#/components/…) followed; anything else as it is. */
  const deref = (schema: unknown, depth = 0): Json => {
    const ref = text(record(schema).$ref)
    if (!ref.startsWith('#/') || depth > 8) return record(schema)
    return deref(ref.slice(2).split('/').reduce<unknown>((node, key) => record(node)[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc), depth + 1)
  }
  const typeOf = (raw: unknown, depth = 0): string => {
    const schema = deref(raw)
    if (depth > 4) return 'value'
    if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((item) => JSON.stringify(item)).join(', ')}`
    if ('const' in schema) return JSON.stringify(schema.const)
    const alternatives = list(schema.anyOf ?? schema.oneOf)
    if (alternatives.length > 0) return [...new Set(alternatives.map((alternative) => typeOf(alternative, depth + 1)))].join(' or ')
    const types = Array.isArray(schema.type) ? schema.type.map(text) : [text(schema.type)]
    return types.map((type) => {
      if (type === 'array') return `array of ${typeOf(schema.items, depth + 1)}`
      if (type === 'string' && typeof schema.format === 'string') return `string (${schema.format})`
      return type === '' ? 'any value' : type
    }).join(' or ')
  }
  /** The fields of an object schema, or of the objects an array schema holds. */
  const fieldsOf = (raw: unknown): FieldRow[] => {
    let schema = deref(raw)
    if (schema.type === 'array') schema = deref(schema.items)
    const required = list(schema.required).map(text)
    return Object.entries(record(schema.properties)).map(([name, property]) => ({
      name, type: [typeOf(property), ...limitsOf(deref(property))].join('; '), required: required.includes(name), description: described(deref(property))
    }))
  }
  const jsonSchema = (content: unknown): unknown => record(record(content)['application/json']).schema

  const groups = new Map<string, Operation[]>()
  for (const [path, item] of Object.entries(record(doc.paths))) {
    for (const method of METHODS) {
      const operation = record(record(item)[method])
      if (Object.keys(operation).length === 0) continue
      const tag = text(list(operation.tags)[0]) || 'Other'
      const requestBody = deref(operation.requestBody)
      const bodySchema = jsonSchema(requestBody.content)
      const read: Operation = {
        anchor: anchor('op', text(operation.operationId) || `${method} ${path}`),
        method: method.toUpperCase(),
        path,
        summary: text(operation.summary),
        description: text(operation.description),
        parameters: list(operation.parameters).map((raw) => {
          const parameter = deref(raw)
          const schema = deref(parameter.schema)
          return { name: text(parameter.name), in: text(parameter.in), type: [typeOf(schema), ...limitsOf(schema)].join('; '), required: parameter.required === true, description: described({ ...schema, ...parameter }) }
        }),
        body: bodySchema === undefined
          ? undefined
          : { required: requestBody.required === true, type: typeOf(bodySchema), fields: fieldsOf(bodySchema), closed: deref(bodySchema).additionalProperties === false },
        responses: Object.entries(record(operation.responses)).map(([status, raw]) => {
          const response = deref(raw)
          const schema = jsonSchema(response.content)
          const description = text(response.description)
          return {
            status,
            description: description === 'Default Response' ? '' : description,
            type: schema === undefined ? undefined : typeOf(schema),
            fields: status.startsWith('2') && schema !== undefined ? fieldsOf(schema) : []
          }
        })
      }
      groups.set(tag, [...(groups.get(tag) ?? []), read])
    }
  }
  return {
    version: text(doc.openapi),
    title: text(info.title),
    apiVersion: text(info.version),
    description: text(info.description),
    groups: [...groups].map(([tag, operations]) => ({ tag, operations }))
  }
}

function OperationSection ({ operation }: { readonly operation: Operation }): Html {
  return (
    <section aria-labelledby={operation.anchor}>
      <h3 id={operation.anchor}><code>{operation.method} {operation.path}</code></h3>
      {operation.summary === '' ? null : <p>{operation.summary}</p>}
      {operation.description === '' ? null : <p>{operation.description}</p>}
      {operation.parameters.length === 0
        ? null
        : (
          <table>
            <caption>Parameters</caption>
            <thead><tr><th scope='col'>Name</th><th scope='col'>In</th><th scope='col'>Type</th><th scope='col'>Required</th><th scope='col'>Description</th></tr></thead>
            <tbody>
              {operation.parameters.map((parameter) => (
                <tr><td><code>{parameter.name}</code></td><td>{parameter.in}</td><td>{parameter.type}</td><td>{parameter.required ? 'yes' : 'no'}</td><td>{parameter.description}</td></tr>
              ))}
            </tbody>
          </table>
          )}
      {operation.body === undefined
        ? null
        : operation.body.fields.length === 0
          ? <p>Request body (JSON{operation.body.required ? ', required' : ''}): {operation.body.type}.</p>
          : <FieldTable caption={`Request body (JSON${operation.body.required ? ', required' : ''})${operation.body.closed ? ': no other field is accepted' : ''}`} fields={operation.body.fields} />}
      <table>
        <caption>Responses</caption>
        <thead><tr><th scope='col'>Status</th><th scope='col'>Meaning</th><th scope='col'>Body</th></tr></thead>
        <tbody>
          {operation.responses.map((response) => (
            <tr>
              <td>{response.status}</td>
              <td>{STATUS_CODES[Number(response.status)] ?? response.status}{response.description === '' ? null : <Fragment>: {response.description}</Fragment>}</td>
              <td>
                {response.type ?? 'none'}
                {response.fields.length === 0
                  ? null
                  : (
                    <details>
                      <summary>Its fields ({response.fields.length})</summary>
                      <FieldTable caption={`Fields of the ${response.status} answer`} fields={response.fields} />
                    </details>
                    )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

function FieldTable ({ caption, fields }: { readonly caption: string; readonly fields: readonly FieldRow[] }): Html {
  return (
    <table>
      <caption>{caption}</caption>
      <thead><tr><th scope='col'>Field</th><th scope='col'>Type</th><th scope='col'>Required</th><th scope='col'>Description</th></tr></thead>
      <tbody>
        {fields.map((field) => (
          <tr><td><code>{field.name}</code></td><td>{field.type}</td><td>{field.required ? 'yes' : 'no'}</td><td>{field.description}</td></tr>
        ))}
      </tbody>
    </table>
  )
}
