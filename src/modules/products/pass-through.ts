// Tyk documents many descriptive fields on products and plans that carry no behaviour here: they are
// accepted with their Tyk types, stored as given (a JSON column) and answered unchanged.
import { Type, type TSchema } from 'typebox'

export const SafeInteger = (description: string, minimum = -Number.MAX_SAFE_INTEGER) =>
  Type.Integer({ minimum, maximum: Number.MAX_SAFE_INTEGER, description })
export const SafeNumber = (description: string) =>
  Type.Number({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, description })
export const Text = (maxLength: number, description: string) => Type.String({ maxLength, description })
export const LooseObject = (description: string) => Type.Object({}, { additionalProperties: true, description })
/** Every field of `fields`, optional. */
export function optional<T extends Record<string, TSchema>> (fields: T): { [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>> } {
  return Object.fromEntries(Object.entries(fields).map(([name, schema]) => [name, Type.Optional(schema)])) as never
}

/** The pass-through fields present in a body, as JSON text for the `fields` column; a `null` list is stored as []. */
export function storeFields (input: Readonly<Record<string, unknown>>, names: readonly string[]): string {
  return JSON.stringify(Object.fromEntries(names.filter((name) => input[name] !== undefined).map((name) => [name, input[name] ?? []])))
}
