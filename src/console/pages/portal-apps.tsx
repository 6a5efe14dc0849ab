// The developer portal's apps (issue 13 item 3): the developer's own apps (a consumer-admin's organisation's
// too): create, edit and delete with the API's fields, rules and messages; request access to products on a
// plan with a client type (PUT /apps/{id}/provision), answered with the credential at once on a plan that
// approves by itself; each request's state as it moves.
import { ProvisionBody } from '../../modules/access-requests/access-request.schemas.ts'
import { accessRequestNotFound } from '../../modules/access-requests/access-request.service.ts'
import type { AccessRequestWithCredentials } from '../../modules/apps/app-access-request.record.ts'
import type { AppRecord, AppWithAccessRequests } from '../../modules/apps/app.record.ts'
import { AppBody, AppPatch } from '../../modules/apps/app.schemas.ts'
import { parseAppId } from '../../modules/apps/app.service.ts'
import type { DeveloperService, RequestChoices } from '../../modules/developers/developer.service.ts'
import { idOr404 } from '../../shared/ids.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { Fragment, h, type Html } from '../html.ts'
import { Choices, CsrfField, ErrorSummary, Facts, Field, Pager } from '../layout.tsx'
import { NOTICES, pageOf, portalPage, showingErrors, type ConsolePage, type DeveloperContext } from '../console.plugin.tsx'
import { provisionBody, text } from './apps.tsx'
import { readTokenEndpoint, words } from './credentials.tsx'
import { clientTypeInWords, DeveloperPage, grantedWhen, planName, productName } from './portal-catalogue.tsx'
import { IssuedToDeveloper, portalCredentialUrl } from './portal-credentials.tsx'

export interface PortalAppPagesDeps {
  readonly developers: DeveloperService
}

const SECTION = '/portal/apps'
const APP_FIELDS = ['Name', 'Description', 'RedirectURLs']
const PROVISION_FIELDS = ['PlanID', 'ProductIDs', 'DCRTemplateID']
type FormValues = Readonly<Record<string, unknown>>

