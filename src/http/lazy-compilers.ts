// Route schemas compiled on first use, not at start (issue 14 item 5): Fastify compiles an Ajv validator
// per request part and a fast-json-stringify serializer per response status of every route when the app
// is built, ~350 ms of start and ~10 MB of resident memory, mostly for error statuses and routes a
// running service may never answer. Each is now compiled when a request first needs it, then kept.
import type { FastifyServerOptions } from 'fastify'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'

type AjvOptions = NonNullable<FastifyServerOptions['ajv']>
type Ajv = Parameters<NonNullable<AjvOptions['onCreate']>>[0]
type SerializerFactory = ReturnType<typeof SerializerSelector>

/** What Fastify reads of a validator: its verdict, and the errors of the last call. */
type Validate = ((...args: unknown[]) => unknown) & { errors?: unknown }

/** Fastify's `ajv.onCreate`: the Ajv instance of Fastify's own validator compiler compiles each schema on its first validation. */
export function compileValidatorsOnFirstUse (ajv: Ajv): void {
  const compile = ajv.compile.bind(ajv) as unknown as (schema: unknown) => Validate
  const compileOnFirstUse = (schema: unknown): Validate => {
    let validate: Validate | undefined
    const validateOnFirstUse: Validate = (...args) => {
      validate ??= compile(schema)
      const valid = validate(...args)
      validateOnFirstUse.errors = validate.errors
      return valid
    }
    // Fastify hands the parent object (Ajv's dataCxt) to a validator that has this, as to Ajv's own.
    return Object.assign(validateOnFirstUse, { schemaEnv: true })
  }
  ajv.compile = compileOnFirstUse as unknown as Ajv['compile']
}

/**
 * Fastify's `schemaController.compilersFactory.buildSerializer`: Fastify's default (fast-json-stringify)
 * compiling on first use, one serializer per schema object (the error envelopes are shared by every route).
 */
export const buildSerializersOnFirstUse: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options)
  const bySchema = new WeakMap<object, (doc: unknown) => string>()
  return (route) => {
    const schema = route.schema
    const shared = typeof schema === 'object' && schema !== null ? bySchema.get(schema) : undefined
    if (shared !== undefined) return shared
    let serialize: ((doc: unknown) => string) | undefined
    const serializeOnFirstUse = (doc: unknown) => (serialize ??= compile(route))(doc)
    if (typeof schema === 'object' && schema !== null) bySchema.set(schema, serializeOnFirstUse)
    return serializeOnFirstUse
  }
}
