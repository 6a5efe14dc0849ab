// IdP operations (issue 12; README "No orphans, no lost tokens"): what the saga could not finish on its
// own, each with what the operator must do in words, and the resolution /portal-api/idp-operations makes.
import { AppError } from '../../errors.ts'
import type { AppService } from '../../modules/apps/app.service.ts'
import type { DeletionRecord, RegistrationRecord } from '../../modules/idp-operations/idp-operation.record.ts'
import { CANARY } from '../../modules/idp-operations/idp-operation.record.ts'
import { deletionNotFound, registrationNotFound, type IdpOperationService } from '../../modules/idp-operations/idp-operation.service.ts'
import type { ProviderWithClientTypes } from '../../modules/oauth-providers/oauth-provider.record.ts'
import type { OAuthProviderService } from '../../modules/oauth-providers/oauth-provider.service.ts'
import { idOr404 } from '../../shared/ids.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { Fragment, h, type Html } from '../html.ts'
import { CsrfField, Facts, Page } from '../layout.tsx'
import { consolePage, noticeOf, type ConsolePage, type PageContext } from '../console.plugin.tsx'

export interface IdpOperationPagesDeps {
  readonly operations: IdpOperationService
  readonly providers: OAuthProviderService
  readonly apps: AppService
}

const SECTION = '/console/idp-operations'

/** The names an operator looks for at the IdP: its provider, app and client type, when they still exist here. */
interface Names {
  readonly provider: ProviderWithClientTypes | undefined
  readonly appName: string | undefined
}