export function portalAppPages ({ developers }: PortalAppPagesDeps): ConsolePage[] {
  const appId = (ctx: DeveloperContext) => parseAppId(ctx.params.app_id ?? '')
  const requestForm = async (ctx: DeveloperContext, app: AppRecord, values: FormValues, messages: readonly string[]) =>
    requestPage(ctx, app, await developers.requestChoices(ctx.developer), values, messages)

  return [
    portalPage('GET', '/apps', async (ctx) => {
      const { page, perPage, query } = pageOf(ctx)
      const apps = await developers.apps(ctx.developer, query)
      const owners = ctx.developer.role === 'consumer-admin' ? await developers.ownerEmails(apps) : undefined
      return (
        <DeveloperPage ctx={ctx} title='My apps' section={SECTION}>
          <p>
            An app is what calls the APIs: each one gets its own credentials when access is granted.
            {owners === undefined ? '' : ' As an admin of your organisation, you see and manage the apps of its members too.'}
          </p>
          <p><a class='button' href='/portal/apps/new'>Create an app</a></p>
          {apps.length === 0 && page === 1 ? <p>You have no app yet.</p> : <AppTable apps={apps} owners={owners} />}
          <Pager base='/portal/apps' page={page} hasNext={apps.length === perPage} />
        </DeveloperPage>
      )
    }),

    portalPage('GET', '/apps/new', async (ctx) => appForm(ctx, undefined, {}, [])),

    portalPage('POST', '/apps/new', async (ctx) => {
      const body = appBody(ctx.form)
      return await showingErrors(async () => {
        const created = await developers.createApp(ctx.developer, ctx.validated(AppBody, body), { actor: ctx.actor })
        return { redirect: `/portal/apps/${created.id}`, notice: 'created' }
      }, (messages) => appForm(ctx, undefined, body, messages))
    }),

    portalPage('GET', '/apps/:app_id', async (ctx) => {
      const app = await developers.app(ctx.developer, appId(ctx))
      return (
        <DeveloperPage ctx={ctx} title={app.name} section={SECTION}>
          <AppFacts app={app} />
          <div class='actions'>
            <a class='button' href={`/portal/apps/${app.id}/request-access`}>Request access</a>
            <a class='button secondary' href={`/portal/apps/${app.id}/edit`}>Edit</a>
            <a class='button secondary' href={`/portal/apps/${app.id}/delete`}>Delete…</a>
          </div>
          <h2>Access requests and credentials</h2>
          {app.accessRequests.length === 0 ? <p>This app has not asked for access yet.</p> : <AppRequests app={app} />}
        </DeveloperPage>
      )
    }),

    portalPage('GET', '/apps/:app_id/edit', async (ctx) => {
      const app = await developers.app(ctx.developer, appId(ctx))
      return appForm(ctx, app, { Name: app.name, Description: app.description, RedirectURLs: app.redirectUrls.join(',') }, [])
    }),

    portalPage('POST', '/apps/:app_id/edit', async (ctx) => {
      const id = appId(ctx)
      const body = appBody(ctx.form)
      return await showingErrors(async () => {
        await developers.updateApp(ctx.developer, id, ctx.validated(AppPatch, body), { actor: ctx.actor })
        return { redirect: `/portal/apps/${id}`, notice: 'saved' }
      }, async (messages) => appForm(ctx, await developers.app(ctx.developer, id), body, messages))
    }),

    portalPage('GET', '/apps/:app_id/delete', async (ctx) => deletePage(ctx, await developers.app(ctx.developer, appId(ctx)), [])),

    portalPage('POST', '/apps/:app_id/delete', async (ctx) => {
      const id = appId(ctx)
      return await showingErrors(async () => {
        await developers.removeApp(ctx.developer, id, { actor: ctx.actor })
        return { redirect: '/portal/apps', notice: 'deleted' }
      }, async (messages) => deletePage(ctx, await developers.app(ctx.developer, id), messages))
    }),

    portalPage('GET', '/apps/:app_id/request-access', async (ctx) => await requestForm(ctx, await developers.app(ctx.developer, appId(ctx)), {}, [])),

    portalPage('POST', '/apps/:app_id/request-access', async (ctx) => {
      const id = appId(ctx)
      const body = provisionBody(ctx.form)
      return await showingErrors(async () => {
        const created = await developers.requestAccess(ctx.developer, id, ctx.validated(ProvisionBody, body), ctx.actor)
        if (!created.approved) return { redirect: `/portal/apps/${id}/access-requests/${created.id}`, notice: 'asked' }
        // The plan granted access at once: the credential's secret is shown on this answer, once.
        const request = await developers.accessRequest(ctx.developer, id, created.id)
        return (
          <DeveloperPage ctx={ctx} title='Access is granted' section={SECTION}>
            <p role='status'>{NOTICES.approved}</p>
            <p>The app <a href={`/portal/apps/${id}`}>{request.appName}</a> may use {words(request.products.map((product) => product.name))} on the plan {request.planName ?? 'that was deleted'}.</p>
            <IssuedToDeveloper request={request} newSecret={created.newSecret} endpoint={await readTokenEndpoint(developers, request.providerId)} />
          </DeveloperPage>
        )
      }, async (messages) => await requestForm(ctx, await developers.app(ctx.developer, id), body, messages))
    }),

    portalPage('GET', '/apps/:app_id/access-requests/:access_request_id', async (ctx) => {
      const id = appId(ctx)
      const requestId = idOr404(ctx.params.access_request_id ?? '', (raw) => accessRequestNotFound(raw, id))
      const request = await developers.accessRequest(ctx.developer, id, requestId)
      return (
        <DeveloperPage ctx={ctx} title={`Access request ${request.id}`} section={SECTION}>
          <p class='state'><strong>{STATE_WORDS[request.status]}</strong> {stateDetail(request)}</p>
          <Facts rows={[
            ['App', <a href={`/portal/apps/${id}`}>{request.appName}</a>],
            ['Products', words(request.products.map((product) => product.name))],
            ['Plan', request.planName ?? 'deleted'],
            ['Kind of client', request.clientTypeName ?? 'none: these products use no OAuth client'],
            ['Asked', `${formatTimestamp(request.createdAt)} UTC`],
            ['Last change', `${formatTimestamp(request.updatedAt)} UTC`]
          ]}
          />
          <h2>Credentials</h2>
          {request.credentials.length === 0
            ? <p>{request.status === 'approved' ? 'None: these products use no OAuth client, or the credential was deleted.' : 'None yet: a credential comes when access is granted.'}</p>
            : <ul>{request.credentials.map((credential) => <li><a href={portalCredentialUrl(id, request.id, credential.id)}><code>{credential.clientId}</code></a> ({words(credential.scopes)})</li>)}</ul>}
        </DeveloperPage>
      )
    })
  ]
}

const STATE_WORDS: Readonly<Record<AccessRequestWithCredentials['status'], string>> = {
  pending: 'Waiting.',
  approved: 'Granted.',
  rejected: 'Refused.'
}

