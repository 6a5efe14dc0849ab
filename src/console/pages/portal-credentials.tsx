// The developer portal's credentials (issue 13 item 3): an app's OAuth client as its developer uses it —
// client ID, token endpoint, scopes, a ready `curl` for a client-credentials token, what the IdP granted
// when it differs from what was asked; rotate and delete, each saying first what stops working. The secret
// is shown once, on the answer that issued it (access granted, rotation), never in a URL or on another page.
import type { AccessRequestWithCredentials } from '../../modules/apps/app-access-request.record.ts'
import { parseAppId } from '../../modules/apps/app.service.ts'
import type { CredentialRecord } from '../../modules/credentials/credential.record.ts'
import type { Developer, DeveloperService } from '../../modules/developers/developer.service.ts'
import { parseId } from '../../shared/ids.ts'
import { Fragment, h, type Html } from '../html.ts'
import { CsrfField, ErrorSummary } from '../layout.tsx'
import { portalPage, showingErrors, type ConsolePage, type DeveloperContext } from '../console.plugin.tsx'
import { AskedAndRegistered, CredentialFacts, readTokenEndpoint, ROTATION_EFFECT, RotationOutcome, SecretOnce, showTokenEndpoint } from './credentials.tsx'
import { DeveloperPage } from './portal-catalogue.tsx'

export interface PortalCredentialPagesDeps {
  readonly developers: DeveloperService
}

const SECTION = '/portal/apps'
const KEEP_SECRET = 'Keep it on your server: not in source code, not in a browser or a mobile app.'
type TokenEndpoint = Awaited<ReturnType<typeof readTokenEndpoint>>

/** The portal URL of a credential, as the API's path names it. */
export function portalCredentialUrl (appId: number, accessRequestId: number, id: number): string {
  return `/portal/apps/${appId}/access-requests/${accessRequestId}/credentials/${id}`
}

export function portalCredentialPages ({ developers }: PortalCredentialPagesDeps): ConsolePage[] {
  /** The three path ids; one that cannot name a row answers the API's 404 for it, after the app's own when it is not the developer's. */
  const ids = async (ctx: DeveloperContext): Promise<[number, number, number]> => {
    const appId = parseAppId(ctx.params.app_id ?? '')
    const requestId = parseId(ctx.params.access_request_id ?? '')
    if (requestId === undefined) throw await developers.notFound(ctx.developer, appId, ctx.params.access_request_id ?? '')
    const id = parseId(ctx.params.credential_id ?? '')
    if (id === undefined) throw await developers.notFound(ctx.developer, appId, requestId, ctx.params.credential_id ?? '')
    return [appId, requestId, id]
  }
  const path = '/apps/:app_id/access-requests/:access_request_id/credentials/:credential_id'

  return [
    portalPage('GET', path, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      const credential = await developers.credential(ctx.developer, appId, requestId, id)
      const request = await developers.accessRequest(ctx.developer, appId, requestId)
      const endpoint = await readTokenEndpoint(developers, request.providerId)
      return (
        <DeveloperPage ctx={ctx} title={`Credential ${credential.clientId}`} section={SECTION}>
          <p>A credential of the app <a href={`/portal/apps/${appId}`}>{request.appName}</a>, from <a href={`/portal/apps/${appId}/access-requests/${requestId}`}>access request {requestId}</a>.</p>
          <DeveloperCredential credential={credential} endpoint={endpoint} secret={undefined} />
          <div class='actions'>
            <a class='button' href={`${portalCredentialUrl(appId, requestId, id)}/rotate`}>Rotate the secret…</a>
            <a class='button secondary' href={`${portalCredentialUrl(appId, requestId, id)}/delete`}>Delete…</a>
          </div>
        </DeveloperPage>
      )
    }),

    portalPage('GET', `${path}/rotate`, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      return await rotatePage(ctx, developers, [appId, requestId, id], [])
    }),

    portalPage('POST', `${path}/rotate`, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      return await showingErrors(async () => {
        const rotation = await developers.rotate(ctx.developer, appId, requestId, id, ctx.actor)
        const credential = await developers.credential(ctx.developer, appId, requestId, id)
        const request = await developers.accessRequest(ctx.developer, appId, requestId)
        // The new secret is in this answer only (never in a URL, never kept for another page).
        return (
          <DeveloperPage ctx={ctx} title='The secret is rotated' section={SECTION}>
            <RotationOutcome rotation={rotation} />
            <SecretOnce id='client-secret' secret={credential.clientSecret} advice={KEEP_SECRET} />
            <DeveloperCredential credential={credential} endpoint={await readTokenEndpoint(developers, request.providerId)} secret={credential.clientSecret} />
            <p><a href={portalCredentialUrl(appId, requestId, id)}>Open the credential</a> · <a href={`/portal/apps/${appId}`}>Back to the app</a></p>
          </DeveloperPage>
        )
      }, async (messages) => await rotatePage(ctx, developers, [appId, requestId, id], messages))
    }),

    portalPage('GET', `${path}/delete`, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      return await deletePage(ctx, developers, [appId, requestId, id], [])
    }),

    portalPage('POST', `${path}/delete`, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      return await showingErrors(async () => {
        const atIdp = await developers.removeCredential(ctx.developer, appId, requestId, id, ctx.actor)
        return (
          <DeveloperPage ctx={ctx} title='The credential is deleted' section={SECTION}>
            <p role='status'>At the identity provider: {atIdp}.</p>
            <p>The access request stays granted without a credential; request access again to get a new one.</p>
            <p><a href={`/portal/apps/${appId}`}>Back to the app</a></p>
          </DeveloperPage>
        )
      }, async (messages) => await deletePage(ctx, developers, [appId, requestId, id], messages))
    })
  ]
}

