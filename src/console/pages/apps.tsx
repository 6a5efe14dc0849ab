// Apps (issue 12): list, add, edit and delete with the API's fields and rules (RedirectURLs checked as
// the IdP will check them), an app's access requests and credentials, and asking for access for it
// (PUT /apps/{id}/provision), which a plan that approves at once answers with the credential.
import type { AccessRequestService } from '../../modules/access-requests/access-request.service.ts'
import { ProvisionBody } from '../../modules/access-requests/access-request.schemas.ts'
import type { AppRecord, AppWithAccessRequests } from '../../modules/apps/app.record.ts'
import { AppBody, AppPatch } from '../../modules/apps/app.schemas.ts'
import { parseAppId, type AppService } from '../../modules/apps/app.service.ts'
import { VISIBILITIES } from '../../modules/apps/app.values.ts'
import type { CredentialService } from '../../modules/credentials/credential.service.ts'
import type { PlanRecord } from '../../modules/plans/plan.record.ts'
import type { PlanService } from '../../modules/plans/plan.service.ts'
import type { ProductRecord } from '../../modules/products/product.record.ts'
import type { ProductService } from '../../modules/products/product.service.ts'
import { MAX_PER_PAGE } from '../../shared/pagination.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { Fragment, h, type Html } from '../html.ts'
import { Choices, CsrfField, ErrorSummary, Facts, Field, Page, Pager } from '../layout.tsx'
import { consolePage, noticeOf, pageOf, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'
import { approvedPage } from './access-requests.tsx'
import { credentialUrl, words } from './credentials.tsx'

export interface AppPagesDeps {
  readonly apps: AppService
  readonly accessRequests: AccessRequestService
  readonly credentials: CredentialService
  readonly plans: PlanService
  readonly products: ProductService
}

const SECTION = '/console/apps'
const APP_FIELDS = ['Name', 'Description', 'RedirectURLs', 'UserID', 'Visibility']
const PROVISION_FIELDS = ['PlanID', 'ProductIDs', 'DCRTemplateID']
// The first page of each, as the API pages them: enough to choose from; a longer catalogue is searched by ID in the API.
const CHOICES_PAGE = { limit: MAX_PER_PAGE, offset: 0 }

export function appPages ({ apps, accessRequests, credentials, plans, products }: AppPagesDeps): ConsolePage[] {
  const appId = (ctx: PageContext) => parseAppId(ctx.params.app_id ?? '')
  const provisionForm = async (ctx: PageContext, app: AppRecord, values: FormValues, messages: readonly string[]) =>
    provisionPage(ctx, app, await plans.list(CHOICES_PAGE), await products.list(CHOICES_PAGE), values, messages)

  return [
    consolePage('GET', '/apps', async (ctx) => {
      const { page, perPage, query } = pageOf(ctx)
      const list = await apps.list(query)
      return (
        <Page title='Apps' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <p>The consumers' applications. Each approved access request gives an app a credential: a client at the identity provider.</p>
          <p><a class='button' href='/console/apps/new'>Add an app</a></p>
          {list.length === 0 && page === 1 ? <p>No app yet.</p> : <AppTable list={list} />}
          <Pager base='/console/apps' page={page} hasNext={list.length === perPage} />
        </Page>
      )
    }),

    consolePage('GET', '/apps/new', async (ctx) => appForm(ctx, undefined, { Visibility: 'organisation' }, [])),

    consolePage('POST', '/apps/new', async (ctx) => {
      const body = appBody(ctx.form)
      return await showingErrors(async () => {
        const created = await apps.create(ctx.validated(AppBody, body), { actor: ctx.actor })
        return { redirect: `/console/apps/${created.id}`, notice: 'created' }
      }, (messages) => appForm(ctx, undefined, body, messages))
    }),

    consolePage('GET', '/apps/:app_id', async (ctx) => {
      const app = await apps.get(appId(ctx))
      return (
        <Page title={app.name} session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <AppFacts app={app} />
          <div class='actions'>
            <a class='button' href={`/console/apps/${app.id}/request-access`}>Request access</a>
            <a class='button secondary' href={`/console/apps/${app.id}/edit`}>Edit</a>
            <a class='button secondary' href={`/console/apps/${app.id}/delete`}>Delete…</a>
          </div>
          <h2>Access requests and credentials</h2>
          {app.accessRequests.length === 0 ? <p>This app has asked for nothing yet.</p> : <AppRequests app={app} />}
        </Page>
      )
    }),

    consolePage('GET', '/apps/:app_id/edit', async (ctx) => {
      const app = await apps.get(appId(ctx))
      return appForm(ctx, app, appValues(app), [])
    }),

    consolePage('POST', '/apps/:app_id/edit', async (ctx) => {
      const id = appId(ctx)
      const body = appBody(ctx.form)
      return await showingErrors(async () => {
        await apps.update(id, ctx.validated(AppPatch, body), { actor: ctx.actor })
        return { redirect: `/console/apps/${id}`, notice: 'saved' }
      }, async (messages) => appForm(ctx, await apps.get(id), body, messages))
    }),

    consolePage('GET', '/apps/:app_id/delete', async (ctx) => deletePage(ctx, await apps.get(appId(ctx)), [])),

    consolePage('POST', '/apps/:app_id/delete', async (ctx) => {
      const id = appId(ctx)
      return await showingErrors(async () => {
        await apps.remove(id, { actor: ctx.actor })
        return { redirect: '/console/apps', notice: 'deleted' }
      }, async (messages) => deletePage(ctx, await apps.get(id), messages))
    }),

    consolePage('GET', '/apps/:app_id/request-access', async (ctx) => await provisionForm(ctx, await apps.get(appId(ctx)), {}, [])),

    consolePage('POST', '/apps/:app_id/request-access', async (ctx) => {
      const id = appId(ctx)
      const body = provisionBody(ctx.form)
      return await showingErrors(async () => {
        const created = await accessRequests.provision(id, ctx.validated(ProvisionBody, body), ctx.actor)
        // A plan that approves at once has issued the credential: its secret is shown on this answer, once.
        if (created.approved) return await approvedPage(ctx, credentials, await accessRequests.get(created.id), created.newSecret)
        return { redirect: `/console/access-requests/${created.id}`, notice: 'requested' }
      }, async (messages) => await provisionForm(ctx, await apps.get(id), body, messages))
    })
  ]
}

type FormValues = Readonly<Record<string, unknown>>

function AppTable ({ list }: { readonly list: readonly AppRecord[] }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Name</th><th scope='col'>Redirect URLs</th><th scope='col'>Owner</th><th scope='col'>Visibility</th><th scope='col'>Created</th></tr></thead>
      <tbody>
        {list.map((app) => (
          <tr>
            <td><a href={`/console/apps/${app.id}`}>{app.name}</a></td>
            <td>{words(app.redirectUrls)}</td>
            <td>{owner(app)}</td>
            <td>{app.visibility}</td>
            <td>{formatTimestamp(app.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function owner (app: AppRecord): string {
  return app.userId === 0 ? 'none' : `user ${app.userId}`
}

function AppFacts ({ app }: { readonly app: AppRecord }): Html {
  return (
    <Facts rows={[
      ['ID', String(app.id)],
      ['Description', app.description === '' ? 'none' : app.description],
      ['Redirect URLs', app.redirectUrls.length === 0 ? 'none (machine clients only)' : <ul>{app.redirectUrls.map((url) => <li><code>{url}</code></li>)}</ul>],
      ['Owner', owner(app)],
      ['Visibility', app.visibility],
      ['Created', `${formatTimestamp(app.createdAt)} UTC`],
      ['Last change', `${formatTimestamp(app.updatedAt)} UTC`]
    ]}
    />
  )
}

function AppRequests ({ app }: { readonly app: AppWithAccessRequests }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Request</th><th scope='col'>Status</th><th scope='col'>Products</th><th scope='col'>Plan</th><th scope='col'>Client type</th><th scope='col'>Credentials</th></tr></thead>
      <tbody>
        {app.accessRequests.map((request) => (
          <tr>
            <td><a href={`/console/access-requests/${request.id}`} aria-label={`Access request ${request.id}`}>#{request.id}</a></td>
            <td>{request.status}</td>
            <td>{words(request.products.map((product) => product.name))}</td>
            <td>{request.planName ?? 'deleted'}</td>
            <td>{request.clientTypeName ?? 'none (no DCR)'}</td>
            <td>
              {request.credentials.length === 0
                ? 'none'
                : <ul>{request.credentials.map((credential) => <li><a href={credentialUrl(app.id, request.id, credential.id)}><code>{credential.clientId}</code></a> ({words(credential.scopes)})</li>)}</ul>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function appValues (app: AppRecord): FormValues {
  return { Name: app.name, Description: app.description, RedirectURLs: app.redirectUrls.join(','), UserID: String(app.userId), Visibility: app.visibility }
}

/** The API body an app form makes; a UserID that is not digits is sent as typed, for the API's own message. */
function appBody (form: URLSearchParams): Record<string, unknown> {
  const userId = (form.get('UserID') ?? '').trim()
  return {
    Name: form.get('Name') ?? '',
    Description: form.get('Description') ?? '',
    RedirectURLs: form.get('RedirectURLs') ?? '',
    ...(userId === '' ? {} : { UserID: /^\d{1,15}$/.test(userId) ? Number(userId) : userId }),
    Visibility: form.get('Visibility') ?? ''
  }
}

function appForm (ctx: PageContext, app: AppRecord | undefined, values: FormValues, messages: readonly string[]): Html {
  const action = app === undefined ? '/console/apps/new' : `/console/apps/${app.id}/edit`
  return (
    <Page title={app === undefined ? 'Add an app' : `Edit ${app.name}`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={APP_FIELDS} />
      <form method='post' action={action} novalidate>
        <CsrfField session={ctx.session} />
        <Field name='Name' label='Name' required maxlength={255} value={text(values.Name)} errors={messages} hint='Registered at the identity provider as the client name.' />
        <Field name='Description' label='Description' multiline maxlength={4096} value={text(values.Description)} errors={messages} />
        <Field
          name='RedirectURLs' label='Redirect URLs' maxlength={65536} value={text(values.RedirectURLs)} errors={messages}
          hint='Comma-separated; where the identity provider may send people back after sign-in (web and native apps; machine clients need none). Each one absolute, without a fragment or a user name: https, http on 127.0.0.1, [::1] or localhost, or a reverse-domain scheme such as com.example.app:/cb. The identity provider compares them exactly.'
        />
        <Field name='UserID' label='Owner (user ID)' type='number' value={text(values.UserID)} errors={messages} hint='The portal user who owns the app; 0 or empty for none.' />
        <Choices
          name='Visibility' legend='Visibility' multiple={false} selected={[text(values.Visibility)]} errors={messages}
          options={VISIBILITIES.map((value) => ({ value, label: value }))}
        />
        <button type='submit'>{app === undefined ? 'Add the app' : 'Save'}</button>
        <a href={app === undefined ? '/console/apps' : `/console/apps/${app.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

function deletePage (ctx: PageContext, app: AppWithAccessRequests, messages: readonly string[]): Html {
  const requests = app.accessRequests.length
  const credentials = app.accessRequests.reduce((sum, request) => sum + request.credentials.length, 0)
  return (
    <Page title={`Delete ${app.name}?`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} />
      <p>
        This deletes the app, its {requests} access request{requests === 1 ? '' : 's'} and {credentials} credential{credentials === 1 ? '' : 's'}.
        {credentials === 0 ? '' : ' Their clients are deleted at the identity provider first: their client IDs and secrets stop working. If the identity provider cannot be reached, nothing is deleted and this page says why.'}
      </p>
      <form method='post' action={`/console/apps/${app.id}/delete`}>
        <CsrfField session={ctx.session} />
        <button type='submit' class='danger'>Delete the app</button>
        <a href={`/console/apps/${app.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

/** PUT /apps/{id}/provision's body from the form; values that are not ids are sent as typed, for the API's messages. */
export function provisionBody (form: URLSearchParams): Record<string, unknown> {
  const id = (raw: string) => /^\d{1,15}$/.test(raw) ? Number(raw) : raw
  const plan = form.get('PlanID')
  const template = form.get('DCRTemplateID') ?? ''
  return {
    ...(plan === null ? {} : { PlanID: id(plan) }),
    ProductIDs: form.getAll('ProductIDs').map(id),
    ...(template === '' ? {} : { DCRTemplateID: id(template) })
  }
}

function provisionPage (ctx: PageContext, app: AppRecord, plans: readonly PlanRecord[], products: readonly ProductRecord[], values: FormValues, messages: readonly string[]): Html {
  const chosen = (value: unknown): string[] => (Array.isArray(value) ? value as unknown[] : [value]).map(text)
  // The client types DCR products offer, each once, with the products offering it.
  const types = new Map<number, { name: string; products: string[] }>()
  for (const product of products.filter((candidate) => candidate.dcrEnabled)) {
    for (const type of product.clientTypes) types.set(type.id, { name: type.name, products: [...(types.get(type.id)?.products ?? []), product.name] })
  }
  return (
    <Page title={`Request access for ${app.name}`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={PROVISION_FIELDS} />
      {plans.length === 0 || products.length === 0
        ? <p>There is {plans.length === 0 ? 'no plan' : 'no product'} yet: an admin creates products and plans first.</p>
        : (
          <form method='post' action={`/console/apps/${app.id}/request-access`} novalidate>
            <CsrfField session={ctx.session} />
            <Choices
              name='PlanID' legend='Plan' multiple={false} selected={chosen(values.PlanID)} errors={messages}
              options={plans.map((plan) => ({
                value: String(plan.id),
                label: plan.name,
                hint: `${plan.autoApproveAccessRequests ? 'Approves requests at once' : 'Requests wait for an admin\'s approval'}; scopes: ${words(plan.jwtScopes)}`
              }))}
            />
            <Choices
              name='ProductIDs' legend='Products' multiple selected={chosen(values.ProductIDs)} errors={messages}
              hint='Products with DCR and products without cannot be asked for together.'
              options={products.map((product) => ({
                value: String(product.id),
                label: product.name,
                hint: product.dcrEnabled ? `DCR: registers a client; scopes: ${words(product.scopes)}; client types: ${words(product.clientTypes.map((type) => type.name))}` : 'No DCR: no client is registered'
              }))}
            />
            <Choices
              name='DCRTemplateID' legend='Client type' multiple={false} selected={values.DCRTemplateID === undefined ? [''] : chosen(values.DCRTemplateID)} errors={messages}
              hint='For DCR products: the kind of client registered for the app at the identity provider. Each chosen product must offer it.'
              options={[
                { value: '', label: 'None (products without DCR)' },
                ...[...types].map(([typeId, type]) => ({ value: String(typeId), label: type.name, hint: `Offered by ${words(type.products)}` }))
              ]}
            />
            <button type='submit'>Request access</button>
            <a href={`/console/apps/${app.id}`}>Cancel</a>
          </form>
          )}
      {plans.length === 0 || products.length === 0 ? <Fragment><p><a href={`/console/apps/${app.id}`}>Back to {app.name}</a></p></Fragment> : null}
    </Page>
  )
}

/** A form value as the field shows it. */
export function text (value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}
