// Form text → the API body's JSON types, without deciding anything: what is not plainly a number stays
// text, so that the API's own schema refuses it with its own message naming the field.
import { parseId } from '../shared/ids.ts'

/** The items of a comma-separated field, trimmed; a blank field is []. */
export function commaItems (text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '')
}

/** An item that is an ID (plain digits) as a number, anything else as the text (Tyk's "IDs or names"). */
export function idOrText (text: string): number | string {
  return parseId(text) ?? text
}

/** A number field: the number it spells, or the text as typed (then the API names the field). */
export function numberOrText (text: string): number | string {
  const trimmed = text.trim()
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text
}

/** A stored list shown in a comma-separated field. */
export function commaText (value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(', ') : ''
}