/** A credential as its developer uses it: the facts, what the IdP granted, and a ready token request. */
export function DeveloperCredential ({ credential, endpoint, secret }: { readonly credential: CredentialRecord; readonly endpoint: TokenEndpoint; readonly secret: string | null | undefined }): Html {
  return (
    <Fragment>
      <CredentialFacts credential={credential} tokenEndpoint={showTokenEndpoint(endpoint)} />
      <AskedAndRegistered credential={credential} />
      <TokenCurl credential={credential} endpoint={endpoint} secret={secret} />
    </Fragment>
  )
}

/**
 * RFC 6749 §4.4: a client-credentials token request for this client, ready to paste: the secret in the
 * Authorization header (client_secret_basic) or the form (client_secret_post); the secret itself only
 * on the answer that shows it once, a placeholder elsewhere.
 */
function TokenCurl ({ credential, endpoint, secret }: { readonly credential: CredentialRecord; readonly endpoint: TokenEndpoint; readonly secret: string | null | undefined }): Html {
  if (!credential.grantTypes.includes('client_credentials') || credential.clientSecret === null) return <Fragment />
  const id = `curl-${credential.id}`
  const shownSecret = secret ?? '<client secret>'
  const client = credential.tokenEndpointAuthMethod === 'client_secret_post'
    ? `-d ${shellQuoted(`client_id=${credential.clientId}`)} -d ${shellQuoted(`client_secret=${shownSecret}`)}`
    : `-u ${shellQuoted(`${credential.clientId}:${shownSecret}`)}`
  const command = `curl -s ${client} -d grant_type=client_credentials -d ${shellQuoted(`scope=${credential.scopes.join(' ')}`)} ${shellQuoted('url' in endpoint ? endpoint.url : '<token endpoint>')}`
  return (
    <Fragment>
      <h2>Get a token</h2>
      <p>{secret === undefined ? 'Put the client secret in place of <client secret>, then run:' : 'Run this, with the secret above:'}</p>
      <pre tabindex='0' aria-label='The token request'><code id={id}>{command}</code></pre>
      <button type='button' class='copy secondary' data-copy={id}>Copy the command</button>
      <span id={`${id}-copied`} role='status' />
      <p>The answer's <code>access_token</code> goes in each API call's <code>Authorization: Bearer …</code> header, until it expires (<code>expires_in</code> seconds).</p>
    </Fragment>
  )
}

/** POSIX single quotes: the value passes to curl as written. */
function shellQuoted (value: string): string {
  return `'${value.replace(/'/g, '\'\\\'\'')}'`
}

/** What access granted at once issued: each credential, and its secret when new (shown this once). */
export function IssuedToDeveloper ({ request, newSecret, endpoint }: { readonly request: AccessRequestWithCredentials; readonly newSecret: boolean; readonly endpoint: TokenEndpoint }): Html {
  if (request.credentials.length === 0) return <p>These products use no OAuth client registered by the portal, so there is no credential: use them as their documentation says.</p>
  return (
    <Fragment>
      {request.credentials.map((credential, index) => (
        <Fragment>
          {newSecret
            ? <SecretOnce id={`client-secret-${index + 1}`} secret={credential.clientSecret} advice={KEEP_SECRET} />
            : <p>Your app already had client <code>{credential.clientId}</code> for this kind of client: it now holds these scopes too, and its secret is the one you received before.</p>}
          <h2>Credential</h2>
          <DeveloperCredential credential={credential} endpoint={endpoint} secret={newSecret ? credential.clientSecret : undefined} />
          <p><a href={portalCredentialUrl(request.appId, request.id, credential.id)}>Open the credential</a></p>
        </Fragment>
      ))}
    </Fragment>
  )
}

async function rotatePage (ctx: DeveloperContext, developers: DeveloperService, [appId, requestId, id]: [number, number, number], messages: readonly string[]): Promise<Html> {
  const developer: Developer = ctx.developer
  const credential = await developers.credential(developer, appId, requestId, id)
  const url = portalCredentialUrl(appId, requestId, id)
  return (
    <DeveloperPage ctx={ctx} title={`Rotate the secret of ${credential.clientId}?`} section={SECTION}>
      <ErrorSummary messages={messages} />
      <p>{ROTATION_EFFECT[await developers.rotationMode(developer, appId, requestId, id)]}</p>
      <form method='post' action={`${url}/rotate`}>
        <CsrfField session={ctx.session} />
        <button type='submit' class='danger'>Rotate the secret</button>
        <a href={url}>Cancel</a>
      </form>
    </DeveloperPage>
  )
}

async function deletePage (ctx: DeveloperContext, developers: DeveloperService, [appId, requestId, id]: [number, number, number], messages: readonly string[]): Promise<Html> {
  const credential = await developers.credential(ctx.developer, appId, requestId, id)
  const url = portalCredentialUrl(appId, requestId, id)
  return (
    <DeveloperPage ctx={ctx} title={`Delete the credential ${credential.clientId}?`} section={SECTION}>
      <ErrorSummary messages={messages} />
      <p>
        This deletes client <code>{credential.clientId}</code> at the identity provider: its client ID and secret stop working at once. Only when other
        granted requests of the app hold credentials on the same client does the client stay, without this request's scopes.
      </p>
      <form method='post' action={`${url}/delete`}>
        <CsrfField session={ctx.session} />
        <button type='submit' class='danger'>Delete the credential and its client</button>
        <a href={url}>Cancel</a>
      </form>
    </DeveloperPage>
  )
}
