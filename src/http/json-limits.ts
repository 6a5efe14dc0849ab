// Caps on a parsed JSON request body (security-checklist §6 items 24–26): nesting depth, array length,
// string length and the number of keys, and text both databases store alike (no NUL, no lone UTF-16
// surrogate, which SQLite would keep and PostgreSQL would turn into U+FFFD or refuse), and no key twice
// in one object. Each refusal is one AppError('malformed_request') naming the field path and the limit.
import { AppError } from '../errors.ts'

export interface JsonLimits {
  /** Objects and arrays inside one another; the body itself is level 1. */
  readonly maxDepth: number
  readonly maxArrayItems: number
  /** UTF-16 code units per string value or key. */
  readonly maxStringLength: number
  /** Keys in all objects of the body together. */
  readonly maxKeys: number
}

export const JSON_LIMITS: JsonLimits = Object.freeze({ maxDepth: 32, maxArrayItems: 1000, maxStringLength: 64 * 1024, maxKeys: 10_000 })

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Throws AppError('malformed_request') for the first value that breaks a limit, in document order. */
export function checkJsonLimits (value: unknown, text: string, limits: JsonLimits = JSON_LIMITS): void {
  const keys = { count: 0 }
  walk(value, [], 1, limits, keys)
  const duplicate = findDuplicateKey(text)
  if (duplicate !== undefined) throw new AppError('malformed_request', `${duplicate} appears more than once in the same object (duplicate JSON key)`)
}

type Path = ReadonlyArray<string | number>

function walk (value: unknown, path: Path, depth: number, limits: JsonLimits, keys: { count: number }): void {
  if (typeof value === 'string') {
    checkText(value, path, limits, 'value')
    return
  }
  if (value === null || typeof value !== 'object') return
  if (depth > limits.maxDepth) {
    throw new AppError('malformed_request', `${describe(path)} is nested ${depth} levels deep; at most ${limits.maxDepth} levels of objects and arrays are allowed`)
  }
  if (Array.isArray(value)) {
    if (value.length > limits.maxArrayItems) {
      throw new AppError('malformed_request', `${describe(path)} has ${value.length} items; at most ${limits.maxArrayItems} items are allowed in an array`)
    }
    value.forEach((item, index) => { walk(item, [...path, index], depth + 1, limits, keys) })
    return
  }
  for (const [key, inner] of Object.entries(value)) {
    keys.count++
    if (keys.count > limits.maxKeys) {
      throw new AppError('malformed_request', `request body has more than ${limits.maxKeys} keys in all (the limit was passed at ${describe([...path, key])})`)
    }
    checkText(key, [...path, key], limits, 'name')
    walk(inner, [...path, key], depth + 1, limits, keys)
  }
}

function checkText (text: string, path: Path, limits: JsonLimits, what: 'value' | 'name'): void {
  const subject = what === 'name' ? `field name ${describe(path)}` : describe(path)
  if (text.length > limits.maxStringLength) {
    throw new AppError('malformed_request', `${subject} is ${text.length} characters long; at most ${limits.maxStringLength} characters (${limits.maxStringLength / 1024} KiB) are allowed in a string`)
  }
  if (text.includes('\0')) throw new AppError('malformed_request', `${subject} must not contain the NUL character (\\u0000)`)
  const surrogate = LONE_SURROGATE.exec(text)
  if (surrogate !== null) {
    const code = surrogate[0].charCodeAt(0).toString(16)
    throw new AppError('malformed_request', `${subject} contains a lone UTF-16 surrogate (\\u${code}) at character ${surrogate.index + 1}: not valid Unicode text`)
  }
}

/** A path as the error messages write it: `Name`, `GrantType[2]`, `a.b`; the body itself is "request body". */
function describe (path: Path): string {
  if (path.length === 0) return 'request body'
  let text = ''
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`
    else if (part.length <= 40 && /^[A-Za-z_$][\w$-]*$/.test(part)) text += text === '' ? part : `.${part}`
    else text += `[${JSON.stringify(part.length > 40 ? `${part.slice(0, 40)}…` : part)}]`
  }
  return text.length <= 200 ? text : `${text.slice(0, 100)}…${text.slice(-100)}`
}

interface Frame { readonly kind: 'object' | 'array'; readonly keys: Set<string>; key: string; index: number; expectKey: boolean }

/**
 * The path of the first key that repeats in one object, or undefined. JSON.parse keeps the last value
 * silently; a body that says two things is refused instead. `text` must already be valid JSON.
 */
export function findDuplicateKey (text: string): string | undefined {
  const stack: Frame[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) { // a string: find its closing quote
      let end = i + 1
      let escaped = false
      while (text.charCodeAt(end) !== 0x22) {
        if (text.charCodeAt(end) === 0x5c) { escaped = true; end++ }
        end++
      }
      const top = stack.at(-1)
      if (top?.kind === 'object' && top.expectKey) {
        const key = escaped ? JSON.parse(text.slice(i, end + 1)) as string : text.slice(i + 1, end)
        if (top.keys.has(key)) return describe([...pathOf(stack.slice(0, -1)), key])
        top.keys.add(key)
        top.key = key
        top.expectKey = false
      }
      i = end
    } else if (c === 0x7b) { // {
      stack.push({ kind: 'object', keys: new Set(), key: '', index: 0, expectKey: true })
    } else if (c === 0x5b) { // [
      stack.push({ kind: 'array', keys: new Set(), key: '', index: 0, expectKey: false })
    } else if (c === 0x7d || c === 0x5d) { // } ]
      stack.pop()
    } else if (c === 0x2c) { // ,
      const top = stack.at(-1)
      if (top?.kind === 'object') top.expectKey = true
      else if (top !== undefined) top.index++
    }
  }
  return undefined
}

function pathOf (frames: readonly Frame[]): Array<string | number> {
  return frames.map((frame) => frame.kind === 'object' ? frame.key : frame.index)
}
