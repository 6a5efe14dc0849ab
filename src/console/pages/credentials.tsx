// Credentials (issue 12): what an approved access request holds of its app's IdP client. The page shows
// the client id, the token endpoint and the scopes, never the secret: that is shown once, on the answer
// of the approval or the rotation that issued it. Rotation and deletion say first what stops working.
import { AppError } from '../../errors.ts'
import type { AccessRequestWithCredentials } from '../../modules/apps/app-access-request.record.ts'
import { parseAppId } from '../../modules/apps/app.service.ts'
import type { AccessRequestService } from '../../modules/access-requests/access-request.service.ts'
import { describeFate } from '../../modules/idp-operations/idp-operation.record.ts'
import type { CredentialRecord, Rotation } from '../../modules/credentials/credential.record.ts'
import type { CredentialService } from '../../modules/credentials/credential.service.ts'
import type { RotationMode } from '../../modules/credentials/idp-client.service.ts'
import { parseId } from '../../shared/ids.ts'
import { sameSet } from '../../shared/sets.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { Fragment, h, type Child, type Html } from '../html.ts'
import { CsrfField, ErrorSummary, Facts, Page } from '../layout.tsx'
import { consolePage, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'

export interface CredentialPagesDeps {
  readonly credentials: CredentialService
  readonly accessRequests: AccessRequestService
}

const SECTION = '/console/apps'

/** The console URL of a credential, as the API's path names it. */
export function credentialUrl (appId: number, accessRequestId: number, id: number): string {
  return `/console/apps/${appId}/access-requests/${accessRequestId}/credentials/${id}`
}

export function credentialPages ({ credentials, accessRequests }: CredentialPagesDeps): ConsolePage[] {
  /** The three path ids; one that cannot name a row answers the API's 404 for it. */
  const ids = async (ctx: PageContext): Promise<[number, number, number]> => {
    const appId = parseAppId(ctx.params.app_id ?? '')
    const requestId = parseId(ctx.params.access_request_id ?? '')
    if (requestId === undefined) throw await credentials.notFound(appId, ctx.params.access_request_id ?? '')
    const id = parseId(ctx.params.credential_id ?? '')
    if (id === undefined) throw await credentials.notFound(appId, requestId, ctx.params.credential_id ?? '')
    return [appId, requestId, id]
  }
  const path = '/apps/:app_id/access-requests/:access_request_id/credentials/:credential_id'

  return [
    consolePage('GET', path, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      const credential = await credentials.get(appId, requestId, id)
      const request = await accessRequests.get(requestId, appId)
      return (
        <Page title={`Credential ${credential.clientId}`} session={ctx.session} section={SECTION}>
          <p>Access request <a href={`/console/access-requests/${request.id}`}>{request.id}</a> of the app <a href={`/console/apps/${appId}`}>{request.appName}</a>.</p>
          <CredentialFacts credential={credential} tokenEndpoint={await tokenEndpointOf(credentials, request.providerId)} />
          <AskedAndRegistered credential={credential} />
          <div class='actions'>
            <a class='button' href={`${credentialUrl(appId, requestId, id)}/rotate`}>Rotate the secret…</a>
            <a class='button secondary' href={`${credentialUrl(appId, requestId, id)}/delete`}>Delete…</a>
          </div>
        </Page>
      )
    }),

    consolePage('GET', `${path}/rotate`, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      return rotatePage(ctx, await credentials.get(appId, requestId, id), appId, await credentials.rotationMode(appId, requestId, id), [])
    }),

    consolePage('POST', `${path}/rotate`, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      return await showingErrors(async () => {
        const rotation = await credentials.rotate(appId, requestId, id, ctx.actor)
        const credential = await credentials.get(appId, requestId, id)
        const request = await accessRequests.get(requestId, appId)
        // The new secret is in this answer only (never in a URL, never kept for another page).
        return (
          <Page title='The secret is rotated' session={ctx.session} section={SECTION}>
            <RotationOutcome rotation={rotation} />
            <SecretOnce id='client-secret' secret={credential.clientSecret} />
            <CredentialFacts credential={credential} tokenEndpoint={await tokenEndpointOf(credentials, request.providerId)} />
            <p><a href={credentialUrl(appId, requestId, id)}>Open the credential</a> · <a href={`/console/apps/${appId}`}>Back to the app</a></p>
          </Page>
        )
      }, async (messages) => rotatePage(ctx, await credentials.get(appId, requestId, id), appId, await credentials.rotationMode(appId, requestId, id), messages))
    }),

    consolePage('GET', `${path}/delete`, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      return deletePage(ctx, await credentials.get(appId, requestId, id), appId, await accessRequests.get(requestId, appId), [])
    }),

    consolePage('POST', `${path}/delete`, async (ctx) => {
      const [appId, requestId, id] = await ids(ctx)
      return await showingErrors(async () => {
        const atIdp = await credentials.remove(appId, requestId, id, ctx.actor)
        // The answer says what happened at the IdP in the service's words (issue 10 item 4), which a notice code cannot carry.
        return (
          <Page title='The credential is deleted' session={ctx.session} section={SECTION}>
            <p role='status'>At the identity provider: {atIdp}.</p>
            <p>The access request stays, as in Tyk; reject it to end the access itself.</p>
            <p><a href={`/console/access-requests/${requestId}`}>Open access request {requestId}</a> · <a href={`/console/apps/${appId}`}>Back to the app</a></p>
          </Page>
        )
      }, async (messages) => deletePage(ctx, await credentials.get(appId, requestId, id), appId, await accessRequests.get(requestId, appId), messages))
    })
  ]
}

