// Catalogues (issue 13 item 4): the products and plans offered together, to every developer (Public) or
// to the teams of their audience (Private), with the API's fields; products, plans and audiences chosen
// from what exists, audiences added and removed on the catalogue's page as the API's audience routes do.
import type { AudienceService } from '../../modules/catalogues/audience.service.ts'
import { VISIBILITIES, type CatalogueRecord, type CatalogueWithContents } from '../../modules/catalogues/catalogue.record.ts'
import { AudienceBody, CatalogueBody, CataloguePatch } from '../../modules/catalogues/catalogue.schemas.ts'
import { catalogueNotFound, type CatalogueService } from '../../modules/catalogues/catalogue.service.ts'
import type { OrganisationService } from '../../modules/organisations/organisation.service.ts'
import type { TeamService } from '../../modules/organisations/team.service.ts'
import type { PlanService } from '../../modules/plans/plan.service.ts'
import type { ProductService } from '../../modules/products/product.service.ts'
import type { Named } from '../../shared/ids-or-names.ts'
import { idOr404, parseId } from '../../shared/ids.ts'
import { MAX_PER_PAGE } from '../../shared/pagination.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { idOrText } from '../form-values.ts'
import { Fragment, h, type Html } from '../html.ts'
import { Choices, CsrfField, ErrorSummary, Facts, Field, Page, Pager } from '../layout.tsx'
import { consolePage, noticeOf, pageOf, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'
import { DeleteQuestion } from './delete-question.tsx'

export interface CataloguePagesDeps {
  readonly catalogues: CatalogueService
  readonly audiences: AudienceService
  readonly products: ProductService
  readonly plans: PlanService
  readonly organisations: OrganisationService
  readonly teams: TeamService
}

const SECTION = '/console/catalogues'
const CATALOGUE_FIELDS = ['Name', 'NameWithSlug', 'VisibilityStatus', 'Products', 'Plans', 'OrgCatalogues']
const AUDIENCE_FIELDS = ['TeamID', 'OrganisationID']
// The first page of each, as the API pages them: enough to choose from.
const CHOICES_PAGE = { limit: MAX_PER_PAGE, offset: 0 }
const VISIBILITY_WORDS = {
  Public: { label: 'Public', hint: 'Every developer sees it, whatever their team.' },
  Private: { label: 'Private', hint: 'Only the developers in the teams of its audience see it.' }
} as const

/** What can be offered and who can see: the choices of a catalogue's forms. */
interface Choosable {
  readonly products: readonly Named[]
  readonly plans: readonly Named[]
  /** Every team, with its organisation's name. */
  readonly teams: ReadonlyArray<Named & { readonly organisation: string; readonly isDefault: boolean }>
}

interface CatalogueValues {
  readonly Name: string
  readonly NameWithSlug: string
  readonly VisibilityStatus: string
  /** IDs. */
  readonly Products: readonly string[]
  readonly Plans: readonly string[]
  readonly OrgCatalogues: readonly string[]
}

const EMPTY: CatalogueValues = { Name: '', NameWithSlug: '', VisibilityStatus: 'Private', Products: [], Plans: [], OrgCatalogues: [] }

export function cataloguePages (deps: CataloguePagesDeps): ConsolePage[] {
  const { catalogues, audiences } = deps
  const catalogueId = (ctx: PageContext) => idOr404(ctx.params.catalogue_id ?? '', catalogueNotFound)
  const choosable = async (): Promise<Choosable> => {
    const organisations = await deps.organisations.list(CHOICES_PAGE)
    const teams = await Promise.all(organisations.map(async (organisation) =>
      (await deps.teams.list(organisation.id, CHOICES_PAGE)).map((team) => ({ id: team.id, name: team.name, organisation: organisation.name, isDefault: team.isDefault }))))
    return { products: await deps.products.list(CHOICES_PAGE), plans: await deps.plans.list(CHOICES_PAGE), teams: teams.flat() }
  }
  const form = async (ctx: PageContext, catalogue: CatalogueWithContents | undefined, values: CatalogueValues, messages: readonly string[]) =>
    catalogueForm(ctx, catalogue, values, messages, await choosable())
  const detail = async (ctx: PageContext, id: number, messages: readonly string[], team = '') =>
    catalogueDetail(ctx, await catalogues.get(id), messages, team, await choosable())

  return [
    consolePage('GET', '/catalogues', async (ctx) => {
      const { page, perPage, query } = pageOf(ctx)
      const list = await catalogues.list(query)
      return (
        <Page title='Catalogues' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <p>What developers see in the portal: products and plans offered together, to every developer or to chosen teams.</p>
          <div class='actions'><a class='button' href='/console/catalogues/new'>Add a catalogue</a></div>
          {list.length === 0 && page === 1 ? <p>No catalogue yet: developers see no product until a catalogue offers it.</p> : <CatalogueTable list={list} />}
          <Pager base='/console/catalogues' page={page} hasNext={list.length === perPage} />
        </Page>
      )
    }),

    consolePage('GET', '/catalogues/new', async (ctx) => await form(ctx, undefined, EMPTY, [])),

    consolePage('POST', '/catalogues/new', async (ctx) => {
      const values = catalogueValuesOf(ctx.form)
      return await showingErrors(async () => {
        const body = { ...catalogueBody(values), OrgCatalogues: values.OrgCatalogues.map((team) => ({ TeamID: idOrText(team) })) }
        const created = await catalogues.create(ctx.validated(CatalogueBody, body), { actor: ctx.actor })
        return { redirect: `/console/catalogues/${created.id}`, notice: 'created' }
      }, async (messages) => await form(ctx, undefined, values, messages))
    }),

    consolePage('GET', '/catalogues/:catalogue_id', async (ctx) => await detail(ctx, catalogueId(ctx), [])),

    consolePage('GET', '/catalogues/:catalogue_id/edit', async (ctx) => {
      const catalogue = await catalogues.get(catalogueId(ctx))
      return await form(ctx, catalogue, catalogueValues(catalogue), [])
    }),

    consolePage('POST', '/catalogues/:catalogue_id/edit', async (ctx) => {
      const id = catalogueId(ctx)
      const values = catalogueValuesOf(ctx.form)
      return await showingErrors(async () => {
        await catalogues.update(id, ctx.validated(CataloguePatch, catalogueBody(values)), { actor: ctx.actor })
        return { redirect: `/console/catalogues/${id}`, notice: 'saved' }
      }, async (messages) => await form(ctx, await catalogues.get(id), values, messages))
    }),

    consolePage('POST', '/catalogues/:catalogue_id/audiences', async (ctx) => {
      const id = catalogueId(ctx)
      const team = ctx.form.get('TeamID') ?? ''
      return await showingErrors(async () => {
        await audiences.create(id, ctx.validated(AudienceBody, team === '' ? {} : { TeamID: idOrText(team) }), ctx.actor)
        return { redirect: `/console/catalogues/${id}`, notice: 'audience_added' }
      }, async (messages) => await detail(ctx, id, messages, team))
    }),

    consolePage('POST', '/catalogues/:catalogue_id/audiences/:audience_id/remove', async (ctx) => {
      const id = catalogueId(ctx)
      const audienceId = parseId(ctx.params.audience_id ?? '')
      if (audienceId === undefined) throw await audiences.notFound(id, ctx.params.audience_id ?? '')
      await audiences.remove(id, audienceId, ctx.actor)
      return { redirect: `/console/catalogues/${id}`, notice: 'audience_removed' }
    }),

    consolePage('GET', '/catalogues/:catalogue_id/delete', async (ctx) => deletePage(ctx, await catalogues.get(catalogueId(ctx)), [])),

    consolePage('POST', '/catalogues/:catalogue_id/delete', async (ctx) => {
      const id = catalogueId(ctx)
      return await showingErrors(async () => {
        await catalogues.remove(id, { actor: ctx.actor })
        return { redirect: '/console/catalogues', notice: 'deleted' }
      }, async (messages) => deletePage(ctx, await catalogues.get(id), messages))
    })
  ]
}

function CatalogueTable ({ list }: { readonly list: readonly CatalogueRecord[] }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Name</th><th scope='col'>Shown to</th><th scope='col'>Slug</th><th scope='col'>Last change</th></tr></thead>
      <tbody>
        {list.map((catalogue) => (
          <tr>
            <td><a href={`/console/catalogues/${catalogue.id}`}>{catalogue.name}</a></td>
            <td>{catalogue.visibility === 'Public' ? 'every developer (Public)' : 'its audience (Private)'}</td>
            <td><code>{catalogue.nameWithSlug}</code></td>
            <td>{formatTimestamp(catalogue.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

const names = (list: readonly Named[]) => list.length === 0 ? 'none' : list.map((item) => item.name).join(', ')

function catalogueDetail (ctx: PageContext, catalogue: CatalogueWithContents, messages: readonly string[], team: string, choosable: Choosable): Html {
  const inAudience = new Set(catalogue.audiences.map((audience) => audience.teamId))
  const candidates = choosable.teams.filter((candidate) => !inAudience.has(candidate.id))
  return (
    <Page title={catalogue.name} session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
      <ErrorSummary messages={messages} fields={AUDIENCE_FIELDS} />
      <Facts rows={[
        ['ID', String(catalogue.id)],
        ['Shown to', catalogue.visibility === 'Public' ? 'every developer (Public)' : 'the teams of its audience (Private)'],
        ['Slug', <code>{catalogue.nameWithSlug}</code>],
        ['Products', names(catalogue.products)],
        ['Plans', names(catalogue.plans)],
        ['Created', `${formatTimestamp(catalogue.createdAt)} UTC`],
        ['Last change', `${formatTimestamp(catalogue.updatedAt)} UTC`]
      ]}
      />
      <div class='actions'>
        <a class='button secondary' href={`/console/catalogues/${catalogue.id}/edit`}>Edit</a>
        <a class='button secondary' href={`/console/catalogues/${catalogue.id}/delete`}>Delete…</a>
      </div>
      <h2>Audience</h2>
      <p>{catalogue.visibility === 'Public'
        ? 'The catalogue is public: every developer sees it, so its audience changes nothing until it is made private.'
        : 'The developers of these teams see the catalogue.'}
      </p>
      {catalogue.audiences.length === 0
        ? <p>No team yet.</p>
        : (
          <table>
            <thead><tr><th scope='col'>Team</th><th scope='col'>Organisation</th><th scope='col'>Actions</th></tr></thead>
            <tbody>
              {catalogue.audiences.map((audience) => (
                <tr>
                  <td>{audience.teamName}</td>
                  <td><a href={`/console/organisations/${audience.organisationId}`}>{audience.organisationName}</a></td>
                  <td>
                    <form method='post' action={`/console/catalogues/${catalogue.id}/audiences/${audience.id}/remove`}>
                      <CsrfField session={ctx.session} />
                      <button type='submit' class='secondary' aria-label={`Remove ${audience.teamName} from the audience`}>Remove</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          )}
      {candidates.length === 0
        ? null
        : (
          <form method='post' action={`/console/catalogues/${catalogue.id}/audiences`} novalidate>
            <CsrfField session={ctx.session} />
            <Choices
              name='TeamID' legend='Add a team to the audience' multiple={false} selected={[team]} errors={messages}
              options={candidates.map((candidate) => ({ value: String(candidate.id), label: candidate.name, group: candidate.organisation, ...(candidate.isDefault ? { hint: 'the organisation\'s default team: its new developers join it' } : {}) }))}
            />
            <button type='submit'>Add to the audience</button>
          </form>
          )}
    </Page>
  )
}

function catalogueValues (catalogue: CatalogueWithContents): CatalogueValues {
  return {
    Name: catalogue.name,
    NameWithSlug: catalogue.nameWithSlug,
    VisibilityStatus: catalogue.visibility,
    Products: catalogue.products.map((product) => String(product.id)),
    Plans: catalogue.plans.map((plan) => String(plan.id)),
    OrgCatalogues: catalogue.audiences.map((audience) => String(audience.teamId))
  }
}

function catalogueValuesOf (form: URLSearchParams): CatalogueValues {
  return {
    Name: form.get('Name') ?? '',
    NameWithSlug: form.get('NameWithSlug') ?? '',
    VisibilityStatus: form.get('VisibilityStatus') ?? '',
    Products: form.getAll('Products'),
    Plans: form.getAll('Plans'),
    OrgCatalogues: form.getAll('OrgCatalogues')
  }
}

/** The API body a catalogue form makes: an empty slug is left out (the API makes one from the name). */
function catalogueBody (values: CatalogueValues): Record<string, unknown> {
  return {
    Name: values.Name,
    ...(values.NameWithSlug.trim() === '' ? {} : { NameWithSlug: values.NameWithSlug }),
    VisibilityStatus: values.VisibilityStatus,
    Products: values.Products.map(idOrText),
    Plans: values.Plans.map(idOrText)
  }
}

function catalogueForm (ctx: PageContext, catalogue: CatalogueWithContents | undefined, values: CatalogueValues, messages: readonly string[], choosable: Choosable): Html {
  return (
    <Page title={catalogue === undefined ? 'Add a catalogue' : `Edit ${catalogue.name}`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={CATALOGUE_FIELDS} />
      <form method='post' action={catalogue === undefined ? '/console/catalogues/new' : `/console/catalogues/${catalogue.id}/edit`} novalidate>
        <CsrfField session={ctx.session} />
        <Field name='Name' label='Name' required maxlength={255} value={values.Name} errors={messages} />
        <Field name='NameWithSlug' label='Slug' maxlength={255} value={values.NameWithSlug} errors={messages} hint="The address of the catalogue's page in the portal: lower-case letters and digits, words joined by hyphens. Empty: made from the name." />
        <Choices
          name='VisibilityStatus' legend='Shown to' multiple={false} selected={[values.VisibilityStatus]} errors={messages}
          options={VISIBILITIES.map((value) => ({ value, label: VISIBILITY_WORDS[value].label, hint: VISIBILITY_WORDS[value].hint }))}
        />
        <Choices
          name='Products' legend='Products offered' multiple selected={values.Products} errors={messages}
          hint={choosable.products.length === 0 ? 'No product exists yet: add one under Products.' : 'Developers who see the catalogue can ask access to these.'}
          options={choosable.products.map((product) => ({ value: String(product.id), label: product.name }))}
        />
        <Choices
          name='Plans' legend='Plans offered' multiple selected={values.Plans} errors={messages}
          hint={choosable.plans.length === 0 ? 'No plan exists yet: add one under Plans.' : 'The plans developers can choose when they ask access.'}
          options={choosable.plans.map((plan) => ({ value: String(plan.id), label: plan.name }))}
        />
        {catalogue === undefined
          ? (
            <Choices
              name='OrgCatalogues' legend='Audience' multiple selected={values.OrgCatalogues} errors={messages}
              hint="The teams whose developers see it while it is private. An organisation's default team is where its new developers go."
              options={choosable.teams.map((team) => ({ value: String(team.id), label: team.name, group: team.organisation }))}
            />
            )
          : <p>The audience is changed on the catalogue's page.</p>}
        <button type='submit'>{catalogue === undefined ? 'Add the catalogue' : 'Save'}</button>
        <a href={catalogue === undefined ? '/console/catalogues' : `/console/catalogues/${catalogue.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

function deletePage (ctx: PageContext, catalogue: CatalogueWithContents, messages: readonly string[]): Html {
  const audiences = catalogue.audiences.length
  return (
    <DeleteQuestion
      ctx={ctx} what='catalogue' name={catalogue.name} section={SECTION} messages={messages}
      action={`/console/catalogues/${catalogue.id}/delete`} back={`/console/catalogues/${catalogue.id}`}
    >
      <Fragment>
        <p>Its audience of {audiences} team{audiences === 1 ? '' : 's'} goes with it. The products and plans it offered stay, and stay in their other catalogues.</p>
        {catalogue.products.length === 0 ? null : <p>Developers who saw {names(catalogue.products)} only through this catalogue no longer see {catalogue.products.length === 1 ? 'it' : 'them'} in the portal.</p>}
      </Fragment>
    </DeleteQuestion>
  )
}
