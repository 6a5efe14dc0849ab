// The console's page shell and form parts (README "The admin console"): landmarks, a skip link, the
// signed-in person, one navigation, and the errors of the API in words, each tied to its field.
import { Fragment, h, type Child, type Html } from './html.ts'
import type { Session } from './sessions.ts'

export const NAV = [
  { href: '/console/providers', label: 'OAuth2.0 providers' },
  { href: '/console/products', label: 'Products' },
  { href: '/console/plans', label: 'Plans' },
  { href: '/console/apps', label: 'Apps' },
  { href: '/console/access-requests', label: 'Access requests' },
  { href: '/console/users', label: 'Users' },
  { href: '/console/organisations', label: 'Organisations' },
  { href: '/console/catalogues', label: 'Catalogues' },
  { href: '/console/idp-operations', label: 'IdP operations' },
  { href: '/console/audit', label: 'Audit log' },
  { href: '/console/settings', label: 'Settings' },
  { href: '/console/api', label: 'API reference' }
] as const

/** The developer portal's sections (issue 13 item 3). */
export const PORTAL_NAV = [
  { href: '/portal/', label: 'Catalogue' },
  { href: '/portal/apps', label: 'My apps' }
] as const

/** Who a page is for: admins in the console at /console, developers in the portal at /portal. */
export type Audience = 'admin' | 'developer'

const DOORS: Readonly<Record<Audience, { readonly name: string; readonly home: string; readonly nav: ReadonlyArray<{ readonly href: string; readonly label: string }> }>> = {
  admin: { name: 'Portal console', home: '/console/', nav: NAV },
  developer: { name: 'Developer portal', home: '/portal/', nav: PORTAL_NAV }
}

export interface PageProps {
  readonly title: string
  /** The signed-in person; absent on the sign-in pages. */
  readonly session?: Session | undefined
  /** The navigation entry this page belongs to. */
  readonly section?: string
  /** A confirmation shown above the content (role="status"). */
  readonly notice?: string | undefined
  /** The console's shell (default) or the developer portal's. */
  readonly audience?: Audience
  /** Show the sections' navigation; default: in the console, to admins. */
  readonly navigation?: boolean
  readonly children?: Child
}

export function Page ({ title, session, section, notice, audience = 'admin', navigation, children }: PageProps): Html {
  const door = DOORS[audience]
  const showNavigation = navigation ?? (audience === 'admin' && session?.isAdmin === true)
  return (
    <html lang='en'>
      <head>
        <meta charset='utf-8' />
        <meta name='viewport' content='width=device-width, initial-scale=1' />
        <title>{title} · {door.name}</title>
        <link rel='stylesheet' href='/console/assets/console.css' />
        <script src='/console/assets/console.js' defer />
      </head>
      <body>
        <a class='skip' href='#main'>Skip to content</a>
        <header class='top'>
          <a class='brand' href={door.home}>{door.name}</a>
          {session === undefined
            ? null
            : (
              <form method='post' action='/console/sign-out' class='who'>
                <span>Signed in as <strong>{session.name}</strong> ({session.username})</span>
                <CsrfField session={session} />
                <button type='submit' class='secondary'>Sign out</button>
              </form>
              )}
        </header>
        {showNavigation
          ? (
            <nav aria-label={audience === 'admin' ? 'Console' : 'Developer portal'}>
              <ul>
                {door.nav.map((entry) => <li><a href={entry.href} aria-current={entry.href === section ? 'page' : undefined}>{entry.label}</a></li>)}
              </ul>
            </nav>
            )
          : null}
        <main id='main' tabindex='-1'>
          <h1>{title}</h1>
          {notice === undefined ? null : <p class='notice' role='status'>{notice}</p>}
          {children}
        </main>
      </body>
    </html>
  )
}

export function CsrfField ({ session }: { readonly session: Session }): Html {
  return <input type='hidden' name='_csrf' value={session.csrfToken} />
}

/** The API's messages for a refused change, announced at once, each linked to its field when it names one. */
export function ErrorSummary ({ messages, fields, title = 'The change was not made' }: { readonly messages: readonly string[]; readonly fields?: readonly string[]; readonly title?: string }): Html {
  if (messages.length === 0) return <Fragment />
  return (
    <div class='errors' role='alert' aria-labelledby='error-summary-title' id='error-summary'>
      <h2 id='error-summary-title'>{messages.length === 1 ? title : `${title}: ${messages.length} problems`}</h2>
      <ul>
        {messages.map((message) => {
          const field = fieldOf(message, fields ?? [])
          return <li>{field === undefined ? message : <a href={`#field-${field}`}>{message}</a>}</li>
        })}
      </ul>
    </div>
  )
}

/** The field an API message is about: messages start with the field's API name ("GrantType must …"). */
export function fieldOf (message: string, fields: readonly string[]): string | undefined {
  return fields.find((field) => message === field || message.startsWith(`${field} `) || message.startsWith(`${field}[`) || message.startsWith(`${field}.`))
}