/** The provider's token endpoint: its URL, or why it is not known now (the discovery document could not be read). */
export async function readTokenEndpoint (credentials: Pick<CredentialService, 'tokenEndpoint'>, providerId: number | null): Promise<{ readonly url: string } | { readonly why: string }> {
  if (providerId === null) return { why: 'none: the request registers no client' }
  try {
    const url = await credentials.tokenEndpoint(providerId)
    return url === undefined ? { why: 'not named in the provider\'s discovery document' } : { url }
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    return { why: `not known now: ${error.message}` }
  }
}

/** The token endpoint as the credential's facts show it. */
export function showTokenEndpoint (endpoint: { readonly url: string } | { readonly why: string }): Child {
  return 'url' in endpoint ? <code>{endpoint.url}</code> : endpoint.why
}

export async function tokenEndpointOf (credentials: Pick<CredentialService, 'tokenEndpoint'>, providerId: number | null): Promise<Child> {
  return showTokenEndpoint(await readTokenEndpoint(credentials, providerId))
}

/** A secret shown once, with a copy button; nothing at all for a public client. */
export function SecretOnce ({ id, secret, advice = 'Give it to the app\'s developers over a safe channel.' }: { readonly id: string; readonly secret: string | null; readonly advice?: string }): Html {
  if (secret === null) return <p>This client is public (no client secret): it proves itself with PKCE.</p>
  return (
    <div class='secret-once'>
      <h2>Client secret</h2>
      <p><strong>Copy the client secret now: it will not be shown again.</strong> {advice}</p>
      <p class='secret'><code id={id}>{secret}</code></p>
      <button type='button' class='copy' data-copy={id}>Copy</button>
      <span id={`${id}-copied`} role='status' />
    </div>
  )
}

/** What a credential holds at the IdP; the secret is never among it. */
export function CredentialFacts ({ credential, tokenEndpoint }: { readonly credential: CredentialRecord; readonly tokenEndpoint: Child }): Html {
  const copyId = `client-id-${credential.id}`
  return (
    <Facts rows={[
      ['Client ID', <Fragment><code id={copyId}>{credential.clientId}</code> <button type='button' class='copy secondary' data-copy={copyId}>Copy</button><span id={`${copyId}-copied`} role='status' /></Fragment>],
      ['Client secret', credential.clientSecret === null ? 'none: a public client' : 'shown only on the page of the approval or rotation that issued it; rotate to issue a new one'],
      ['Token endpoint', tokenEndpoint],
      ['Scopes', words(credential.scopes)],
      ['Grant types', words(credential.grantTypes)],
      ['Response types', words(credential.responseTypes)],
      ['Redirect URIs', words(credential.redirectUris)],
      ['Token endpoint authentication', credential.tokenEndpointAuthMethod],
      ['State', credential.state === 'active' ? 'active' : `unmanageable: ${credential.lastError ?? ''}`],
      ['Secret expires', credential.secretExpiresAt === null ? 'never' : formatTimestamp(credential.secretExpiresAt)],
      ['Secret last changed by the IdP', credential.secretChangedAt === null ? 'never' : `${formatTimestamp(credential.secretChangedAt)} (the secret issued before stopped working then)`]
    ]}
    />
  )
}

