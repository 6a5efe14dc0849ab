// API products (issue 12): list, create, edit, delete, and the client types each offers (attach, detach).
// The form's fields are the API's product body (the DCR switch, scopes, Templates, Catalogues), so the
// API's messages mark the field they name.
import type { ClientTypeRecord } from '../../modules/oauth-providers/client-type.record.ts'
import type { ClientTypeService } from '../../modules/oauth-providers/client-type.service.ts'
import type { ProviderRecord } from '../../modules/oauth-providers/oauth-provider.record.ts'
import type { OAuthProviderService } from '../../modules/oauth-providers/oauth-provider.service.ts'
import type { ProductRecord } from '../../modules/products/product.record.ts'
import { ProductBody, ProductClientTypeAttach, ProductPatch, toProductShow } from '../../modules/products/product.schemas.ts'
import { productNotFound, type ProductService } from '../../modules/products/product.service.ts'
import { idOr404, parseId } from '../../shared/ids.ts'
import { MAX_PER_PAGE } from '../../shared/pagination.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { commaItems, commaText, idOrText } from '../form-values.ts'
import { h, type Html } from '../html.ts'
import { Choices, CsrfField, ErrorSummary, Facts, Field, Page, Pager } from '../layout.tsx'
import { DeleteQuestion } from './delete-question.tsx'
import { consolePage, etagField, formWriteContext, noticeOf, pageOf, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'

export interface ProductPagesDeps {
  readonly products: ProductService
  readonly providers: OAuthProviderService
  readonly clientTypes: ClientTypeService
}

const SECTION = '/console/products'
const PRODUCT_FIELDS = ['Name', 'DisplayName', 'Description', 'DCREnabled', 'Scopes', 'Templates', 'Catalogues']
const ALL = { limit: MAX_PER_PAGE, offset: 0 }

/** The client types a product can offer: every provider's, grouped by provider. */
interface Offer { readonly provider: ProviderRecord; readonly types: readonly ClientTypeRecord[] }

/** What the product form shows: the text as typed, or the stored product. */
interface ProductValues {
  readonly Name: string
  readonly DisplayName: string
  readonly Description: string
  readonly DCREnabled: boolean
  readonly Scopes: string
  /** Client type IDs. */
  readonly Templates: readonly string[]
  readonly Catalogues: string
}

const EMPTY: ProductValues = { Name: '', DisplayName: '', Description: '', DCREnabled: false, Scopes: '', Templates: [], Catalogues: '' }

export function productPages ({ products, providers, clientTypes }: ProductPagesDeps): ConsolePage[] {
  const productId = (ctx: PageContext) => idOr404(ctx.params.product_id ?? '', productNotFound)
  const offers = async (): Promise<Offer[]> =>
    await Promise.all((await providers.list(ALL)).map(async (provider) => ({ provider, types: await clientTypes.list(provider.id, ALL) })))

  const form = async (ctx: PageContext, product: ProductRecord | undefined, values: ProductValues, messages: readonly string[]) =>
    productForm(ctx, product, values, messages, await offers())
  const detail = async (ctx: PageContext, product: ProductRecord, messages: readonly string[]) =>
    productDetail(ctx, product, messages, await offers())

  return [
    consolePage('GET', '/products', async (ctx) => {
      const { page, perPage, query } = pageOf(ctx)
      const list = await products.list(query)
      const providerNames = new Map((await providers.list(ALL)).map((provider) => [provider.id, provider.name]))
      return (
        <Page title='Products' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <p>API products: what developers ask access to. A product with DCR on gets an OAuth client registered at the identity provider for each approved request, of a client type it offers.</p>
          <div class='actions'><a class='button' href='/console/products/new'>Add a product</a></div>
          {list.length === 0 && page === 1
            ? <p>No product yet. Add one; to offer client types, connect an identity provider first under <a href='/console/providers'>OAuth2.0 providers</a>.</p>
            : <ProductTable list={list} providerNames={providerNames} />}
          <Pager base='/console/products' page={page} hasNext={list.length === perPage} />
        </Page>
      )
    }),

    consolePage('GET', '/products/new', async (ctx) => await form(ctx, undefined, EMPTY, [])),

    consolePage('POST', '/products/new', async (ctx) => {
      const values = productValuesOf(ctx.form)
      return await showingErrors(async () => {
        const created = await products.create(ctx.validated(ProductBody, productBody(values)), { actor: ctx.actor })
        return { redirect: `/console/products/${created.id}`, notice: 'created' }
      }, async (messages) => await form(ctx, undefined, values, messages))
    }),

    consolePage('GET', '/products/:product_id', async (ctx) => await detail(ctx, await products.get(productId(ctx)), [])),

    consolePage('GET', '/products/:product_id/edit', async (ctx) => {
      const product = await products.get(productId(ctx))
      return await form(ctx, product, productValues(product), [])
    }),

    consolePage('POST', '/products/:product_id/edit', async (ctx) => {
      const id = productId(ctx)
      const values = productValuesOf(ctx.form)
      return await showingErrors(async () => {
        await products.update(id, ctx.validated(ProductPatch, productBody(values)), formWriteContext(ctx, toProductShow))
        return { redirect: `/console/products/${id}`, notice: 'saved' }
      }, async (messages) => await form(ctx, await products.get(id), values, messages))
    }),

    consolePage('GET', '/products/:product_id/delete', async (ctx) => deleteProductPage(ctx, await products.get(productId(ctx)), [])),

    consolePage('POST', '/products/:product_id/delete', async (ctx) => {
      const id = productId(ctx)
      return await showingErrors(async () => {
        await products.remove(id, formWriteContext(ctx, toProductShow))
        return { redirect: '/console/products', notice: 'deleted' }
      }, async (messages) => deleteProductPage(ctx, await products.get(id), messages))
    }),

    // POST /portal-api/products/{id}/client_types: one client type at a time.
    consolePage('POST', '/products/:product_id/client-types', async (ctx) => {
      const id = productId(ctx)
      const chosen = ctx.form.get('ID')
      return await showingErrors(async () => {
        const input = ctx.validated(ProductClientTypeAttach, chosen === null ? {} : { ID: idOrText(chosen) })
        await products.attachClientType(id, input.ID, { actor: ctx.actor })
        return { redirect: `/console/products/${id}`, notice: 'attached' }
      }, async (messages) => await detail(ctx, await products.get(id), messages))
    }),

    // DELETE /portal-api/products/{id}/client_types/{client_type_id}: detaches only.
    consolePage('POST', '/products/:product_id/client-types/:client_type_id/detach', async (ctx) => {
      const id = productId(ctx)
      const typeId = parseId(ctx.params.client_type_id ?? '')
      if (typeId === undefined) throw await products.attachmentNotFound(id, ctx.params.client_type_id ?? '')
      await products.detachClientType(id, typeId, { actor: ctx.actor })
      return { redirect: `/console/products/${id}`, notice: 'detached' }
    })
  ]
}

function ProductTable ({ list, providerNames }: { readonly list: readonly ProductRecord[]; readonly providerNames: ReadonlyMap<number, string> }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Name</th><th scope='col'>DCR</th><th scope='col'>Client types offered</th><th scope='col'>Scopes</th><th scope='col'>Last change</th></tr></thead>
      <tbody>
        {list.map((product) => (
          <tr>
            <td><a href={`/console/products/${product.id}`}>{product.name}</a></td>
            <td>{product.dcrEnabled ? 'on' : 'off'}</td>
            <td>
              {product.clientTypes.length === 0
                ? 'none'
                : <ul class='plain'>{product.clientTypes.map((type) => <li>{type.name} <span class='hint'>({providerNames.get(type.providerId) ?? `provider ${type.providerId}`})</span></li>)}</ul>}
            </td>
            <td>{product.scopes.length === 0 ? 'none' : <code>{product.scopes.join(' ')}</code>}</td>
            <td>{formatTimestamp(product.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

const DCR_WORDS = {
  on: 'on: each approved request gets a client registered at the identity provider',
  off: 'off: approving a request registers no client'
}

function productDetail (ctx: PageContext, product: ProductRecord, messages: readonly string[], offers: readonly Offer[]): Html {
  const attached = new Set(product.clientTypes.map((type) => type.id))
  const offerable = offers.map((offer) => ({ ...offer, types: offer.types.filter((type) => !attached.has(type.id)) }))
  const byId = new Map(offers.flatMap((offer) => offer.types.map((type) => [type.id, { type, provider: offer.provider }] as const)))
  const shown = toProductShow(product)
  return (
    <Page title={product.name} session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
      <ErrorSummary messages={messages} fields={['ID']} />
      <Facts rows={[
        ['ID', String(product.id)],
        ['Display name', shown.DisplayName === '' ? 'not set' : shown.DisplayName],
        ['Dynamic Client Registration', product.dcrEnabled ? DCR_WORDS.on : DCR_WORDS.off],
        ['Scopes', product.scopes.length === 0 ? 'none' : <code>{product.scopes.join(' ')}</code>],
        ['Catalogues', commaText(shown.Catalogues) === '' ? 'none' : commaText(shown.Catalogues)],
        ['Created', formatTimestamp(product.createdAt)],
        ['Last change', formatTimestamp(product.updatedAt)]
      ]}
      />
      <div class='actions'>
        <a class='button' href={`/console/products/${product.id}/edit`}>Edit</a>
        <a class='button secondary' href={`/console/products/${product.id}/delete`}>Delete…</a>
      </div>
      <h2>Client types offered</h2>
      <p>A developer asking for this product picks one of these; the client registered for the request is of that type.{product.dcrEnabled ? '' : ' DCR is off, so none is registered until it is switched on.'}</p>
      {product.clientTypes.length === 0
        ? <p>This product offers no client type yet.</p>
        : (
          <table>
            <thead><tr><th scope='col'>Client type</th><th scope='col'>Provider</th><th scope='col'>Grant types</th><th scope='col'>Actions</th></tr></thead>
            <tbody>
              {product.clientTypes.map((type) => (
                <tr>
                  <td>{type.name}</td>
                  <td>{byId.get(type.id)?.provider.name ?? `provider ${type.providerId}`}</td>
                  <td>{byId.get(type.id)?.type.grantTypes.join(', ') ?? ''}</td>
                  <td>
                    <form method='post' action={`/console/products/${product.id}/client-types/${type.id}/detach`}>
                      <CsrfField session={ctx.session} />
                      <button type='submit' class='secondary' aria-label={`Stop offering ${type.name}`}>Stop offering</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          )}
      <p class='hint'>Stopping an offer leaves the client type at its provider, and the clients already registered with it.</p>
      <h2>Offer another client type</h2>
      {offerable.every((offer) => offer.types.length === 0)
        ? <p>No other client type exists. Add one to a provider under <a href='/console/providers'>OAuth2.0 providers</a>.</p>
        : (
          <form method='post' action={`/console/products/${product.id}/client-types`} novalidate>
            <CsrfField session={ctx.session} />
            <Choices
              name='ID' legend='Client type to offer' multiple={false} selected={[]} errors={messages}
              options={clientTypeOptions(offerable)}
            />
            <button type='submit'>Offer it</button>
          </form>
          )}
      <p><a href='/console/products'>All products</a></p>
    </Page>
  )
}

/** Each provider's client types as choices, grouped under the provider's name. */
function clientTypeOptions (offers: readonly Offer[]) {
  return offers.flatMap((offer) => offer.types.map((type) => ({
    value: String(type.id),
    label: type.name,
    hint: `${type.grantTypes.join(', ')}${type.description === '' ? '' : `: ${type.description}`}`,
    group: `${offer.provider.name} (${offer.provider.type})`
  })))
}

function productValues (product: ProductRecord): ProductValues {
  const shown = toProductShow(product)
  return {
    Name: product.name,
    DisplayName: shown.DisplayName,
    Description: shown.Description,
    DCREnabled: product.dcrEnabled,
    Scopes: product.scopes.join(' '),
    Templates: product.clientTypes.map((type) => String(type.id)),
    Catalogues: commaText(shown.Catalogues)
  }
}

function productValuesOf (form: URLSearchParams): ProductValues {
  return {
    Name: form.get('Name') ?? '',
    DisplayName: form.get('DisplayName') ?? '',
    Description: form.get('Description') ?? '',
    DCREnabled: form.get('DCREnabled') === 'true',
    Scopes: form.get('Scopes') ?? '',
    Templates: form.getAll('Templates'),
    Catalogues: form.get('Catalogues') ?? ''
  }
}

/** The API body the form makes: only the fields it shows; the product's other Tyk fields keep their values on edit (PUT decodes onto the stored product). */
function productBody (values: ProductValues): Record<string, unknown> {
  return {
    Name: values.Name,
    DisplayName: values.DisplayName,
    Description: values.Description,
    DCREnabled: values.DCREnabled,
    Scopes: values.Scopes,
    Templates: values.Templates.map(idOrText),
    Catalogues: commaItems(values.Catalogues).map(idOrText)
  }
}

function productForm (ctx: PageContext, product: ProductRecord | undefined, values: ProductValues, messages: readonly string[], offers: readonly Offer[]): Html {
  const action = product === undefined ? '/console/products/new' : `/console/products/${product.id}/edit`
  const types = clientTypeOptions(offers)
  return (
    <Page title={product === undefined ? 'Add a product' : `Edit ${product.name}`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={PRODUCT_FIELDS} />
      <form method='post' action={action} novalidate>
        <CsrfField session={ctx.session} />
        {product === undefined ? null : etagField(toProductShow(product))}
        <Field name='Name' label='Name' required maxlength={255} value={values.Name} errors={messages} hint='Unique among products, e.g. payment_api: scripts and the API name the product by it.' />
        <Field name='DisplayName' label='Display name' maxlength={1024} value={values.DisplayName} errors={messages} hint='What developers see in the catalogue, e.g. "ACME Payment API".' />
        <Field name='Description' label='Description' multiline maxlength={65536} value={values.Description} errors={messages} hint='A short description shown in the catalogue.' />
        <Choices
          name='DCREnabled' legend='Dynamic Client Registration' multiple selected={values.DCREnabled ? ['true'] : []} errors={messages}
          options={[{ value: 'true', label: 'Register a client for each approved request', hint: 'Approved requests get a client registered at the identity provider (RFC 7591), of the client type the developer picked among those offered below, with this product\'s scopes and the plan\'s.' }]}
        />
        <Field
          name='Scopes' label='Scopes' maxlength={4096} value={values.Scopes} errors={messages}
          hint='The OAuth2.0 scopes every client registered for this product is given, separated by spaces or commas, e.g. "payments clients". A scope belongs to one product or plan only; the embedded IdP learns new scopes when they are saved, other identity providers must know them already.'
        />
        {types.length === 0
          ? <p class='hint'>No client type exists yet, so this product can offer none: add one to a provider under <a href='/console/providers'>OAuth2.0 providers</a>.</p>
          : (
            <Choices
              name='Templates' legend='Client types offered' multiple selected={values.Templates} errors={messages} options={types}
              hint='What a developer may choose when asking for this product: the client registered at approval is of that type, at its provider. None checked: the product offers none.'
            />
            )}
        <Field
          name='Catalogues' label='Catalogues' maxlength={65536} value={values.Catalogues} errors={messages}
          hint='The catalogues listing this product, separated by commas: IDs (as Tyk writes them) or names. Stored and answered as written.'
        />
        <button type='submit'>{product === undefined ? 'Add the product' : 'Save'}</button>
        <a href={product === undefined ? '/console/products' : `/console/products/${product.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

/** Deleting a product has no `force` (Tyk has none on products): nothing refuses it, so the page says what follows. */
function deleteProductPage (ctx: PageContext, product: ProductRecord, messages: readonly string[]): Html {
  const types = product.clientTypes.length
  return (
    <DeleteQuestion
      ctx={ctx} what='product' name={product.name} section={SECTION} messages={messages} representation={toProductShow(product)}
      action={`/console/products/${product.id}/delete`} back={`/console/products/${product.id}`}
    >
      <p>This deletes the product at once:</p>
      <ul>
        <li>{types === 0 ? 'It offers no client type.' : `The ${types} client type${types === 1 ? '' : 's'} it offers stop${types === 1 ? 's' : ''} being offered by it; they stay at their provider.`}</li>
        <li>{product.scopes.length === 0 ? 'It holds no scope.' : `Its scopes (${product.scopes.join(', ')}) are freed for other products and plans.`}</li>
        <li>Access requests that asked for it no longer list it. Clients already registered at an identity provider are not touched.</li>
      </ul>
    </DeleteQuestion>
  )
}