export function idpOperationPages ({ operations, providers, apps }: IdpOperationPagesDeps): ConsolePage[] {
  /** The names of what a page's operations refer to, each looked up once. */
  const naming = () => {
    const seen = new Map<string, Promise<{ name: string } | undefined>>()
    const once = <T extends { name: string }>(key: string, find: () => Promise<T>) => {
      if (!seen.has(key)) seen.set(key, find().catch(absentWhenNotFound))
      return seen.get(key) as Promise<T | undefined>
    }
    return async (operation: { readonly providerId: number; readonly appId?: number }): Promise<Names> => ({
      provider: await once(`provider ${operation.providerId}`, async () => await providers.get(operation.providerId)),
      appName: operation.appId === undefined || operation.appId === CANARY ? undefined : (await once(`app ${operation.appId}`, async () => await apps.get(operation.appId!)))?.name
    })
  }
  /** An unknown registration by its path id; in flight or gone: the API's 404. */
  const unknownRegistration = async (ctx: PageContext): Promise<RegistrationRecord> => {
    const id = idOr404(ctx.params.operation_id ?? '', registrationNotFound)
    const found = (await operations.list()).registrations.find((registration) => registration.id === id && registration.state === 'unknown')
    if (found === undefined) throw registrationNotFound(id)
    return found
  }
  const pendingDeletion = async (ctx: PageContext): Promise<DeletionRecord> => {
    const id = idOr404(ctx.params.operation_id ?? '', deletionNotFound)
    const found = (await operations.list()).deletions.find((deletion) => deletion.id === id)
    if (found === undefined) throw deletionNotFound(id)
    return found
  }

  return [
    consolePage('GET', '/idp-operations', async (ctx) => {
      const { registrations, deletions } = await operations.list()
      const namesOf = naming()
      const registrationNames = await Promise.all(registrations.map(namesOf))
      const deletionNames = await Promise.all(deletions.map(namesOf))
      return (
        <Page title='IdP operations' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <p>
            What the portal could not finish at an identity provider on its own. It never sends a registration again blindly, and never
            forgets a client it could not delete, until a person has looked at the identity provider and resolved the item here.
          </p>
          <h2>Registrations with an unknown outcome ({registrations.length})</h2>
          {registrations.length === 0
            ? <p>None: the outcome of every registration is recorded.</p>
            : registrations.map((registration, index) => <RegistrationItem registration={registration} names={registrationNames[index]!} />)}
          <h2>Clients still to delete at an identity provider ({deletions.length})</h2>
          {deletions.length === 0
            ? <p>None: every client the portal let go of is deleted at its identity provider.</p>
            : deletions.map((deletion, index) => <DeletionItem deletion={deletion} names={deletionNames[index]!} />)}
        </Page>
      )
    }),

    consolePage('GET', '/idp-operations/registrations/:operation_id/resolve', async (ctx) => {
      const registration = await unknownRegistration(ctx)
      const names = await naming()(registration)
      return (
        <Page title={`Resolve registration ${registration.id}?`} session={ctx.session} section={SECTION}>
          <RegistrationFacts registration={registration} names={names} />
          <p>
            Resolving forgets this registration. Do it only after looking at {providerLabel(registration.providerId, names.provider)} for
            a client whose name ends in <code>[{registration.correlationTag}]</code>: if one exists and you do not delete it there, it stays
            active and nobody will ever delete it, because the portal does not hold it.
          </p>
          {registration.appId === CANARY
            ? null
            : <p>Afterwards the portal may register a client for this app and client type again (approving the access request again does).</p>}
          <ResolveForm ctx={ctx} action={`/console/idp-operations/registrations/${registration.id}/resolve`} label={`I have checked the identity provider: forget registration ${registration.id}`} />
        </Page>
      )
    }),

    consolePage('POST', '/idp-operations/registrations/:operation_id/resolve', async (ctx) => {
      await operations.resolveRegistration(idOr404(ctx.params.operation_id ?? '', registrationNotFound))
      return { redirect: '/console/idp-operations', notice: 'resolved' }
    }),

    consolePage('GET', '/idp-operations/deletions/:operation_id/resolve', async (ctx) => {
      const deletion = await pendingDeletion(ctx)
      const names = await naming()(deletion)
      return (
        <Page title={`Resolve deletion ${deletion.id}?`} session={ctx.session} section={SECTION}>
          <DeletionFacts deletion={deletion} names={names} />
          <p>
            Resolving forgets this deletion{deletion.nextAttemptAt === null ? '' : ' and stops the portal\'s retries'}. Do it only after
            deleting client <code>{deletion.clientId}</code> at {providerLabel(deletion.providerId, names.provider)} by hand: otherwise
            it stays active there, its secret keeps getting tokens, and nobody will ever delete it.
          </p>
          <ResolveForm ctx={ctx} action={`/console/idp-operations/deletions/${deletion.id}/resolve`} label={`I have deleted the client: forget deletion ${deletion.id}`} />
        </Page>
      )
    }),

    consolePage('POST', '/idp-operations/deletions/:operation_id/resolve', async (ctx) => {
      await operations.resolveDeletion(idOr404(ctx.params.operation_id ?? '', deletionNotFound))
      return { redirect: '/console/idp-operations', notice: 'resolved' }
    })
  ]
}

/** The question page's answer: the resolution, or back to the list. */
function ResolveForm ({ ctx, action, label }: { readonly ctx: PageContext; readonly action: string; readonly label: string }): Html {
  return (
    <form method='post' action={action}>
      <CsrfField session={ctx.session} />
      <button type='submit' class='danger'>{label}</button>
      <a href='/console/idp-operations'>Cancel</a>
    </form>
  )
}

function absentWhenNotFound (error: unknown): undefined {
  if (error instanceof AppError && error.code === 'not_found') return undefined
  throw error
}

function providerLabel (id: number, provider: ProviderWithClientTypes | undefined): string {
  return provider === undefined ? `identity provider ${id} (since deleted here)` : provider.name
}

function ProviderLink ({ id, provider }: { readonly id: number; readonly provider: ProviderWithClientTypes | undefined }): Html {
  return provider === undefined ? <Fragment>{providerLabel(id, provider)}</Fragment> : <a href={`/console/providers/${id}`}>{provider.name}</a>
}

function when (iso: string): string {
  return `${formatTimestamp(iso)} UTC`
}