/** Where the request stands, and what comes next, in words. */
function stateDetail (request: AccessRequestWithCredentials): string {
  if (request.status === 'approved') return 'Your app may use these products; its credentials are below.'
  if (request.status === 'rejected') return 'An admin of the portal refused it, or took the access back: its credentials no longer work.'
  if (request.lastError !== null) {
    return `Granting it failed at the identity provider: ${request.lastError}. ${request.provisionImmediately ? 'Request the same access again to retry.' : 'An admin of the portal retries it.'}`
  }
  return 'An admin of the portal answers it; reload this page to see its state.'
}

function AppTable ({ apps, owners }: { readonly apps: readonly AppRecord[]; readonly owners: ReadonlyMap<number, string> | undefined }): Html {
  return (
    <table>
      <thead>
        <tr><th scope='col'>Name</th><th scope='col'>Redirect URLs</th>{owners === undefined ? null : <th scope='col'>Owner</th>}<th scope='col'>Created</th></tr>
      </thead>
      <tbody>
        {apps.map((app) => (
          <tr>
            <td><a href={`/portal/apps/${app.id}`}>{app.name}</a></td>
            <td>{words(app.redirectUrls)}</td>
            {owners === undefined ? null : <td>{owners.get(app.userId) ?? `user ${app.userId}`}</td>}
            <td>{formatTimestamp(app.createdAt)} UTC</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function AppFacts ({ app }: { readonly app: AppRecord }): Html {
  return (
    <Facts rows={[
      ['Description', app.description === '' ? 'none' : app.description],
      ['Redirect URLs', app.redirectUrls.length === 0 ? 'none (enough for a server calling the API with its own identity)' : <ul>{app.redirectUrls.map((url) => <li><code>{url}</code></li>)}</ul>],
      ['Created', `${formatTimestamp(app.createdAt)} UTC`],
      ['Last change', `${formatTimestamp(app.updatedAt)} UTC`]
    ]}
    />
  )
}

function AppRequests ({ app }: { readonly app: AppWithAccessRequests }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Request</th><th scope='col'>State</th><th scope='col'>Products</th><th scope='col'>Plan</th><th scope='col'>Kind of client</th><th scope='col'>Credentials</th></tr></thead>
      <tbody>
        {app.accessRequests.map((request) => (
          <tr>
            <td><a href={`/portal/apps/${app.id}/access-requests/${request.id}`} aria-label={`Access request ${request.id}`}>#{request.id}</a></td>
            <td>{STATE_WORDS[request.status]}</td>
            <td>{words(request.products.map((product) => product.name))}</td>
            <td>{request.planName ?? 'deleted'}</td>
            <td>{request.clientTypeName ?? 'none'}</td>
            <td>
              {request.credentials.length === 0
                ? 'none'
                : <ul>{request.credentials.map((credential) => <li><a href={portalCredentialUrl(app.id, request.id, credential.id)}><code>{credential.clientId}</code></a></li>)}</ul>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The API body an app form makes: a developer writes these three; the owner is the developer. */
function appBody (form: URLSearchParams): Record<string, unknown> {
  return { Name: form.get('Name') ?? '', Description: form.get('Description') ?? '', RedirectURLs: form.get('RedirectURLs') ?? '' }
}

function appForm (ctx: DeveloperContext, app: AppRecord | undefined, values: FormValues, messages: readonly string[]): Html {
  const action = app === undefined ? '/portal/apps/new' : `/portal/apps/${app.id}/edit`
  return (
    <DeveloperPage ctx={ctx} title={app === undefined ? 'Create an app' : `Edit ${app.name}`} section={SECTION}>
      <ErrorSummary messages={messages} fields={APP_FIELDS} />
      <form method='post' action={action} novalidate>
        <CsrfField session={ctx.session} />
        <Field name='Name' label='Name' required maxlength={255} value={text(values.Name)} errors={messages} hint='People see it when your app asks them to sign in.' />
        <Field name='Description' label='Description' multiline maxlength={4096} value={text(values.Description)} errors={messages} />
        <Field
          name='RedirectURLs' label='Redirect URLs' maxlength={65536} value={text(values.RedirectURLs)} errors={messages}
          hint={'Only for apps that sign people in: where the identity provider sends them back, comma-separated. Each one absolute, without a fragment or a user name: https, http on 127.0.0.1, [::1] or localhost, or your app\'s own scheme such as com.example.app:/cb. Compared exactly. Leave empty for a server calling the API with its own identity.'}
        />
        <button type='submit'>{app === undefined ? 'Create the app' : 'Save'}</button>
        <a href={app === undefined ? '/portal/apps' : `/portal/apps/${app.id}`}>Cancel</a>
      </form>
    </DeveloperPage>
  )
}

function deletePage (ctx: DeveloperContext, app: AppWithAccessRequests, messages: readonly string[]): Html {
  const credentials = app.accessRequests.reduce((sum, request) => sum + request.credentials.length, 0)
  return (
    <DeveloperPage ctx={ctx} title={`Delete ${app.name}?`} section={SECTION}>
      <ErrorSummary messages={messages} />
      <p>
        This deletes the app and its {app.accessRequests.length} access request{app.accessRequests.length === 1 ? '' : 's'}.
        {credentials === 0 ? '' : ` Its ${credentials} credential${credentials === 1 ? '' : 's'} stop working at once: their clients are deleted at the identity provider. If it cannot be reached, nothing is deleted and this page says why.`}
      </p>
      <form method='post' action={`/portal/apps/${app.id}/delete`}>
        <CsrfField session={ctx.session} />
        <button type='submit' class='danger'>Delete the app</button>
        <a href={`/portal/apps/${app.id}`}>Cancel</a>
      </form>
    </DeveloperPage>
  )
}

function requestPage (ctx: DeveloperContext, app: AppRecord, choices: RequestChoices, values: FormValues, messages: readonly string[]): Html {
  const chosen = (value: unknown): string[] => (Array.isArray(value) ? value as unknown[] : [value]).map(text)
  // The kinds of client the products offer, each once, with the products offering it.
  const kinds = new Map<number, { type: RequestChoices['products'][number]['clientTypes'][number]; products: string[] }>()
  for (const { product, clientTypes } of choices.products) {
    for (const type of clientTypes) kinds.set(type.id, { type, products: [...(kinds.get(type.id)?.products ?? []), productName(product)] })
  }
  const someWithoutClient = choices.products.some(({ product }) => !product.dcrEnabled)
  const ready = choices.plans.length > 0 && choices.products.length > 0
  return (
    <DeveloperPage ctx={ctx} title={`Request access for ${app.name}`} section={SECTION}>
      <ErrorSummary messages={messages} fields={PROVISION_FIELDS} />
      {!ready
        ? <Fragment><p>No catalogue open to you offers {choices.products.length === 0 ? 'a product' : 'a plan'} yet: see the <a href='/portal/'>catalogue</a>.</p><p><a href={`/portal/apps/${app.id}`}>Back to {app.name}</a></p></Fragment>
        : (
          <form method='post' action={`/portal/apps/${app.id}/request-access`} novalidate>
            <CsrfField session={ctx.session} />
            <Choices
              name='ProductIDs' legend='Products' multiple selected={chosen(values.ProductIDs)} errors={messages}
              hint='One or more products of one catalogue. Products with OAuth clients and products without are requested separately.'
              options={choices.products.map(({ product }) => ({
                value: String(product.id),
                label: productName(product),
                hint: product.dcrEnabled ? `OAuth client for your app; scopes: ${words(product.scopes)}` : 'No OAuth client'
              }))}
            />
            <Choices
              name='PlanID' legend='Plan' multiple={false} selected={chosen(values.PlanID)} errors={messages}
              options={choices.plans.map((plan) => ({ value: String(plan.id), label: planName(plan), hint: `Access is granted ${grantedWhen(plan)}; scopes it adds: ${words(plan.jwtScopes)}` }))}
            />
            <Choices
              name='DCRTemplateID' legend='Kind of client' multiple={false} selected={values.DCRTemplateID === undefined ? [kinds.size === 1 && !someWithoutClient ? String([...kinds.keys()][0]) : ''] : chosen(values.DCRTemplateID)} errors={messages}
              hint='For products with OAuth clients: the kind of client the identity provider registers for your app. Each chosen product must offer it.'
              options={[
                ...(someWithoutClient ? [{ value: '', label: 'None (products without OAuth clients)' }] : []),
                ...[...kinds.values()].map(({ type, products }) => ({ value: String(type.id), label: type.name, hint: `${clientTypeInWords(type)} Offered by ${words(products)}.` }))
              ]}
            />
            <button type='submit'>Request access</button>
            <a href={`/portal/apps/${app.id}`}>Cancel</a>
          </form>
          )}
    </DeveloperPage>
  )
}
