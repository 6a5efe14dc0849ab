// Plans (issue 12): list, create, edit, delete. The form's fields are the API's plan body: the JWT scope
// and auto-approval, which act here, and Tyk's limits and descriptive fields, which are only kept.
import type { PlanRecord } from '../../modules/plans/plan.record.ts'
import { PlanBody, PlanPatch, toPlan } from '../../modules/plans/plan.schemas.ts'
import { planNotFound, type PlanService } from '../../modules/plans/plan.service.ts'
import { idOr404 } from '../../shared/ids.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { commaItems, commaText, idOrText, numberOrText } from '../form-values.ts'
import { h, type Html } from '../html.ts'
import { Choices, CsrfField, ErrorSummary, Facts, Field, Page, Pager } from '../layout.tsx'
import { DeleteQuestion } from './delete-question.tsx'
import { consolePage, etagField, formWriteContext, noticeOf, pageOf, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'

export interface PlanPagesDeps {
  readonly plans: PlanService
}

const SECTION = '/console/plans'

/** Tyk's number fields of a plan: stored and answered, enforced by the API gateway, not here. */
const NUMBER_FIELDS = [
  { name: 'RateLimit', label: 'Rate limit', hint: 'Requests allowed per period (Per).' },
  { name: 'Per', label: 'Per (seconds)', hint: 'The rate limit\'s period.' },
  { name: 'Quota', label: 'Quota', hint: 'Requests allowed per quota period.' },
  { name: 'QuotaRenewalRate', label: 'Quota renewal (seconds)', hint: 'When the quota starts again; -1: never.' },
  { name: 'KeyExpiresIn', label: 'Key expires in (seconds)', hint: '0: keys do not expire.' }
] as const
type NumberField = (typeof NUMBER_FIELDS)[number]['name']

const PLAN_FIELDS = ['Name', 'DisplayName', 'Description', 'JWTScope', 'AutoApproveAccessRequests', 'ProviderID', ...NUMBER_FIELDS.map((field) => field.name), 'UnlimitedRateLimit', 'UnlimitedQuota', 'Catalogues']

/** What the plan form shows: the text as typed, or the stored plan. */
type PlanValues = Readonly<Record<'Name' | 'DisplayName' | 'Description' | 'JWTScope' | 'ProviderID' | NumberField | 'Catalogues', string>> & {
  readonly AutoApproveAccessRequests: boolean
  readonly UnlimitedRateLimit: boolean
  readonly UnlimitedQuota: boolean
}

// Tyk's zero values, as a plan never given them answers.
const EMPTY: PlanValues = {
  Name: '', DisplayName: '', Description: '', JWTScope: '', AutoApproveAccessRequests: false, ProviderID: '0',
  RateLimit: '0', Per: '0', Quota: '0', QuotaRenewalRate: '0', KeyExpiresIn: '0', UnlimitedRateLimit: false, UnlimitedQuota: false, Catalogues: ''
}

export function planPages ({ plans }: PlanPagesDeps): ConsolePage[] {
  const planId = (ctx: PageContext) => idOr404(ctx.params.plan_id ?? '', planNotFound)

  return [
    consolePage('GET', '/plans', async (ctx) => {
      const { page, perPage, query } = pageOf(ctx)
      const list = await plans.list(query)
      return (
        <Page title='Plans' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <p>A developer asks for products on a plan. The plan adds its JWT scope to the client registered for the request, and decides whether the request waits for an admin.</p>
          <div class='actions'><a class='button' href='/console/plans/new'>Add a plan</a></div>
          {list.length === 0 && page === 1 ? <p>No plan yet. Add one: every access request names a plan.</p> : <PlanTable list={list} />}
          <Pager base='/console/plans' page={page} hasNext={list.length === perPage} />
        </Page>
      )
    }),

    consolePage('GET', '/plans/new', async (ctx) => planForm(ctx, undefined, EMPTY, [])),

    consolePage('POST', '/plans/new', async (ctx) => {
      const values = planValuesOf(ctx.form)
      return await showingErrors(async () => {
        const created = await plans.create(ctx.validated(PlanBody, planBody(values)), { actor: ctx.actor })
        return { redirect: `/console/plans/${created.id}`, notice: 'created' }
      }, (messages) => planForm(ctx, undefined, values, messages))
    }),

    consolePage('GET', '/plans/:plan_id', async (ctx) => {
      const plan = await plans.get(planId(ctx))
      const shown = toPlan(plan)
      return (
        <Page title={plan.name} session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <Facts rows={[
            ['ID', String(plan.id)],
            ['Display name', shown.DisplayName === '' ? 'not set' : shown.DisplayName],
            ['JWT scope', plan.jwtScopes.length === 0 ? 'none' : <code>{plan.jwtScopes.join(' ')}</code>],
            ['Access requests', plan.autoApproveAccessRequests ? 'approved at once' : 'wait for an admin to approve them'],
            ['Rate limit', shown.UnlimitedRateLimit ? 'unlimited' : `${shown.RateLimit} per ${shown.Per} s`],
            ['Quota', shown.UnlimitedQuota ? 'unlimited' : `${shown.Quota}, renewed every ${shown.QuotaRenewalRate} s`],
            ['Created', formatTimestamp(plan.createdAt)],
            ['Last change', formatTimestamp(plan.updatedAt)]
          ]}
          />
          <div class='actions'>
            <a class='button' href={`/console/plans/${plan.id}/edit`}>Edit</a>
            <a class='button secondary' href={`/console/plans/${plan.id}/delete`}>Delete…</a>
          </div>
          <p><a href='/console/plans'>All plans</a></p>
        </Page>
      )
    }),

    consolePage('GET', '/plans/:plan_id/edit', async (ctx) => {
      const plan = await plans.get(planId(ctx))
      return planForm(ctx, plan, planValues(plan), [])
    }),

    consolePage('POST', '/plans/:plan_id/edit', async (ctx) => {
      const id = planId(ctx)
      const values = planValuesOf(ctx.form)
      return await showingErrors(async () => {
        await plans.update(id, ctx.validated(PlanPatch, planBody(values)), formWriteContext(ctx, toPlan))
        return { redirect: `/console/plans/${id}`, notice: 'saved' }
      }, async (messages) => planForm(ctx, await plans.get(id), values, messages))
    }),

    consolePage('GET', '/plans/:plan_id/delete', async (ctx) => deletePlanPage(ctx, await plans.get(planId(ctx)), [])),

    consolePage('POST', '/plans/:plan_id/delete', async (ctx) => {
      const id = planId(ctx)
      return await showingErrors(async () => {
        await plans.remove(id, formWriteContext(ctx, toPlan))
        return { redirect: '/console/plans', notice: 'deleted' }
      }, async (messages) => deletePlanPage(ctx, await plans.get(id), messages))
    })
  ]
}

function PlanTable ({ list }: { readonly list: readonly PlanRecord[] }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Name</th><th scope='col'>JWT scope</th><th scope='col'>Access requests</th><th scope='col'>Last change</th></tr></thead>
      <tbody>
        {list.map((plan) => (
          <tr>
            <td><a href={`/console/plans/${plan.id}`}>{plan.name}</a></td>
            <td>{plan.jwtScopes.length === 0 ? 'none' : <code>{plan.jwtScopes.join(' ')}</code>}</td>
            <td>{plan.autoApproveAccessRequests ? 'approved at once' : 'approved by an admin'}</td>
            <td>{formatTimestamp(plan.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function planValues (plan: PlanRecord): PlanValues {
  const shown = toPlan(plan)
  return {
    Name: plan.name,
    DisplayName: shown.DisplayName,
    Description: shown.Description,
    JWTScope: plan.jwtScopes.join(' '),
    AutoApproveAccessRequests: plan.autoApproveAccessRequests,
    ProviderID: String(shown.ProviderID),
    ...Object.fromEntries(NUMBER_FIELDS.map(({ name }) => [name, String(shown[name])])) as Record<NumberField, string>,
    UnlimitedRateLimit: shown.UnlimitedRateLimit,
    UnlimitedQuota: shown.UnlimitedQuota,
    Catalogues: commaText(shown.Catalogues)
  }
}

function planValuesOf (form: URLSearchParams): PlanValues {
  const field = (name: string) => form.get(name) ?? ''
  return {
    Name: field('Name'),
    DisplayName: field('DisplayName'),
    Description: field('Description'),
    JWTScope: field('JWTScope'),
    AutoApproveAccessRequests: form.get('AutoApproveAccessRequests') === 'true',
    ProviderID: field('ProviderID'),
    ...Object.fromEntries(NUMBER_FIELDS.map(({ name }) => [name, field(name)])) as Record<NumberField, string>,
    UnlimitedRateLimit: form.get('UnlimitedRateLimit') === 'true',
    UnlimitedQuota: form.get('UnlimitedQuota') === 'true',
    Catalogues: field('Catalogues')
  }
}

/** The API body the form makes: only the fields it shows; the plan's others (MetaData, …) keep their values on edit. */
function planBody (values: PlanValues): Record<string, unknown> {
  return {
    Name: values.Name,
    DisplayName: values.DisplayName,
    Description: values.Description,
    JWTScope: values.JWTScope,
    AutoApproveAccessRequests: values.AutoApproveAccessRequests,
    ProviderID: numberOrText(values.ProviderID),
    ...Object.fromEntries(NUMBER_FIELDS.map(({ name }) => [name, numberOrText(values[name])])),
    UnlimitedRateLimit: values.UnlimitedRateLimit,
    UnlimitedQuota: values.UnlimitedQuota,
    Catalogues: commaItems(values.Catalogues).map(idOrText)
  }
}

function planForm (ctx: PageContext, plan: PlanRecord | undefined, values: PlanValues, messages: readonly string[]): Html {
  const action = plan === undefined ? '/console/plans/new' : `/console/plans/${plan.id}/edit`
  return (
    <Page title={plan === undefined ? 'Add a plan' : `Edit ${plan.name}`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={PLAN_FIELDS} />
      <form method='post' action={action} novalidate>
        <CsrfField session={ctx.session} />
        {plan === undefined ? null : etagField(toPlan(plan))}
        <Field name='Name' label='Name' required maxlength={255} value={values.Name} errors={messages} hint='Unique among plans, e.g. free_plan.' />
        <Field name='DisplayName' label='Display name' maxlength={1024} value={values.DisplayName} errors={messages} hint='What developers see, e.g. "Free plan".' />
        <Field name='Description' label='Description' multiline maxlength={65536} value={values.Description} errors={messages} />
        <Field
          name='JWTScope' label='JWT scope' maxlength={4096} value={values.JWTScope} errors={messages}
          hint={'The OAuth2.0 scopes a client registered on this plan is given beside its products\' scopes, separated by spaces or commas, e.g. "free-plan". A scope belongs to one product or plan only.'}
        />
        <Choices
          name='AutoApproveAccessRequests' legend='Approval' multiple selected={values.AutoApproveAccessRequests ? ['true'] : []} errors={messages}
          options={[{ value: 'true', label: 'Approve access requests at once', hint: 'Requests on this plan are approved at once, and their client registered, with no admin in between. Unchecked: they wait in the access-request queue.' }]}
        />
        <h2>Tyk's gateway settings</h2>
        <p class='hint'>Stored and answered as Tyk's API does, for the API gateway to enforce: this service does not limit requests itself.</p>
        <Field name='ProviderID' label='Gateway provider ID' type='number' required value={values.ProviderID} errors={messages} hint={'The API gateway (Tyk Dashboard) that holds this plan\'s policy; not the OAuth2.0 provider. 0 when there is none.'} />
        {NUMBER_FIELDS.map(({ name, label, hint }) => <Field name={name} label={label} type='number' value={values[name]} errors={messages} hint={hint} />)}
        <Choices
          name='UnlimitedRateLimit' legend='Unlimited rate' multiple selected={values.UnlimitedRateLimit ? ['true'] : []} errors={messages}
          options={[{ value: 'true', label: 'No rate limit', hint: 'The rate limit above is ignored.' }]}
        />
        <Choices
          name='UnlimitedQuota' legend='Unlimited quota' multiple selected={values.UnlimitedQuota ? ['true'] : []} errors={messages}
          options={[{ value: 'true', label: 'No quota', hint: 'The quota above is ignored.' }]}
        />
        <Field name='Catalogues' label='Catalogue IDs' maxlength={65536} value={values.Catalogues} errors={messages} hint='The catalogues this plan belongs to, by ID, separated by commas.' />
        <button type='submit'>{plan === undefined ? 'Add the plan' : 'Save'}</button>
        <a href={plan === undefined ? '/console/plans' : `/console/plans/${plan.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

/** Deleting a plan has no `force` (Tyk has none on plans): nothing refuses it, so the page says what follows. */
function deletePlanPage (ctx: PageContext, plan: PlanRecord, messages: readonly string[]): Html {
  return (
    <DeleteQuestion
      ctx={ctx} what='plan' name={plan.name} section={SECTION} messages={messages} representation={toPlan(plan)}
      action={`/console/plans/${plan.id}/delete`} back={`/console/plans/${plan.id}`}
    >
      <p>This deletes the plan at once:</p>
      <ul>
        <li>{plan.jwtScopes.length === 0 ? 'It holds no scope.' : `Its JWT scope (${plan.jwtScopes.join(', ')}) is freed for other products and plans.`}</li>
        <li>Access requests made on it stay, without a plan: one approved later gets only its products' scopes.</li>
        <li>Clients already registered at an identity provider keep the scopes they were given.</li>
      </ul>
    </DeleteQuestion>
  )
}
