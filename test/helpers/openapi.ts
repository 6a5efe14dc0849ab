// Checks recorded responses against the OpenAPI document the app generates: the route and status must be
// documented, and the body must validate against that status's schema.
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'

export interface RecordedResponse {
  readonly method: string
  readonly url: string
  readonly status: number
  readonly body: unknown
  readonly contentType: string
}

interface Operation { responses?: Record<string, { content?: Record<string, { schema?: object }> }> }

export async function assertResponsesConform (app: FastifyInstance, responses: readonly RecordedResponse[]): Promise<void> {
  const document = app.swagger() as { paths: Record<string, Record<string, Operation>> }
  const ajv = new Ajv2020.default({ strict: false, allErrors: true })
  addFormats.default(ajv)
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`)
  }))
  const failures: string[] = []
  const validators = new Map<object, ReturnType<typeof ajv.compile>>()
  for (const response of responses) {
    const pathname = new URL(response.url, 'http://x').pathname
    const match = templates.find(({ pattern }) => pattern.test(pathname))
    if (match === undefined) {
      if (response.status !== 404) failures.push(`${response.method} ${pathname}: no such path in the document`)
      continue
    }
    const operation = document.paths[match.template]?.[response.method.toLowerCase()]
    const documented = operation?.responses?.[String(response.status)]
    if (documented === undefined) {
      failures.push(`${response.method} ${match.template} answered ${response.status}, which the document does not list`)
      continue
    }
    const schema = documented.content?.['application/json']?.schema
    if (schema === undefined) continue
    if (!response.contentType.startsWith('application/json')) failures.push(`${response.method} ${match.template} ${response.status}: content-type ${response.contentType}`)
    const validate = validators.get(schema) ?? ajv.compile(schema)
    validators.set(schema, validate)
    if (!validate(response.body)) {
      failures.push(`${response.method} ${match.template} ${response.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(response.body).slice(0, 300)}`)
    }
  }
  if (failures.length > 0) throw new Error(`responses that break the OpenAPI document:\n${[...new Set(failures)].join('\n')}`)
}
