// Server-side TSX (README "The admin console"): the compiler checks every template, and h() renders it
// to a string with every text and attribute value escaped. Only Html passes through unescaped, and only
// h() and the fixed assets make one, so no request value can become markup (OWASP XSS rule 1 and 2).
import { escapeHtml } from '../shared/escape-html.ts'

/** Markup that is already safe to write. */
export class Html {
  constructor (readonly value: string) {}
  toString (): string { return this.value }
}

export type Child = Html | string | number | boolean | null | undefined | readonly Child[]
type AttributeValue = string | number | boolean | null | undefined
export type Attributes = Readonly<Record<string, AttributeValue>>
/** An element's attributes; `children` shares the index signature, so attribute values are checked at render. */
type ElementProps = Readonly<Record<string, AttributeValue | Child>>
type Component<P> = (props: P & { readonly children?: Child }) => Html

// HTML Living Standard §13.1.2: elements that have no end tag.
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'])
const NAME = /^[a-z][a-z0-9-]*$/

function renderChild (child: Child): string {
  if (child === null || child === undefined || typeof child === 'boolean') return ''
  if (child instanceof Html) return child.value
  if (Array.isArray(child)) return (child as readonly Child[]).map(renderChild).join('')
  return escapeHtml(String(child))
}

function renderAttributes (attributes: ElementProps): string {
  let out = ''
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'children' || value === false || value === null || value === undefined) continue
    // Attribute names come from templates only; the check keeps a typo from producing broken markup.
    if (!NAME.test(name) || typeof value === 'object') throw new Error(`invalid attribute ${JSON.stringify(name)}`)
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`
  }
  return out
}

/** The JSX factory (tsconfig "jsxFactory": "h"). */
export function h<P extends object> (tag: string | Component<P>, props: (P & ElementProps) | null, ...children: Child[]): Html {
  if (typeof tag === 'function') return tag({ ...(props as P), children: children.length === 1 ? children[0] : children })
  const attributes = renderAttributes(props ?? {})
  if (VOID.has(tag)) return new Html(`<${tag}${attributes}>`)
  return new Html(`<${tag}${attributes}>${renderChild(children)}</${tag}>`)
}

/** The fragment factory (tsconfig "jsxFragmentFactory": "Fragment"): h() passes it its children. */
export function Fragment (props: { readonly children?: Child }): Html {
  return new Html(renderChild(props.children))
}

export function render (page: Html): string {
  return `<!doctype html>\n${page.value}`
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- TypeScript finds JSX's types by this namespace name
  namespace JSX {
    type Element = Html
    interface ElementChildrenAttribute { children: unknown }
    type IntrinsicElements = Record<string, ElementProps>
  }
}
