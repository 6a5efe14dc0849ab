// Access requests (issue 12): the queue of pending requests, oldest first; a request with what approving
// it will register at the identity provider (computed by the approval's own code), approve and reject
// with Tyk's semantics, and the credential an approval issues, its secret shown on that answer only.
import { AppError, show } from '../../errors.ts'
import { ACCESS_REQUEST_STATUSES, type AccessRequestRecord, type AccessRequestWithCredentials } from '../../modules/apps/app-access-request.record.ts'
import { accessRequestNotFound, type AccessRequestService } from '../../modules/access-requests/access-request.service.ts'
import type { CredentialService } from '../../modules/credentials/credential.service.ts'
import type { RegistrationPreview } from '../../modules/credentials/credential.record.ts'
import type { OAuthProviderService } from '../../modules/oauth-providers/oauth-provider.service.ts'
import type { MemberRecord } from '../../modules/organisations/member.record.ts'
import type { UserService } from '../../modules/users/user.service.ts'
import type { AccessRequestStatus } from '../../db/tables/access-request.table.ts'
import { idOr404 } from '../../shared/ids.ts'
import { formatTimestamp, type Clock } from '../../shared/time.ts'
import { Fragment, h, type Html } from '../html.ts'
import { CsrfField, ErrorSummary, Facts, Page, Pager } from '../layout.tsx'
import { consolePage, NOTICES, noticeOf, pageOf, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'
import { credentialUrl, IssuedCredentials, tokenEndpointOf, words } from './credentials.tsx'
import { personName } from './users.tsx'

export interface AccessRequestPagesDeps {
  readonly accessRequests: AccessRequestService
  readonly credentials: CredentialService
  readonly providers: OAuthProviderService
  readonly users: UserService
  readonly now: Clock
}

const SECTION = '/console/access-requests'
const FILTERS = [...ACCESS_REQUEST_STATUSES, 'all'] as const
type Filter = (typeof FILTERS)[number]
const FILTER_WORDS: Readonly<Record<Filter, string>> = { pending: 'Pending', approved: 'Approved', rejected: 'Rejected', all: 'All' }

export function accessRequestPages ({ accessRequests, credentials, providers, users, now }: AccessRequestPagesDeps): ConsolePage[] {
  /** The users who asked, by ID (Tyk's User of a request: the app's owner). */
  const askersOf = async (requests: readonly AccessRequestRecord[]): Promise<Askers> =>
    new Map((await users.members(requests.map((request) => request.userId).filter((id) => id !== 0))).map((user) => [user.id, user]))

  const requestId = (ctx: PageContext) => idOr404(ctx.params.access_request_id ?? '', accessRequestNotFound)

  /** A request's page: what it asks, what approving it registers, its credentials; `messages`: a refused action. */
  async function requestPage (ctx: PageContext, id: number, messages: readonly string[]): Promise<Html> {
    const request = await accessRequests.get(id)
    const preview = request.status === 'pending' ? await previewOf(accessRequests, id) : undefined
    const providerName = await providerNameOf(providers, request.providerId)
    return (
      <Page title={`Access request ${request.id}`} session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
        <ErrorSummary messages={messages} />
        <RequestFacts request={request} now={now()} providerName={providerName} askers={await askersOf([request])} />
        {request.status === 'pending' ? <WhatApprovalRegisters preview={preview} provider={providerName ?? 'the identity provider'} /> : null}
        <div class='actions'>
          {request.status === 'pending'
            ? (
              <form method='post' action={`/console/access-requests/${request.id}/approve`}>
                <CsrfField session={ctx.session} />
                <button type='submit'>Approve</button>
              </form>
              )
            : null}
          {request.status === 'rejected' ? null : <a class='button secondary' href={`/console/access-requests/${request.id}/reject`}>Reject…</a>}
        </div>
        <RequestCredentials request={request} />
      </Page>
    )
  }

  return [
    consolePage('GET', '/access-requests', async (ctx) => {
      const filter = filterOf(ctx.query.status)
      const { page, perPage, query } = pageOf(ctx)
      const list = await accessRequests.list(query, undefined, filter === 'all' ? undefined : filter)
      const base = `/console/access-requests?status=${filter}`
      return (
        <Page title='Access requests' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <p>Consumers ask for an app to use products on a plan. For products with DCR, approving registers a client for the app at the identity provider.</p>
          <nav aria-label='Status' class='pager'>
            {FILTERS.map((value) => value === filter
              ? <strong aria-current='page'>{FILTER_WORDS[value]}</strong>
              : <a href={`/console/access-requests?status=${value}`}>{FILTER_WORDS[value]}</a>)}
          </nav>
          {list.length === 0 && page === 1
            ? <p>{filter === 'pending' ? 'No request is waiting for an answer.' : `No ${filter === 'all' ? '' : `${filter} `}access request.`}</p>
            : <QueueTable list={list} filter={filter} now={now()} askers={await askersOf(list)} />}
          <Pager base={base} page={page} hasNext={list.length === perPage} />
        </Page>
      )
    }),

    consolePage('GET', '/access-requests/:access_request_id', async (ctx) => await requestPage(ctx, requestId(ctx), [])),

    consolePage('POST', '/access-requests/:access_request_id/approve', async (ctx) => {
      const id = requestId(ctx)
      return await showingErrors(async () => {
        const { newSecret } = await accessRequests.approve(id, ctx.actor)
        return await approvedPage(ctx, credentials, await accessRequests.get(id), newSecret)
      }, async (messages) => await requestPage(ctx, id, messages))
    }),

    consolePage('GET', '/access-requests/:access_request_id/reject', async (ctx) => rejectPage(ctx, await accessRequests.get(requestId(ctx)), [])),

    consolePage('POST', '/access-requests/:access_request_id/reject', async (ctx) => {
      const id = requestId(ctx)
      return await showingErrors(async () => {
        await accessRequests.reject(id, ctx.actor)
        return { redirect: `/console/access-requests/${id}`, notice: 'rejected' }
      }, async (messages) => rejectPage(ctx, await accessRequests.get(id), messages))
    })
  ]
}

/**
 * The answer of an approval (or of a request its plan approved at once): the credential, and its secret
 * when the approval issued one, in this answer only (never in a URL, never kept for another page).
 */
export async function approvedPage (ctx: PageContext, credentials: CredentialService, request: AccessRequestWithCredentials, newSecret: boolean): Promise<Html> {
  const tokenEndpoint = await tokenEndpointOf(credentials, request.providerId)
  return (
    <Page title={`Access request ${request.id} is approved`} session={ctx.session} section={SECTION} notice={NOTICES.approved}>
      <p>The app <a href={`/console/apps/${request.appId}`}>{request.appName}</a> may use {words(request.products.map((product) => product.name))} on the plan {request.planName ?? 'that was deleted'}.</p>
      <IssuedCredentials request={request} newSecret={newSecret} tokenEndpoint={tokenEndpoint} />
      <p><a href={`/console/access-requests/${request.id}`}>Open access request {request.id}</a> · <a href='/console/access-requests'>Back to the queue</a></p>
    </Page>
  )
}

function filterOf (raw: string | undefined): Filter {
  if (raw === undefined) return 'pending'
  if ((FILTERS as readonly string[]).includes(raw)) return raw as Filter
  throw new AppError('malformed_request', `query parameter status must be one of ${FILTERS.join(', ')}, got ${show(raw)}`)
}

/** What approving will send the IdP, or why it cannot be told (the approval would be refused for the same reason). */
async function previewOf (accessRequests: AccessRequestService, id: number): Promise<RegistrationPreview | string | undefined> {
  try {
    return await accessRequests.preview(id)
  } catch (error) {
    if (!(error instanceof AppError) || error.code === 'not_found') throw error
    return error.message
  }
}

async function providerNameOf (providers: OAuthProviderService, providerId: number | null): Promise<string | undefined> {
  if (providerId === null) return undefined
  try {
    return (await providers.get(providerId)).name
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return undefined
    throw error
  }
}

/** How long ago, in the largest whole unit. */
function age (iso: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 60_000))
  const [count, unit] = minutes < 60 ? [minutes, 'minute'] : minutes < 48 * 60 ? [Math.floor(minutes / 60), 'hour'] : [Math.floor(minutes / 1440), 'day']
  return `${count} ${unit}${count === 1 ? '' : 's'}`
}