/** RFC 7591 §3.2.1: the IdP may register other values than asked; both are shown where they differ. */
export function AskedAndRegistered ({ credential }: { readonly credential: CredentialRecord }): Html {
  if (credential.requestedScopes === null || credential.requestedGrantTypes === null) {
    return <p>What the portal asked for was not recorded for this client (registered before the portal kept it).</p>
  }
  const rows = [
    { what: 'Scopes', asked: credential.requestedScopes, registered: credential.scopes },
    { what: 'Grant types', asked: credential.requestedGrantTypes, registered: credential.grantTypes }
  ].map((row) => ({ ...row, same: sameSet(row.asked, row.registered) }))
  if (rows.every((row) => row.same)) return <p>The identity provider registered what the portal asked for (scopes and grant types).</p>
  return (
    <Fragment>
      <h2>The identity provider granted other values than asked</h2>
      <p>RFC 7591 §3.2.1 lets it replace what a registration asks for; what it registered is what applies.</p>
      <table>
        <thead><tr><th scope='col'>Metadata</th><th scope='col'>Asked for</th><th scope='col'>Registered</th><th scope='col'>Same?</th></tr></thead>
        <tbody>
          {rows.map((row) => <tr><td>{row.what}</td><td>{words(row.asked)}</td><td>{words(row.registered)}</td><td>{row.same ? 'same' : 'differs'}</td></tr>)}
        </tbody>
      </table>
    </Fragment>
  )
}

/** What an approval issued: each credential of the request, and its secret when it is new (shown this once). */
export function IssuedCredentials ({ request, newSecret, tokenEndpoint }: { readonly request: AccessRequestWithCredentials; readonly newSecret: boolean; readonly tokenEndpoint: Child }): Html {
  if (request.credentials.length === 0) return <p>This request registers nothing at an identity provider (its products do not use DCR), so it has no OAuth credential.</p>
  return (
    <Fragment>
      {request.credentials.map((credential, index) => (
        <Fragment>
          {newSecret
            ? <SecretOnce id={`client-secret-${index + 1}`} secret={credential.clientSecret} />
            : <p>The app already had client <code>{credential.clientId}</code> for this client type: it now holds this request's scopes too, and its secret is unchanged (it was shown when it was issued).</p>}
          <h2>Credential</h2>
          <CredentialFacts credential={credential} tokenEndpoint={tokenEndpoint} />
          <AskedAndRegistered credential={credential} />
          <p><a href={credentialUrl(request.appId, request.id, credential.id)}>Open the credential</a></p>
        </Fragment>
      ))}
    </Fragment>
  )
}

/** What a rotation did, in the API's words and in what they mean for the app. */
export function RotationOutcome ({ rotation }: { readonly rotation: Rotation }): Html {
  if (rotation.mode === 'in_place') {
    return <p role='status'>Client <code>{rotation.clientId}</code> has a new secret, issued in place at the identity provider: the previous secret no longer works.</p>
  }
  return (
    <Fragment>
      <p role='status'>Client <code>{rotation.replacedClientId}</code> is replaced by client <code>{rotation.clientId}</code>: the app must use the new client ID and secret below.</p>
      <p>The old client: {describeFate(rotation.oldClient)}.</p>
    </Fragment>
  )
}

/** What stops working, and when, for each way the provider renews a secret (IdpClientService.rotate). */
export const ROTATION_EFFECT: Readonly<Record<RotationMode, string>> = {
  in_place: 'The identity provider issues a new secret for the same client ID. The current secret stops working at once; the app keeps its client ID and needs the new secret, shown once on the next page.',
  replaced: 'This identity provider cannot renew a secret in place, so the portal registers a replacement client (a new client ID and secret, shown once on the next page) with the same scopes, and then deletes the current client at the identity provider: from that moment the current client ID and secret stop working. Tokens the current client already holds may stay valid until they expire, as the identity provider decides. If the deletion fails, the portal retries it (see IdP operations) and the current client keeps working until then.'
}

function rotatePage (ctx: PageContext, credential: CredentialRecord, appId: number, mode: RotationMode, messages: readonly string[]): Html {
  const url = credentialUrl(appId, credential.accessRequestId, credential.id)
  return (
    <Page title={`Rotate the secret of ${credential.clientId}?`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} />
      <p>{ROTATION_EFFECT[mode]}</p>
      <form method='post' action={`${url}/rotate`}>
        <CsrfField session={ctx.session} />
        <button type='submit' class='danger'>Rotate the secret</button>
        <a href={url}>Cancel</a>
      </form>
    </Page>
  )
}

function deletePage (ctx: PageContext, credential: CredentialRecord, appId: number, request: AccessRequestWithCredentials, messages: readonly string[]): Html {
  const url = credentialUrl(appId, credential.accessRequestId, credential.id)
  return (
    <Page title={`Delete the credential ${credential.clientId}?`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} />
      <p>
        This deletes client <code>{credential.clientId}</code> at the identity provider: its client ID and secret stop working at once. Only when other
        approved requests of the app hold credentials on the same client does the client stay, without this request's scopes.
      </p>
      <p>Access request {request.id} ({request.status}) stays; its credential is gone.</p>
      <form method='post' action={`${url}/delete`}>
        <CsrfField session={ctx.session} />
        <button type='submit' class='danger'>Delete the credential and its client</button>
        <a href={url}>Cancel</a>
      </form>
    </Page>
  )
}

/** A list in words: its items, or "none". */
export function words (items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.join(', ')
}
