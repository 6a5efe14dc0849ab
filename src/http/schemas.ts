// Schemas shared by every route: the Tyk envelopes, paging and ?force, and small builders.
import { Type, type Static, type TSchema, type TUnsafe } from 'typebox'
import { MAX_ID } from '../shared/ids.ts'

export const ErrorsBody = Type.Object(
  { errors: Type.Array(Type.String(), { description: 'Human-readable messages; each names the field and the value' }) },
  { additionalProperties: false, description: 'Tyk OnlyErrors envelope' }
)

export const StatusWithErrorsBody = Type.Object({
  status: Type.String({ examples: ['error'] }),
  errors: Type.Array(Type.String())
}, { additionalProperties: false, description: 'Tyk StatusWithErrors' })

/** The same envelopes with Tyk's `message` beside `errors`, for routes whose config says errorMessage (error-handler.ts). */
export const ErrorsWithMessageBody = Type.Object({ message: Type.String(), errors: ErrorsBody.properties.errors }, { additionalProperties: false, description: 'Tyk StatusWithMessage\'s message, with our errors' })
export const StatusWithErrorsAndMessageBody = Type.Object({ ...StatusWithErrorsBody.properties, message: Type.String() }, { additionalProperties: false, description: 'Tyk StatusWithMessage, with our errors' })

export const StatusBody = Type.Object({ status: Type.String({ examples: ['ok'] }) }, { additionalProperties: false, description: 'Tyk Status envelope' })

export const Timestamp = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}$', description: 'UTC, YYYY-MM-DD HH:MM', examples: ['2023-06-25 13:37'] })

export const Id = Type.Integer({ minimum: 1, examples: [1] })

/** An id a body sends: one a row can have (1 to MAX_ID; a larger one would fail PostgreSQL's integer columns). */
export const IdRef = (description?: string) => Type.Integer({ minimum: 1, maximum: MAX_ID, examples: [1], ...(description === undefined ? {} : { description }) })

/** A string drawn from a fixed list; one `enum` keyword, so a bad value gets one clear error. */
export function StringEnum<const T extends readonly string[]> (values: T, options: { description?: string } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

/**
 * A list field: Go answers an empty slice as `null`, so saved Tyk objects carry `null` for it; read as []
 * (design.md §2). One `type: [array, null]` rather than a union, so that a bad item is named by its index.
 */
export const List = <T extends TSchema>(items: T, options: { maxItems: number; description?: string }) =>
  Type.Unsafe<Array<Static<T>> | null>({ type: ['array', 'null'], items, maxItems: options.maxItems, description: `${options.description ?? 'a list'}; null means []` })

/** An item of a list that names resources: an ID, or the name a GET answered (GET-modify-PUT, design.md §2). */
export const IdOrName = Type.Union([IdRef(), Type.String({ maxLength: 255 })])

/** Fields a client echoes back after a GET (GET-modify-PUT, design.md §2): accepted and ignored. */
export function Ignored (description = 'Read-only; accepted on write and ignored'): TSchema {
  return Type.Optional(Type.Unknown({ description }))
}

const Digits = (description: string) => Type.Optional(Type.String({ pattern: '^[0-9]+$', description }))

// Unknown query parameters are ignored, as Go servers do (Tyk's Go client always sends ?p=-2 listing apps).
export const PageQuery = Type.Object({
  page: Digits('1-based page number (default 1)'),
  per_page: Digits('page size, 1 to 1000 (default 20; larger values are read as 1000); the offset is (page - 1) × per_page'),
  limit: Digits('rows returned, 1 to 1000 (default per_page; larger values are read as 1000)')
}, { additionalProperties: true })

// Tyk reads its boolean query parameters with Go's strconv.ParseBool, which accepts exactly these spellings.
const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'] as const
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'] as const

/** A boolean query parameter in Go's spellings; anything else is a 400 naming it and them. */
export const GoBoolean = (description: string) => Type.Optional(StringEnum([...GO_TRUE, ...GO_FALSE], { description: `${description}; Go's boolean spellings (1, t, true, True, TRUE; 0, f, false, …)` }))

/** A GoBoolean parameter's value: absent is false. */
export const isGoTrue = (value: string | undefined): boolean => (GO_TRUE as readonly string[]).includes(value ?? '')

export const ForceQuery = Type.Object({
  force: GoBoolean('also remove what uses it (Tyk force semantics)')
}, { additionalProperties: true })

/** Error responses a route adds to those derived from what it declares (see src/http/openapi.ts). */
export function errorResponses (...statuses: number[]): Record<number, typeof ErrorsBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorsBody]))
}

/**
 * What a route that reaches an IdP can answer besides: 502 when the IdP fails or cannot be reached, 504 when
 * it times out, 409 when one of its clients is unmanageable or a registration's outcome is still unknown.
 */
export const IdpCallErrors = errorResponses(409, 502, 504)

export const ProviderIdParam = Type.String({ description: 'UID of this OAuth2.0 provider (integer)', examples: ['1'] })
export const ClientTypeIdParam = Type.String({ description: 'UID of this client type (integer)', examples: ['1'] })
