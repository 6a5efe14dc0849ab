// The developer portal's catalogue (issue 13 item 3): the products of the catalogues this developer's teams
// see (Public ones, and Private ones whose audiences include one of their teams), with their plans and,
// for products that register OAuth clients, the client types offered, said in a developer's words.
import type { DeveloperService, OfferedProduct, VisibleCatalogue } from '../../modules/developers/developer.service.ts'
import type { ClientTypeRecord } from '../../modules/oauth-providers/client-type.record.ts'
import type { PlanRecord } from '../../modules/plans/plan.record.ts'
import type { ProductRecord } from '../../modules/products/product.record.ts'
import { Fragment, h, type Child, type Html } from '../html.ts'
import { Page, Pager } from '../layout.tsx'
import { noticeOf, pageOf, portalPage, type ConsolePage, type DeveloperContext } from '../console.plugin.tsx'
import { words } from './credentials.tsx'

export interface PortalCataloguePagesDeps {
  readonly developers: DeveloperService
}

export function portalCataloguePages ({ developers }: PortalCataloguePagesDeps): ConsolePage[] {
  return [
    portalPage('GET', '/', async (ctx) => {
      const { page, perPage, query } = pageOf(ctx)
      const catalogues = await developers.catalogues(ctx.developer, query)
      return (
        <DeveloperPage ctx={ctx} title='Catalogue' section='/portal/'>
          <p>The APIs you may use. To use one, <a href='/portal/apps/new'>create an app</a>, then request access for it to products on a plan: you get the app's credentials when access is granted.</p>
          {catalogues.length === 0 && page === 1
            ? <p>No catalogue is open to you yet. An admin of the portal publishes products in catalogues, for everyone or for your team.</p>
            : catalogues.map((catalogue) => <CatalogueSection catalogue={catalogue} />)}
          <Pager base='/portal/' page={page} hasNext={catalogues.length === perPage} />
        </DeveloperPage>
      )
    })
  ]
}

/** The developer portal's page shell: its header, its sections' navigation, a notice from the URL. */
export function DeveloperPage ({ ctx, title, section, children }: { readonly ctx: DeveloperContext; readonly title: string; readonly section: string; readonly children?: Child }): Html {
  return <Page title={title} session={ctx.session} section={section} audience='developer' navigation notice={noticeOf(ctx.query)}>{children}</Page>
}

function CatalogueSection ({ catalogue }: { readonly catalogue: VisibleCatalogue }): Html {
  return (
    <section aria-labelledby={`catalogue-${catalogue.catalogue.id}`}>
      <h2 id={`catalogue-${catalogue.catalogue.id}`}>{catalogue.catalogue.name}</h2>
      {catalogue.products.length === 0 ? <p>This catalogue offers no product yet.</p> : catalogue.products.map((offered) => <ProductEntry offered={offered} />)}
      <h3>Plans of {catalogue.catalogue.name}</h3>
      {catalogue.plans.length === 0
        ? <p>This catalogue offers no plan yet: access to its products cannot be requested.</p>
        : (
          <table>
            <thead><tr><th scope='col'>Plan</th><th scope='col'>Access is granted</th><th scope='col'>Scopes it adds</th></tr></thead>
            <tbody>{catalogue.plans.map((plan) => <tr><td>{planName(plan)}</td><td>{grantedWhen(plan)}</td><td>{words(plan.jwtScopes)}</td></tr>)}</tbody>
          </table>
          )}
    </section>
  )
}

function ProductEntry ({ offered }: { readonly offered: OfferedProduct }): Html {
  const { product, clientTypes } = offered
  const description = passThroughText(product, 'Description')
  return (
    <Fragment>
      <h3>{productName(product)}</h3>
      {description === '' ? null : <p>{description}</p>}
      <ul>
        <li>Scopes: {words(product.scopes)}</li>
        <li>{product.dcrEnabled ? 'Your app gets its own OAuth client at the identity provider when access is granted.' : 'No OAuth client is registered for it: access works as its documentation says.'}</li>
      </ul>
      {product.dcrEnabled
        ? clientTypes.length === 0
          ? <p>No kind of client is offered for it yet, so access cannot be requested.</p>
          : (
            <Fragment>
              <p>Kinds of client you can ask for:</p>
              <ul>{clientTypes.map((type) => <li><strong>{type.name}</strong>: {clientTypeInWords(type)}</li>)}</ul>
            </Fragment>
            )
        : null}
    </Fragment>
  )
}

// What each OAuth grant means for the developer's app (RFC 6749 §1.3, RFC 8628, RFC 7636).
const GRANT_IN_WORDS: Readonly<Record<string, string>> = {
  client_credentials: 'your server calls the API with its own identity, no person signing in',
  authorization_code: 'people sign in at the identity provider, and your app calls the API on their behalf',
  pkce: 'people sign in at the identity provider, and your app calls the API on their behalf without keeping a secret (browser and mobile apps, with PKCE)',
  device_code: 'people sign in on another device, for apps without a browser (a TV, a command-line tool)',
  refresh_token: 'your app renews its access without asking people to sign in again',
  password: 'your app asks people for their password itself (an old flow, discouraged)',
  implicit: 'a browser app receives tokens directly from the sign-in (an old flow, discouraged)'
}
const REDIRECTING = ['authorization_code', 'pkce', 'implicit']

/** A client type for a developer: what their app does with it, whether it gets a secret, what it needs; then the admin's description. */
export function clientTypeInWords (type: ClientTypeRecord): string {
  const ways = type.grantTypes.map((grant) => GRANT_IN_WORDS[grant] ?? grant).join('; ')
  const secret = type.tokenEndpointAuthMethod === 'none' ? 'It gets a client ID and no secret.' : 'It gets a client ID and a secret, to keep on your server.'
  const redirects = type.grantTypes.some((grant) => REDIRECTING.includes(grant)) ? ' Your app needs redirect URLs.' : ''
  const described = type.description === '' ? '' : ` ${type.description}`
  return `${ways.charAt(0).toUpperCase()}${ways.slice(1)}. ${secret}${redirects}${described}`
}

export function productName (product: ProductRecord): string {
  const shown = passThroughText(product, 'DisplayName')
  return shown === '' ? product.name : shown
}

export function planName (plan: PlanRecord): string {
  const shown = passThroughText(plan, 'DisplayName')
  return shown === '' ? plan.name : shown
}

export function grantedWhen (plan: PlanRecord): string {
  return plan.autoApproveAccessRequests ? 'at once' : 'when an admin of the portal approves the request'
}

/** One of Tyk's descriptive fields of a product or plan, '' when not written. */
function passThroughText (record: { readonly passThrough: Readonly<Record<string, unknown>> }, field: string): string {
  const value = record.passThrough[field]
  return typeof value === 'string' ? value.trim() : ''
}