export interface FieldProps {
  /** The API's field name: the form field's name, and what error messages start with. */
  readonly name: string
  readonly label: string
  readonly value?: string | number | undefined
  readonly hint?: string
  readonly errors?: readonly string[]
  readonly type?: 'text' | 'url' | 'number' | 'password'
  readonly required?: boolean
  readonly multiline?: boolean
  readonly maxlength?: number
  readonly autocomplete?: string
}

/** What a field and a fieldset share: their id, the errors that name them, the hint and error lines that describe them. */
function fieldParts (name: string, hint: string | undefined, errors: readonly string[] | undefined) {
  const id = `field-${name}`
  const mine = (errors ?? []).filter((message) => fieldOf(message, [name]) !== undefined)
  const described = [hint === undefined ? '' : `${id}-hint`, mine.length === 0 ? '' : `${id}-error`].filter((part) => part !== '').join(' ')
  return {
    id,
    invalid: mine.length > 0,
    describedBy: described === '' ? undefined : described,
    notes: (
      <Fragment>
        {hint === undefined ? null : <p class='hint' id={`${id}-hint`}>{hint}</p>}
        {mine.length === 0 ? null : <p class='field-error' id={`${id}-error`}>{mine.join(' ')}</p>}
      </Fragment>
    )
  }
}

/** A labelled input; when an error names it, marked invalid and described by the error. */
export function Field (props: FieldProps): Html {
  const { id, invalid, describedBy, notes } = fieldParts(props.name, props.hint, props.errors)
  const common = {
    id,
    name: props.name,
    required: props.required === true,
    maxlength: props.maxlength,
    'aria-invalid': invalid ? 'true' : undefined,
    'aria-describedby': describedBy,
    autocomplete: props.autocomplete ?? 'off'
  }
  return (
    <div class={invalid ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}{props.required === true ? <span class='required'> (required)</span> : null}</label>
      {notes}
      {props.multiline === true
        ? <textarea {...common} rows={4}>{props.value ?? ''}</textarea>
        : <input {...common} type={props.type ?? 'text'} value={props.value ?? ''} />}
    </div>
  )
}

export interface ChoicesProps {
  readonly name: string
  readonly legend: string
  /** Options with a `group` are shown in a fieldset per group, with the group as its legend. */
  readonly options: ReadonlyArray<{ readonly value: string; readonly label: string; readonly hint?: string; readonly group?: string }>
  readonly selected: readonly string[]
  /** Checkboxes (many) or radio buttons (one). */
  readonly multiple: boolean
  readonly hint?: string
  readonly errors?: readonly string[]
}

/** A fieldset of checkboxes or radio buttons: the API's allowed values as choices. */
export function Choices (props: ChoicesProps): Html {
  const { id, invalid, describedBy, notes } = fieldParts(props.name, props.hint, props.errors)
  const groups = [...new Set(props.options.map((option) => option.group))]
  const choice = (option: ChoicesProps['options'][number], index: number) => (
    <div class='choice'>
      <input
        type={props.multiple ? 'checkbox' : 'radio'} id={`${id}-${index}`} name={props.name} value={option.value}
        checked={props.selected.includes(option.value)}
        aria-describedby={option.hint === undefined ? undefined : `${id}-${index}-hint`}
      />
      <label for={`${id}-${index}`}>{option.label}</label>
      {option.hint === undefined ? null : <span class='hint' id={`${id}-${index}-hint`}>{option.hint}</span>}
    </div>
  )
  return (
    <fieldset id={id} class={invalid ? 'field invalid' : 'field'} aria-describedby={describedBy} tabindex='-1'>
      <legend>{props.legend}</legend>
      {notes}
      {groups.length === 1 && groups[0] === undefined
        ? <div class='choices'>{props.options.map(choice)}</div>
        : groups.map((group) => (
          <fieldset class='choice-group'>
            <legend>{group}</legend>
            <div class='choices'>{props.options.map((option, index) => option.group === group ? choice(option, index) : null)}</div>
          </fieldset>
        ))}
    </fieldset>
  )
}

/** Previous / next links of a list, as the API pages it (page numbers, per_page). */
export function Pager ({ base, page, hasNext }: { readonly base: string; readonly page: number; readonly hasNext: boolean }): Html {
  const link = (to: number) => `${base}${base.includes('?') ? '&' : '?'}page=${to}`
  return (
    <nav class='pager' aria-label='Pages'>
      {page > 1 ? <a href={link(page - 1)} rel='prev'>Previous page</a> : null}
      <span>Page {page}</span>
      {hasNext ? <a href={link(page + 1)} rel='next'>Next page</a> : null}
    </nav>
  )
}

/** A definition list of a resource's read-only facts. */
export function Facts ({ rows }: { readonly rows: ReadonlyArray<readonly [string, Child]> }): Html {
  return <dl class='facts'>{rows.map(([term, value]) => <Fragment><dt>{term}</dt><dd>{value}</dd></Fragment>)}</dl>
}
