// OAuth2.0 providers and their client types (issue 12): list, create, edit, delete with the `force`
// question in words, verify with its graded findings, and connecting the embedded IdP in one click.
import { ClientTypeBody, ClientTypePatch, toClientTypeElem } from '../../modules/oauth-providers/client-type.schemas.ts'
import type { ClientTypeRecord } from '../../modules/oauth-providers/client-type.record.ts'
import type { ClientTypeService } from '../../modules/oauth-providers/client-type.service.ts'
import { GRANT_TYPES, OKTA_APP_TYPES, RESPONSE_TYPES, TOKEN_ENDPOINT_AUTH_METHODS } from '../../modules/oauth-providers/client-type.values.ts'
import { PROVIDER_TYPES, type ProviderRecord, type ProviderWithClientTypes } from '../../modules/oauth-providers/oauth-provider.record.ts'
import { ProviderBody, ProviderPatch, toProviderShow } from '../../modules/oauth-providers/oauth-provider.schemas.ts'
import { providerNotFound, type OAuthProviderService } from '../../modules/oauth-providers/oauth-provider.service.ts'
import { idOr404, parseId } from '../../shared/ids.ts'
import type { ProviderVerification } from '../../modules/oauth-providers/provider-verification.ts'
import { h, type Html } from '../html.ts'
import { Choices, CsrfField, ErrorSummary, Facts, Field, Page, Pager } from '../layout.tsx'
import { DeleteQuestion } from './delete-question.tsx'
import { consolePage, etagField, formWriteContext, noticeOf, pageOf, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'

export interface ProviderPagesDeps {
  readonly providers: OAuthProviderService
  readonly clientTypes: ClientTypeService
  readonly verification: ProviderVerification
  /** Whether the embedded IdP runs here (it can then be connected in one click). */
  readonly embeddedIdp: boolean
}

const SECTION = '/console/providers'
const PROVIDER_FIELDS = ['Name', 'Type', 'WellKnownURL', 'RegistrationAccessToken', 'SSLInsecureSkipVerify', 'RequiresRedirectURIs']
const CLIENT_TYPE_FIELDS = ['Name', 'Description', 'ResponseTypes', 'GrantType', 'TokenEndpointAuthMethod', 'OktaAppType']

export function providerPages ({ providers, clientTypes, verification, embeddedIdp }: ProviderPagesDeps): ConsolePage[] {
  const providerId = (ctx: PageContext) => idOr404(ctx.params.provider_id ?? '', providerNotFound)
  /** Both path ids; a client type id that cannot name a row answers the API's 404. */
  const typeIds = async (ctx: PageContext): Promise<[number, number]> => {
    const id = providerId(ctx)
    const typeId = parseId(ctx.params.client_type_id ?? '')
    if (typeId === undefined) throw await clientTypes.notFound(id, ctx.params.client_type_id ?? '')
    return [id, typeId]
  }

  return [
    consolePage('GET', '/providers', async (ctx) => {
      const { page, perPage, query } = pageOf(ctx)
      const list = await providers.list(query)
      return (
        <Page title='OAuth2.0 providers' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <p>Identity providers where the portal registers a client for each approved app (RFC 7591 Dynamic Client Registration).</p>
          <div class='actions'>
            <a class='button' href='/console/providers/new'>Add a provider</a>
            {embeddedIdp && page === 1 && list.length === 0 ? <ConnectEmbedded ctx={ctx} /> : null}
          </div>
          {list.length === 0 && page === 1
            ? <p>No identity provider yet. {embeddedIdp ? 'Connect the built-in one in one click, or add Keycloak, Okta, Gluu or any RFC 7591 server.' : 'Add Keycloak, Okta, Gluu or any RFC 7591 server.'}</p>
            : <ProviderTable list={list} />}
          <Pager base='/console/providers' page={page} hasNext={list.length === perPage} />
        </Page>
      )
    }),

    consolePage('POST', '/providers/embedded', async (ctx) => {
      const provider = await providers.connectEmbedded({ actor: ctx.actor })
      return { redirect: `/console/providers/${provider.id}`, notice: 'connected' }
    }),

    consolePage('GET', '/providers/new', async (ctx) => providerForm(ctx, undefined, {}, [])),

    consolePage('POST', '/providers/new', async (ctx) => {
      const body = providerBody(ctx.form, true)
      return await showingErrors(async () => {
        const input = ctx.validated(ProviderBody, body)
        const created = await providers.create(input, { actor: ctx.actor })
        return { redirect: `/console/providers/${created.id}`, notice: 'created' }
      }, (messages) => providerForm(ctx, undefined, body, messages))
    }),

    consolePage('GET', '/providers/:provider_id', async (ctx) => {
      const provider = await providers.get(providerId(ctx))
      return (
        <Page title={provider.name} session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <ProviderFacts provider={provider} />
          <div class='actions'>
            <a class='button' href={`/console/providers/${provider.id}/edit`}>Edit</a>
            <form method='post' action={`/console/providers/${provider.id}/verify`}>
              <CsrfField session={ctx.session} />
              <button type='submit' class='secondary'>Verify</button>
            </form>
            <form method='post' action={`/console/providers/${provider.id}/verify`}>
              <CsrfField session={ctx.session} />
              <input type='hidden' name='canary' value='true' />
              <button type='submit' class='secondary'>Verify with a test registration</button>
            </form>
            <a class='button secondary' href={`/console/providers/${provider.id}/delete`}>Delete…</a>
          </div>
          <h2>Client types</h2>
          <p>Templates of the clients registered for apps: what each may do at the identity provider.</p>
          <p><a class='button' href={`/console/providers/${provider.id}/client-types/new`}>Add a client type</a></p>
          {provider.clientTypes.length === 0 ? <p>No client type yet: products can offer none of this provider's clients until one exists.</p> : <ClientTypeTable provider={provider} />}
        </Page>
      )
    }),

    consolePage('GET', '/providers/:provider_id/edit', async (ctx) => {
      const provider = await providers.get(providerId(ctx))
      return providerForm(ctx, provider, providerValues(provider), [])
    }),

    consolePage('POST', '/providers/:provider_id/edit', async (ctx) => {
      const id = providerId(ctx)
      const body = providerBody(ctx.form, false)
      return await showingErrors(async () => {
        const input = ctx.validated(ProviderPatch, body)
        await providers.update(id, input, formWriteContext(ctx, toProviderShow))
        return { redirect: `/console/providers/${id}`, notice: 'saved' }
      }, async (messages) => providerForm(ctx, await providers.get(id), body, messages))
    }),

    consolePage('GET', '/providers/:provider_id/delete', async (ctx) => deleteProviderPage(ctx, await providers.get(providerId(ctx)), [])),

    consolePage('POST', '/providers/:provider_id/delete', async (ctx) => {
      const id = providerId(ctx)
      return await showingErrors(async () => {
        await providers.remove(id, ctx.form.get('force') === 'true', formWriteContext(ctx, toProviderShow))
        return { redirect: '/console/providers', notice: 'deleted' }
      }, async (messages) => deleteProviderPage(ctx, await providers.get(id), messages))
    }),

    consolePage('POST', '/providers/:provider_id/verify', async (ctx) => {
      const provider = await providers.get(providerId(ctx))
      const canary = ctx.form.get('canary') === 'true'
      const report = await verification.verify(provider.id, canary)
      return (
        <Page title={`Verification of ${provider.name}`} session={ctx.session} section={SECTION}>
          <p>Overall: <span class={`status-${report.status}`}>{STATUS_WORDS[report.status]}</span>{canary ? ' (with a test registration, deleted again)' : ''}</p>
          <table>
            <caption class='hint'>Each check the service made against {provider.wellKnownUrl}</caption>
            <thead><tr><th scope='col'>Check</th><th scope='col'>Result</th><th scope='col'>What it found</th></tr></thead>
            <tbody>
              {report.findings.map((finding) => (
                <tr><td>{finding.check}</td><td class={`status-${finding.status}`}>{STATUS_WORDS[finding.status]}</td><td>{finding.message}</td></tr>
              ))}
            </tbody>
          </table>
          <p><a href={`/console/providers/${provider.id}`}>Back to {provider.name}</a></p>
        </Page>
      )
    }),

    consolePage('GET', '/providers/:provider_id/client-types/new', async (ctx) => {
      const provider = await providers.get(providerId(ctx))
      return clientTypeForm(ctx, provider, undefined, { TokenEndpointAuthMethod: 'client_secret_basic', OktaAppType: '' }, [])
    }),

    consolePage('POST', '/providers/:provider_id/client-types/new', async (ctx) => {
      const id = providerId(ctx)
      const body = clientTypeBody(ctx.form)
      return await showingErrors(async () => {
        const input = ctx.validated(ClientTypeBody, body)
        await clientTypes.create(id, input, { actor: ctx.actor })
        return { redirect: `/console/providers/${id}`, notice: 'created' }
      }, async (messages) => clientTypeForm(ctx, await providers.get(id), undefined, body, messages))
    }),

    consolePage('GET', '/providers/:provider_id/client-types/:client_type_id/edit', async (ctx) => {
      const [id, typeId] = await typeIds(ctx)
      const type = await clientTypes.get(id, typeId)
      return clientTypeForm(ctx, await providers.get(id), type, clientTypeValues(type), [])
    }),

    consolePage('POST', '/providers/:provider_id/client-types/:client_type_id/edit', async (ctx) => {
      const [id, typeId] = await typeIds(ctx)
      const body = clientTypeBody(ctx.form)
      return await showingErrors(async () => {
        const input = ctx.validated(ClientTypePatch, body)
        await clientTypes.update(id, typeId, input, formWriteContext(ctx, toClientTypeElem))
        return { redirect: `/console/providers/${id}`, notice: 'saved' }
      }, async (messages) => clientTypeForm(ctx, await providers.get(id), await clientTypes.get(id, typeId), body, messages))
    }),

    consolePage('GET', '/providers/:provider_id/client-types/:client_type_id/delete', async (ctx) => {
      return deleteClientTypePage(ctx, await clientTypes.get(...await typeIds(ctx)), [])
    }),

    consolePage('POST', '/providers/:provider_id/client-types/:client_type_id/delete', async (ctx) => {
      const [id, typeId] = await typeIds(ctx)
      return await showingErrors(async () => {
        await clientTypes.remove(id, typeId, ctx.form.get('force') === 'true', formWriteContext(ctx, toClientTypeElem))
        return { redirect: `/console/providers/${id}`, notice: 'deleted' }
      }, async (messages) => deleteClientTypePage(ctx, await clientTypes.get(id, typeId), messages))
    })
  ]
}

const STATUS_WORDS = { ok: 'OK', warning: 'Warning', error: 'Error' } as const

function ConnectEmbedded ({ ctx }: { readonly ctx: PageContext }): Html {
  return (
    <form method='post' action='/console/providers/embedded'>
      <CsrfField session={ctx.session} />
      <button type='submit'>Connect the embedded IdP</button>
    </form>
  )
}

function ProviderTable ({ list }: { readonly list: readonly ProviderRecord[] }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Name</th><th scope='col'>Type</th><th scope='col'>Discovery document</th><th scope='col'>Initial access token</th><th scope='col'>Last change</th></tr></thead>
      <tbody>
        {list.map((provider) => (
          <tr>
            <td><a href={`/console/providers/${provider.id}`}>{provider.name}</a></td>
            <td>{provider.type}</td>
            <td><code>{provider.wellKnownUrl}</code></td>
            <td>{provider.hasRegistrationAccessToken ? 'set' : 'not set'}</td>
            <td>{provider.updatedAt}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function ProviderFacts ({ provider }: { readonly provider: ProviderWithClientTypes }): Html {
  return (
    <Facts rows={[
      ['ID', String(provider.id)],
      ['Type', provider.type],
      ['Discovery document', <code>{provider.wellKnownUrl}</code>],
      ['Initial access token', provider.hasRegistrationAccessToken ? 'set (never shown)' : 'not set'],
      ['TLS verification', provider.sslInsecureSkipVerify ? 'skipped for this provider' : 'on'],
      ['Redirect URIs on every registration', provider.requiresRedirectUris ? 'yes' : 'no'],
      ['Created', provider.createdAt],
      ['Last change', provider.updatedAt]
    ]}
    />
  )
}

function ClientTypeTable ({ provider }: { readonly provider: ProviderWithClientTypes }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Name</th><th scope='col'>Grant types</th><th scope='col'>Response types</th><th scope='col'>Token endpoint auth</th><th scope='col'>Actions</th></tr></thead>
      <tbody>
        {provider.clientTypes.map((type) => (
          <tr>
            <td>{type.name}{type.description === '' ? null : <p class='hint'>{type.description}</p>}</td>
            <td>{type.grantTypes.join(', ')}</td>
            <td>{type.responseTypes.join(', ')}</td>
            <td>{type.tokenEndpointAuthMethod}</td>
            <td>
              <a href={`/console/providers/${provider.id}/client-types/${type.id}/edit`} aria-label={`Edit ${type.name}`}>Edit</a>
              {' · '}
              <a href={`/console/providers/${provider.id}/client-types/${type.id}/delete`} aria-label={`Delete ${type.name}`}>Delete…</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

type FormValues = Readonly<Record<string, unknown>>

function providerValues (provider: ProviderRecord): FormValues {
  return { Name: provider.name, Type: provider.type, WellKnownURL: provider.wellKnownUrl, SSLInsecureSkipVerify: provider.sslInsecureSkipVerify, RequiresRedirectURIs: provider.requiresRedirectUris }
}

/** The API body a provider form makes; the token only when the person typed one or asked to clear it. */
function providerBody (form: URLSearchParams, creating: boolean): Record<string, unknown> {
  const token = form.get('RegistrationAccessToken') ?? ''
  const clear = form.get('ClearRegistrationAccessToken') === 'true'
  return {
    Name: form.get('Name') ?? '',
    Type: form.get('Type') ?? '',
    WellKnownURL: form.get('WellKnownURL') ?? '',
    ...(token !== '' ? { RegistrationAccessToken: token } : clear && !creating ? { RegistrationAccessToken: '' } : {}),
    SSLInsecureSkipVerify: form.get('SSLInsecureSkipVerify') === 'true',
    RequiresRedirectURIs: form.get('RequiresRedirectURIs') === 'true'
  }
}

function providerForm (ctx: PageContext, provider: ProviderWithClientTypes | undefined, values: FormValues, messages: readonly string[]): Html {
  const action = provider === undefined ? '/console/providers/new' : `/console/providers/${provider.id}/edit`
  return (
    <Page title={provider === undefined ? 'Add a provider' : `Edit ${provider.name}`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={PROVIDER_FIELDS} />
      <form method='post' action={action} novalidate>
        <CsrfField session={ctx.session} />
        {provider === undefined ? null : etagField(toProviderShow(provider))}
        <Field name='Name' label='Name' required maxlength={255} value={text(values.Name)} errors={messages} />
        <Choices
          name='Type' legend='Type' multiple={false} selected={[text(values.Type)]} errors={messages}
          hint='How the portal talks to it: Keycloak, Okta and Gluu have their own rules; Other is any RFC 7591 server.'
          options={PROVIDER_TYPES.map((type) => ({ value: type, label: type }))}
        />
        <Field name='WellKnownURL' label='Discovery document URL' type='url' required maxlength={2048} value={text(values.WellKnownURL)} errors={messages} hint='The OpenID Connect discovery document, e.g. https://idp.example.com/realms/main/.well-known/openid-configuration' />
        <Field
          name='RegistrationAccessToken' label={provider === undefined ? 'Initial access token' : 'Replace the initial access token'} type='password' maxlength={16384} errors={messages} autocomplete='new-password'
          hint={provider === undefined ? 'The Bearer token the provider requires for registration (RFC 7591 §3), if any. It is sealed at rest and never shown again.' : `Currently ${provider.hasRegistrationAccessToken ? 'set' : 'not set'}; it is never shown. Leave empty to keep it.`}
        />
        {provider?.hasRegistrationAccessToken === true
          ? <Choices name='ClearRegistrationAccessToken' legend='Stored token' multiple selected={[]} options={[{ value: 'true', label: 'Clear the stored initial access token' }]} />
          : null}
        <Choices
          name='SSLInsecureSkipVerify' legend='TLS' multiple selected={values.SSLInsecureSkipVerify === true ? ['true'] : []} errors={messages}
          options={[{ value: 'true', label: 'Skip TLS certificate verification for this provider', hint: 'Only for a test server with a self-signed certificate: anyone on the path could read its secrets.' }]}
        />
        <Choices
          name='RequiresRedirectURIs' legend='Redirect URIs' multiple selected={values.RequiresRedirectURIs === true ? ['true'] : []} errors={messages}
          options={[{ value: 'true', label: 'The provider demands redirect URIs on every registration', hint: 'Machine clients are then registered with a reserved URI that never resolves. "Verify with a test registration" tells whether it is needed.' }]}
        />
        <button type='submit'>{provider === undefined ? 'Add the provider' : 'Save'}</button>
        <a href={provider === undefined ? '/console/providers' : `/console/providers/${provider.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

function deleteProviderPage (ctx: PageContext, provider: ProviderWithClientTypes, messages: readonly string[]): Html {
  const types = provider.clientTypes.length
  return (
    <DeleteQuestion
      ctx={ctx} what='provider' name={provider.name} section={SECTION} messages={messages} representation={toProviderShow(provider)}
      action={`/console/providers/${provider.id}/delete`} back={`/console/providers/${provider.id}`} choices={<ForceChoice what='provider' />}
    >
      <p>This deletes the provider and its {types} client type{types === 1 ? '' : 's'}. Apps that already have credentials from it keep them at the identity provider unless you choose otherwise below.</p>
    </DeleteQuestion>
  )
}

/** Tyk's `force`, asked in words (tyk-portal-api.md §7): refuse while in use, or also remove what uses it. */
function ForceChoice ({ what }: { readonly what: string }): Html {
  return (
    <Choices
      name='force' legend='If a product or a credential still uses it' multiple={false} selected={['false']}
      options={[
        { value: 'false', label: `Do not delete the ${what}`, hint: 'The deletion is refused and the page says what uses it.' },
        { value: 'true', label: `Delete it anyway (force)`, hint: 'Products stop offering it, and the clients registered through it are deleted at the identity provider (or listed under IdP operations if it cannot be reached).' }
      ]}
    />
  )
}

const RESPONSE_HINTS: Readonly<Record<string, string>> = {
  code: 'The authorization code flow: needed by authorization_code and pkce.',
  token: 'An access token straight from the authorization endpoint: the implicit grant.',
  id_token: 'An ID token from the authorization endpoint (OpenID Connect implicit or hybrid).',
  none: 'No response from the authorization endpoint: machine clients (client_credentials) only.'
}
const GRANT_HINTS: Readonly<Record<string, string>> = {
  authorization_code: 'People sign in in a browser; needs the response type code and redirect URLs on the app.',
  pkce: 'authorization_code with PKCE required: for apps that cannot keep a secret; needs the response type code.',
  client_credentials: 'A machine acting for itself: no person, no redirect.',
  device_code: 'Devices without a browser (RFC 8628).',
  refresh_token: 'Renew access tokens without asking again; goes with authorization_code or pkce.',
  password: 'The app collects the person\'s password: discouraged (RFC 9700 §2.4).',
  implicit: 'Tokens straight from the authorization endpoint: discouraged; needs the response type token or id_token.'
}
const AUTH_METHOD_HINTS: Readonly<Record<string, string>> = {
  client_secret_basic: 'The secret in the Authorization header (the default).',
  client_secret_post: 'The secret in the token request\'s form body.',
  none: 'A public client without a secret: use it with pkce.'
}

function clientTypeValues (type: ClientTypeRecord): FormValues {
  return { Name: type.name, Description: type.description, ResponseTypes: type.responseTypes, GrantType: type.grantTypes, TokenEndpointAuthMethod: type.tokenEndpointAuthMethod, OktaAppType: type.oktaAppType }
}

function clientTypeBody (form: URLSearchParams): Record<string, unknown> {
  return {
    Name: form.get('Name') ?? '',
    Description: form.get('Description') ?? '',
    ResponseTypes: form.getAll('ResponseTypes'),
    GrantType: form.getAll('GrantType'),
    TokenEndpointAuthMethod: form.get('TokenEndpointAuthMethod') ?? '',
    OktaAppType: form.get('OktaAppType') ?? ''
  }
}

function clientTypeForm (ctx: PageContext, provider: ProviderWithClientTypes, type: ClientTypeRecord | undefined, values: FormValues, messages: readonly string[]): Html {
  const action = type === undefined ? `/console/providers/${provider.id}/client-types/new` : `/console/providers/${provider.id}/client-types/${type.id}/edit`
  const list = (value: unknown): string[] => Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : []
  return (
    <Page title={type === undefined ? `Add a client type to ${provider.name}` : `Edit ${type.name}`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={CLIENT_TYPE_FIELDS} />
      <form method='post' action={action} novalidate>
        <CsrfField session={ctx.session} />
        {type === undefined ? null : etagField(toClientTypeElem(type))}
        <Field name='Name' label='Name' required maxlength={255} value={text(values.Name)} errors={messages} hint='What developers choose, e.g. "Server-side application".' />
        <Field name='Description' label='Description' multiline maxlength={4096} value={text(values.Description)} errors={messages} />
        <Choices
          name='ResponseTypes' legend='Response types' multiple selected={list(values.ResponseTypes)} errors={messages}
          hint='At least one. How the client receives answers from the authorization endpoint.'
          options={RESPONSE_TYPES.map((value) => ({ value, label: value, hint: RESPONSE_HINTS[value] ?? '' }))}
        />
        <Choices
          name='GrantType' legend='Grant types' multiple selected={list(values.GrantType)} errors={messages}
          hint='At least one. A grant that redirects a browser (authorization_code, pkce, implicit) needs a response type that can answer it.'
          options={GRANT_TYPES.map((value) => ({ value, label: value, hint: GRANT_HINTS[value] ?? '' }))}
        />
        <Choices
          name='TokenEndpointAuthMethod' legend='Token endpoint authentication' multiple={false} selected={[text(values.TokenEndpointAuthMethod)]} errors={messages}
          options={TOKEN_ENDPOINT_AUTH_METHODS.map((value) => ({ value, label: value, hint: AUTH_METHOD_HINTS[value] ?? '' }))}
        />
        <Choices
          name='OktaAppType' legend='Okta application type' multiple={false} selected={[text(values.OktaAppType)]} errors={messages}
          hint='Required by Okta, ignored by other providers. Okta then sets the grant types, response types and authentication method itself.'
          options={[{ value: '', label: 'Not set' }, ...OKTA_APP_TYPES.map((value) => ({ value, label: value }))]}
        />
        <button type='submit'>{type === undefined ? 'Add the client type' : 'Save'}</button>
        <a href={`/console/providers/${provider.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

function deleteClientTypePage (ctx: PageContext, type: ClientTypeRecord, messages: readonly string[]): Html {
  return (
    <DeleteQuestion
      ctx={ctx} what='client type' name={type.name} section={SECTION} messages={messages} representation={toClientTypeElem(type)}
      action={`/console/providers/${type.providerId}/client-types/${type.id}/delete`} back={`/console/providers/${type.providerId}`} choices={<ForceChoice what='client type' />}
    >
      <p>Products stop offering this client type. Credentials already registered with it are kept unless you choose otherwise below.</p>
    </DeleteQuestion>
  )
}

function text (value: unknown): string {
  return typeof value === 'string' ? value : ''
}