type Askers = ReadonlyMap<number, MemberRecord>

/** Tyk's User of a request: the app's owner, when the app has one, by name and email. */
function AskedBy ({ request, askers }: { readonly request: AccessRequestRecord; readonly askers: Askers }): Html {
  if (request.userId === 0) return <Fragment>unknown (the app has no user)</Fragment>
  const user = askers.get(request.userId)
  if (user === undefined) return <Fragment>user {request.userId} (deleted)</Fragment>
  const name = personName(user)
  return <Fragment><a href={`/console/users/${user.id}`}>{name}</a>{user.email === '' || user.email === name ? '' : ` (${user.email})`}</Fragment>
}

function clientTypeOf (request: AccessRequestRecord): string {
  return request.clientTypeId === null ? 'none (no DCR)' : request.clientTypeName ?? `client type ${request.clientTypeId}`
}

function QueueTable ({ list, filter, now, askers }: { readonly list: readonly AccessRequestRecord[]; readonly filter: Filter; readonly now: Date; readonly askers: Askers }): Html {
  return (
    <table>
      <caption class='hint'>{filter === 'all' ? 'Every access request' : `${FILTER_WORDS[filter]} requests`}, oldest first</caption>
      <thead>
        <tr>
          <th scope='col'>Request</th><th scope='col'>Age</th><th scope='col'>App</th><th scope='col'>Asked by</th>
          <th scope='col'>Products</th><th scope='col'>Plan</th><th scope='col'>Client type</th><th scope='col'>Status</th>
        </tr>
      </thead>
      <tbody>
        {list.map((request) => (
          <tr>
            <td><a href={`/console/access-requests/${request.id}`} aria-label={`Access request ${request.id} of ${request.appName}`}>#{request.id}</a></td>
            <td>{age(request.createdAt, now)}</td>
            <td><a href={`/console/apps/${request.appId}`}>{request.appName}</a></td>
            <td><AskedBy request={request} askers={askers} /></td>
            <td>{words(request.products.map((product) => product.name))}</td>
            <td>{request.planName ?? 'deleted'}</td>
            <td>{clientTypeOf(request)}</td>
            <td>{request.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function RequestFacts ({ request, now, providerName, askers }: { readonly request: AccessRequestRecord; readonly now: Date; readonly providerName: string | undefined; readonly askers: Askers }): Html {
  return (
    <Facts rows={[
      ['Status', request.status],
      ['App', <a href={`/console/apps/${request.appId}`}>{request.appName}</a>],
      ['Asked by', <AskedBy request={request} askers={askers} />],
      ['Products', words(request.products.map((product) => product.name))],
      ['Plan', request.planName ?? 'deleted'],
      ['Client type', clientTypeOf(request)],
      ['Identity provider', request.providerId === null ? 'none' : <a href={`/console/providers/${request.providerId}`}>{providerName ?? `provider ${request.providerId}`}</a>],
      ['Asked', `${formatTimestamp(request.createdAt)} UTC (${age(request.createdAt, now)} ago)`],
      ['Last change', `${formatTimestamp(request.updatedAt)} UTC`],
      ['Approved by its plan on creation', request.provisionImmediately ? 'yes' : 'no'],
      ...(request.lastError === null ? [] : [['The last approval failed', request.lastError] as const])
    ]}
    />
  )
}

// The metadata every registration states, in this order; any other field a driver adds follows.
const METADATA_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['grant_types', 'Grant types'],
  ['response_types', 'Response types'],
  ['redirect_uris', 'Redirect URIs'],
  ['scope', 'Scopes'],
  ['token_endpoint_auth_method', 'Token endpoint authentication'],
  ['client_name', 'Client name']
]

function metadataValue (field: string, value: unknown): string {
  if (value === undefined) return 'none'
  if (field === 'scope' && typeof value === 'string') return words(value.split(' ').filter(Boolean))
  if (Array.isArray(value)) return words(value.map(String))
  return typeof value === 'string' ? value : JSON.stringify(value)
}

const ACTION_WORDS: Readonly<Record<RegistrationPreview['action'], (clientId: string | null, provider: string) => string>> = {
  register: (_clientId, provider) => `Approving registers a new client for the app at ${provider} (RFC 7591) with this metadata. The client secret it issues is shown once, on the answer.`,
  update: (clientId, provider) => `The app already has client ${clientId ?? ''} at ${provider} for this client type: approving updates it (RFC 7592) to this metadata, adding this request's scopes. Its client ID and secret stay.`,
  unchanged: (clientId, provider) => `The app's client ${clientId ?? ''} at ${provider} already holds these scopes: approving changes nothing at the identity provider and gives the request a credential on that client.`
}

function WhatApprovalRegisters ({ preview, provider }: { readonly preview: RegistrationPreview | string | undefined; readonly provider: string }): Html {
  if (preview === undefined) return <p>Its products do not use DCR: approving registers nothing at an identity provider.</p>
  if (typeof preview === 'string') return <Fragment><h2>What approval will register</h2><p>It cannot be told now, and approving would fail the same way: {preview}</p></Fragment>
  const rest = Object.keys(preview.metadata).filter((field) => !METADATA_ROWS.some(([known]) => known === field))
  return (
    <Fragment>
      <h2>What approval will register at the identity provider</h2>
      <p>{ACTION_WORDS[preview.action](preview.clientId, provider)}</p>
      <table>
        <caption class='hint'>The client metadata the portal will send, as the approval builds it</caption>
        <thead><tr><th scope='col'>Metadata</th><th scope='col'>Field</th><th scope='col'>Value</th></tr></thead>
        <tbody>
          {[...METADATA_ROWS, ...rest.map((field) => [field, field] as const)].map(([field, label]) => (
            <tr><td>{label}</td><td><code>{field}</code></td><td>{metadataValue(field, preview.metadata[field])}</td></tr>
          ))}
        </tbody>
      </table>
    </Fragment>
  )
}

function RequestCredentials ({ request }: { readonly request: AccessRequestWithCredentials }): Html {
  if (request.credentials.length === 0) return <Fragment />
  return (
    <Fragment>
      <h2>Credentials</h2>
      <table>
        <thead><tr><th scope='col'>Client ID</th><th scope='col'>Scopes</th><th scope='col'>State</th></tr></thead>
        <tbody>
          {request.credentials.map((credential) => (
            <tr>
              <td><a href={credentialUrl(request.appId, request.id, credential.id)}><code>{credential.clientId}</code></a></td>
              <td>{words(credential.scopes)}</td>
              <td>{credential.state}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Fragment>
  )
}

/** Tyk's reject: a pending request is refused; an approved one gives its credentials back first. */
function rejectPage (ctx: PageContext, request: AccessRequestWithCredentials, messages: readonly string[]): Html {
  const consequence: Readonly<Record<AccessRequestStatus, string>> = {
    pending: 'Nothing was registered for it: nothing changes at the identity provider. The request stays, marked rejected.',
    approved: `It is approved: rejecting takes its ${request.credentials.length === 1 ? 'credential' : `${request.credentials.length} credentials`} back. Its scopes leave the app's client at the identity provider, and the client is deleted there when no other credential holds it: its client ID and secret then stop working at once.`,
    rejected: 'It is already rejected.'
  }
  return (
    <Page title={`Reject access request ${request.id}?`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} />
      <p>The app {request.appName} asked for {words(request.products.map((product) => product.name))} on the plan {request.planName ?? 'that was deleted'}.</p>
      <p>{consequence[request.status]}</p>
      <form method='post' action={`/console/access-requests/${request.id}/reject`}>
        <CsrfField session={ctx.session} />
        <button type='submit' class='danger'>Reject the request</button>
        <a href={`/console/access-requests/${request.id}`}>Cancel</a>
      </form>
    </Page>
  )
}
