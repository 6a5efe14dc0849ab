// The audit log (issue 12): who did what when, newest first, of one kind of resource or one resource as
// GET /portal-api/audit-log filters it, paged like the API; each change as the fields it changed.
import { show } from '../../errors.ts'
import { AUDIT_RESOURCE_TYPES, type AuditRecord } from '../../modules/audit/audit.ts'
import { parseAuditFilter } from '../../modules/audit/audit.schemas.ts'
import type { AuditLogService } from '../../modules/audit/audit.service.ts'
import { Fragment, h, type Html } from '../html.ts'
import { ErrorSummary, Field, fieldOf, Page, Pager } from '../layout.tsx'
import { consolePage, pageOf, showingErrors, type PageContext } from '../console.plugin.tsx'
import type { ConsolePage } from '../console.plugin.tsx'

export interface AuditPagesDeps {
  readonly auditLog: AuditLogService
}

const SECTION = '/console/audit'
const FILTER_FIELDS = ['resource_type', 'resource_id']
/** Values longer than this are cut in the compact diff; the folded snapshots show them whole. */
const SHOWN = 240

export function auditPages ({ auditLog }: AuditPagesDeps): ConsolePage[] {
  return [
    consolePage('GET', '/audit', async (ctx) => {
      // An empty form field means no filter, as an absent query parameter does.
      const filter = { resource_type: given(ctx.query.resource_type), resource_id: given(ctx.query.resource_id) }
      return await showingErrors(async () => {
        const { page, perPage, query } = pageOf(ctx)
        const entries = await auditLog.list(query, parseAuditFilter(filter))
        return auditPage(ctx, filter, [], { entries, page, hasNext: entries.length === perPage })
      }, (messages) => auditPage(ctx, filter, messages, undefined))
    })
  ]
}

interface Filter { readonly resource_type: string | undefined; readonly resource_id: string | undefined }

function given (value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function auditPage (ctx: PageContext, filter: Filter, apiMessages: readonly string[], list: { entries: readonly AuditRecord[]; page: number; hasNext: boolean } | undefined): Html {
  // The API names its query parameters "query parameter resource_id …"; the form's fields are those parameters.
  const messages = apiMessages.map((message) => message.replace(/^query parameter /, ''))
  const filtered = filter.resource_type !== undefined
  const typeError = messages.filter((message) => fieldOf(message, ['resource_type']) !== undefined)
  return (
    <Page title='Audit log' session={ctx.session} section={SECTION}>
      <p>Every change made by an admin, through the API or this console, newest first: who, when, what, and the fields it changed. Secrets are never shown: they read <code>[redacted]</code>.</p>
      <p class='hint'>Who: <code>person:</code> and a username for a change made in the console; <code>user:</code> and an email for an admin user's API token; <code>bootstrap-token:</code> and 12 hexadecimal characters (a fingerprint of <code>PORTAL_ADMIN_TOKEN</code>, never the token) for the bootstrap token; <code>system</code> for the service itself.</p>
      <ErrorSummary messages={messages} fields={FILTER_FIELDS} title='The entries could not be listed' />
      <form method='get' action='/console/audit' class='filters' novalidate>
        <div class={typeError.length > 0 ? 'field invalid' : 'field'}>
          <label for='field-resource_type'>Resource type</label>
          {typeError.length === 0 ? null : <p class='field-error' id='field-resource_type-error'>{typeError.join(' ')}</p>}
          <select id='field-resource_type' name='resource_type' aria-invalid={typeError.length > 0 ? 'true' : undefined} aria-describedby={typeError.length > 0 ? 'field-resource_type-error' : undefined}>
            <option value='' selected={!filtered}>Any</option>
            {AUDIT_RESOURCE_TYPES.map((type) => <option value={type} selected={filter.resource_type === type}>{type}</option>)}
          </select>
        </div>
        <Field name='resource_id' label='Resource ID' type='number' value={filter.resource_id} errors={messages} hint='With a resource type: IDs are counted per kind of resource.' />
        <button type='submit'>Filter</button>
        {filtered || filter.resource_id !== undefined ? <a href='/console/audit'>Show every entry</a> : null}
      </form>
      {list === undefined
        ? null
        : list.entries.length === 0
          ? <p>{list.page > 1 ? 'No more entries.' : filtered ? 'No change of this resource is recorded.' : 'No change is recorded yet.'}</p>
          : <EntryTable entries={list.entries} />}
      {list === undefined ? null : <Pager base={filterUrl(filter.resource_type, filter.resource_id, given(ctx.query.per_page))} page={list.page} hasNext={list.hasNext} />}
    </Page>
  )
}

function filterUrl (type: string | undefined, id: string | number | undefined, perPage?: string): string {
  const query = new URLSearchParams()
  if (type !== undefined) query.set('resource_type', type)
  if (id !== undefined) query.set('resource_id', String(id))
  if (perPage !== undefined) query.set('per_page', perPage)
  const search = query.toString()
  return search === '' ? '/console/audit' : `/console/audit?${search}`
}

function EntryTable ({ entries }: { readonly entries: readonly AuditRecord[] }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>When (UTC)</th><th scope='col'>Who</th><th scope='col'>Action</th><th scope='col'>Resource</th><th scope='col'>What changed</th></tr></thead>
      <tbody>
        {entries.map((entry) => (
          <tr>
            <td>
              <time datetime={entry.occurredAt}>{entry.occurredAt.slice(0, 10)} {entry.occurredAt.slice(11, 19)}</time>
              {entry.requestId === '' ? null : <span class='hint'><br />request {entry.requestId}</span>}
            </td>
            <td><code>{entry.actor}</code></td>
            <td>{entry.action}</td>
            <td><a href={filterUrl(entry.resourceType, entry.resourceId)}>{entry.resourceType} {entry.resourceId}</a></td>
            <td><Changes entry={entry} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

type Snapshot = Readonly<Record<string, unknown>>

/** The fields whose values differ between two snapshots, in the order the resource shows them. */
export function changedFields (before: Snapshot, after: Snapshot): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  return names.filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]))
}

/** A compact diff of an update; the whole snapshot of a create or a delete, folded. */
function Changes ({ entry }: { readonly entry: AuditRecord }): Html {
  const { before, after } = entry
  if (before !== null && after !== null) {
    const changed = changedFields(before, after)
    return (
      <Fragment>
        {changed.length === 0
          ? <p>No field changed.</p>
          : (
            <ul class='changes'>
              {changed.map((name) => <li><code>{name}</code> from {name in before ? show(before[name], SHOWN) : 'absent'} to {name in after ? show(after[name], SHOWN) : 'absent'}</li>)}
            </ul>
            )}
        <details>
          <summary>Both snapshots</summary>
          <p>Before:</p>
          <pre>{JSON.stringify(before, null, 2)}</pre>
          <p>After:</p>
          <pre>{JSON.stringify(after, null, 2)}</pre>
        </details>
      </Fragment>
    )
  }
  const only = after ?? before
  if (only === null) return <Fragment>—</Fragment>
  return (
    <details>
      <summary>{after === null ? 'Snapshot before the change' : 'Snapshot after the change'} ({Object.keys(only).length} fields)</summary>
      <ul class='changes'>
        {Object.entries(only).map(([name, value]) => <li><code>{name}</code>: {show(value, SHOWN)}</li>)}
      </ul>
    </details>
  )
}