function RegistrationFacts ({ registration, names }: { readonly registration: RegistrationRecord; readonly names: Names }): Html {
  const canary = registration.appId === CANARY
  const clientType = names.provider?.clientTypes.find((type) => type.id === registration.clientTypeId)
  return (
    <Facts rows={[
      ['State', registration.state === 'unknown' ? 'Outcome unknown' : 'In flight'],
      ['Sent', when(registration.createdAt)],
      ['Identity provider', <ProviderLink id={registration.providerId} provider={names.provider} />],
      ['For', canary ? 'a test registration of "Verify with a test registration"' : `app ${names.appName ?? `${registration.appId} (since deleted)`}`],
      ...(canary ? [] : [['Client type', clientType?.name ?? `client type ${registration.clientTypeId}`] as const]),
      ['Correlation tag', <code>{registration.correlationTag}</code>],
      ['Last error', registration.lastError ?? 'none']
    ]}
    />
  )
}

function RegistrationItem ({ registration, names }: { readonly registration: RegistrationRecord; readonly names: Names }): Html {
  const heading = `registration-${registration.id}`
  const provider = providerLabel(registration.providerId, names.provider)
  return (
    <section aria-labelledby={heading}>
      <h3 id={heading}>Registration {registration.id}: {registration.appId === CANARY ? 'verification test client' : names.appName ?? `app ${registration.appId}`} at {provider}</h3>
      <RegistrationFacts registration={registration} names={names} />
      {registration.state === 'unknown'
        ? (
          <Fragment>
            <p>
              <strong>What to do:</strong> at {provider}, look for a client whose name ends in <code>[{registration.correlationTag}]</code>.
              If there is one, delete it there: the portal does not hold it. Then resolve this registration
              {registration.appId === CANARY ? '.' : ', so that the portal may register a client for this app and client type again.'}
            </p>
            <p><a class='button secondary' href={`/console/idp-operations/registrations/${registration.id}/resolve`}>Resolve registration {registration.id}…</a></p>
          </Fragment>
          )
        : (
          <p>
            <strong>What to do:</strong> nothing yet. The registration is still being sent; if the process that sent it stopped, the
            reconciler marks its outcome unknown once no process holds it, and it can be resolved here.
          </p>
          )}
    </section>
  )
}

function DeletionFacts ({ deletion, names }: { readonly deletion: DeletionRecord; readonly names: Names }): Html {
  return (
    <Facts rows={[
      ['Client ID', <code>{deletion.clientId}</code>],
      ['Identity provider', <ProviderLink id={deletion.providerId} provider={names.provider} />],
      ['Why it must go', deletion.reason],
      ['Next attempt', deletion.nextAttemptAt === null ? 'none: only a person can delete it' : when(deletion.nextAttemptAt)],
      ...(deletion.nextAttemptAt === null ? [] : [['Retries so far', String(deletion.attempts)] as const]),
      ['Last error', deletion.lastError ?? 'none'],
      ['Recorded', when(deletion.createdAt)]
    ]}
    />
  )
}

function DeletionItem ({ deletion, names }: { readonly deletion: DeletionRecord; readonly names: Names }): Html {
  const heading = `deletion-${deletion.id}`
  const provider = providerLabel(deletion.providerId, names.provider)
  return (
    <section aria-labelledby={heading}>
      <h3 id={heading}>Deletion {deletion.id}: client {deletion.clientId} at {provider}</h3>
      <DeletionFacts deletion={deletion} names={names} />
      {deletion.nextAttemptAt === null
        ? (
          <p>
            <strong>What to do:</strong> no call from the portal can delete this client (see the last error). Delete
            client <code>{deletion.clientId}</code> at {provider} by hand, in its own console or admin API, then resolve this deletion.
          </p>
          )
        : (
          <p>
            <strong>What to do:</strong> nothing yet: the portal retries the deletion, with a growing wait, and this item goes when the
            identity provider confirms it. If it keeps failing or the identity provider is gone for good, delete
            client <code>{deletion.clientId}</code> there by hand and resolve this deletion: the retries stop.
          </p>
          )}
      <p><a class='button secondary' href={`/console/idp-operations/deletions/${deletion.id}/resolve`}>Resolve deletion {deletion.id}…</a></p>
    </section>
  )
}
