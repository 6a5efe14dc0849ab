// Organisations and their teams (issue 13 item 4): the developers' organisations, each with a default
// team; deleting one moves its users to the Default Organisation, deleting a team moves its members to
// the organisation's default team, as the API does, and the question pages say so first.
import type { MemberRecord } from '../../modules/organisations/member.record.ts'
import type { OrganisationRecord, OrganisationWithMembers, TeamRecord } from '../../modules/organisations/organisation.record.ts'
import { OrganisationBody, OrganisationPatch } from '../../modules/organisations/organisation.schemas.ts'
import { organisationNotFound, type OrganisationService } from '../../modules/organisations/organisation.service.ts'
import { TeamBody, TeamPatch } from '../../modules/organisations/team.schemas.ts'
import type { TeamService } from '../../modules/organisations/team.service.ts'
import { idOr404, parseId } from '../../shared/ids.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { idOrText } from '../form-values.ts'
import { h, type Html } from '../html.ts'
import { Choices, CsrfField, ErrorSummary, Facts, Field, Page, Pager } from '../layout.tsx'
import { consolePage, noticeOf, pageOf, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'
import { DeleteQuestion } from './delete-question.tsx'
import { personName, ROLE_WORDS } from './users.tsx'

export interface OrganisationPagesDeps {
  readonly organisations: OrganisationService
  readonly teams: TeamService
}

const SECTION = '/console/organisations'
const NAME_FIELDS = ['Name']
const TEAM_FIELDS = ['Name', 'Users']
const DEFAULT_TEAM_WORDS = 'The default team: new developers of the organisation join it, and the members of a deleted team move to it. It cannot be deleted.'

export function organisationPages ({ organisations, teams }: OrganisationPagesDeps): ConsolePage[] {
  const organisationId = (ctx: PageContext) => idOr404(ctx.params.organisation_id ?? '', organisationNotFound)
  /** Both path ids; a team id that cannot name a row answers the API's 404. */
  const teamIds = async (ctx: PageContext): Promise<[number, number]> => {
    const id = organisationId(ctx)
    const teamId = parseId(ctx.params.team_id ?? '')
    if (teamId === undefined) throw await teams.notFound(id, ctx.params.team_id ?? '')
    return [id, teamId]
  }

  return [
    consolePage('GET', '/organisations', async (ctx) => {
      const { page, perPage, query } = pageOf(ctx)
      const list = await organisations.list(query)
      return (
        <Page title='Organisations' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <p>The companies and groups whose developers use the portal. Each has teams; a private catalogue is shown to the teams in its audience.</p>
          <div class='actions'><a class='button' href='/console/organisations/new'>Add an organisation</a></div>
          <OrganisationTable list={list} />
          <Pager base='/console/organisations' page={page} hasNext={list.length === perPage} />
        </Page>
      )
    }),

    consolePage('GET', '/organisations/new', async (ctx) => nameForm(ctx, { title: 'Add an organisation', action: '/console/organisations/new', back: '/console/organisations', submit: 'Add the organisation' }, '', [])),

    consolePage('POST', '/organisations/new', async (ctx) => {
      const name = ctx.form.get('Name') ?? ''
      return await showingErrors(async () => {
        const created = await organisations.create(ctx.validated(OrganisationBody, { Name: name }), { actor: ctx.actor })
        return { redirect: `/console/organisations/${created.id}`, notice: 'created' }
      }, (messages) => nameForm(ctx, { title: 'Add an organisation', action: '/console/organisations/new', back: '/console/organisations', submit: 'Add the organisation' }, name, messages))
    }),

    consolePage('GET', '/organisations/:organisation_id', async (ctx) => organisationDetail(ctx, await organisations.get(organisationId(ctx)))),

    consolePage('GET', '/organisations/:organisation_id/edit', async (ctx) => {
      const organisation = await organisations.get(organisationId(ctx))
      return nameForm(ctx, renameOf(organisation), organisation.name, [])
    }),

    consolePage('POST', '/organisations/:organisation_id/edit', async (ctx) => {
      const id = organisationId(ctx)
      const name = ctx.form.get('Name') ?? ''
      return await showingErrors(async () => {
        await organisations.update(id, ctx.validated(OrganisationPatch, { Name: name }), { actor: ctx.actor })
        return { redirect: `/console/organisations/${id}`, notice: 'saved' }
      }, async (messages) => nameForm(ctx, renameOf(await organisations.get(id)), name, messages))
    }),

    consolePage('GET', '/organisations/:organisation_id/delete', async (ctx) => deleteOrganisationPage(ctx, await organisations.get(organisationId(ctx)), [])),

    consolePage('POST', '/organisations/:organisation_id/delete', async (ctx) => {
      const id = organisationId(ctx)
      return await showingErrors(async () => {
        await organisations.remove(id, { actor: ctx.actor })
        return { redirect: '/console/organisations', notice: 'deleted' }
      }, async (messages) => deleteOrganisationPage(ctx, await organisations.get(id), messages))
    }),

    consolePage('GET', '/organisations/:organisation_id/teams/new', async (ctx) => {
      const organisation = await organisations.get(organisationId(ctx))
      return nameForm(ctx, newTeamOf(organisation), '', [])
    }),

    consolePage('POST', '/organisations/:organisation_id/teams/new', async (ctx) => {
      const id = organisationId(ctx)
      const name = ctx.form.get('Name') ?? ''
      return await showingErrors(async () => {
        await teams.create(id, ctx.validated(TeamBody, { Name: name }), { actor: ctx.actor })
        return { redirect: `/console/organisations/${id}`, notice: 'created' }
      }, async (messages) => nameForm(ctx, newTeamOf(await organisations.get(id)), name, messages))
    }),

    consolePage('GET', '/organisations/:organisation_id/teams/:team_id/edit', async (ctx) => {
      const [id, teamId] = await teamIds(ctx)
      const team = await teams.get(id, teamId)
      return teamForm(ctx, await organisations.get(id), team, { Name: team.name, Users: team.userIds.map(String) }, [])
    }),

    consolePage('POST', '/organisations/:organisation_id/teams/:team_id/edit', async (ctx) => {
      const [id, teamId] = await teamIds(ctx)
      const values = { Name: ctx.form.get('Name') ?? '', Users: ctx.form.getAll('Users') }
      return await showingErrors(async () => {
        await teams.update(id, teamId, ctx.validated(TeamPatch, { Name: values.Name, Users: values.Users.map(idOrText) }), { actor: ctx.actor })
        return { redirect: `/console/organisations/${id}`, notice: 'saved' }
      }, async (messages) => teamForm(ctx, await organisations.get(id), await teams.get(id, teamId), values, messages))
    }),

    consolePage('GET', '/organisations/:organisation_id/teams/:team_id/delete', async (ctx) => {
      const [id, teamId] = await teamIds(ctx)
      return deleteTeamPage(ctx, await organisations.get(id), await teams.get(id, teamId), [])
    }),

    consolePage('POST', '/organisations/:organisation_id/teams/:team_id/delete', async (ctx) => {
      const [id, teamId] = await teamIds(ctx)
      return await showingErrors(async () => {
        await teams.remove(id, teamId, { actor: ctx.actor })
        return { redirect: `/console/organisations/${id}`, notice: 'deleted' }
      }, async (messages) => deleteTeamPage(ctx, await organisations.get(id), await teams.get(id, teamId), messages))
    })
  ]
}

function OrganisationTable ({ list }: { readonly list: readonly OrganisationRecord[] }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Name</th><th scope='col'>Created</th><th scope='col'>Last change</th></tr></thead>
      <tbody>
        {list.map((organisation) => (
          <tr>
            <td><a href={`/console/organisations/${organisation.id}`}>{organisation.name}</a>{organisation.isDefault ? ' (default)' : ''}</td>
            <td>{formatTimestamp(organisation.createdAt)}</td>
            <td>{formatTimestamp(organisation.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function organisationDetail (ctx: PageContext, organisation: OrganisationWithMembers): Html {
  return (
    <Page title={organisation.name} session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
      <Facts rows={[
        ['ID', String(organisation.id)],
        ['Default Organisation', organisation.isDefault ? 'yes: developers go here unless told otherwise, and the users of a deleted organisation move here; it cannot be deleted' : 'no'],
        ['Created', `${formatTimestamp(organisation.createdAt)} UTC`],
        ['Last change', `${formatTimestamp(organisation.updatedAt)} UTC`]
      ]}
      />
      <div class='actions'>
        <a class='button secondary' href={`/console/organisations/${organisation.id}/edit`}>Rename</a>
        {organisation.isDefault ? null : <a class='button secondary' href={`/console/organisations/${organisation.id}/delete`}>Delete…</a>}
      </div>
      <h2>Teams</h2>
      <p><a class='button' href={`/console/organisations/${organisation.id}/teams/new`}>Add a team</a></p>
      <TeamTable organisation={organisation} />
      <h2>Users</h2>
      {organisation.users.length === 0
        ? <p>No user in this organisation yet. Add one under <a href='/console/users'>Users</a>.</p>
        : <MemberTable users={organisation.users} />}
    </Page>
  )
}

function TeamTable ({ organisation }: { readonly organisation: OrganisationWithMembers }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Team</th><th scope='col'>Members</th><th scope='col'>Actions</th></tr></thead>
      <tbody>
        {organisation.teams.map((team) => (
          <tr>
            <td>{team.name}{team.isDefault ? <p class='hint'>{DEFAULT_TEAM_WORDS}</p> : null}</td>
            <td>{String(team.userIds.length)}</td>
            <td>
              <a href={`/console/organisations/${organisation.id}/teams/${team.id}/edit`} aria-label={`Edit ${team.name}`}>Edit</a>
              {team.isDefault ? null : ' · '}
              {team.isDefault ? null : <a href={`/console/organisations/${organisation.id}/teams/${team.id}/delete`} aria-label={`Delete ${team.name}`}>Delete…</a>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function MemberTable ({ users }: { readonly users: readonly MemberRecord[] }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Name</th><th scope='col'>Email</th><th scope='col'>Role</th><th scope='col'>Active</th></tr></thead>
      <tbody>
        {users.map((user) => (
          <tr>
            <td><a href={`/console/users/${user.id}`}>{personName(user)}</a></td>
            <td>{user.email}</td>
            <td>{ROLE_WORDS[user.role].label}</td>
            <td>{user.active ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

interface NameFormPlace { readonly title: string; readonly action: string; readonly back: string; readonly submit: string; readonly hint?: string }

const renameOf = (organisation: OrganisationRecord): NameFormPlace =>
  ({ title: `Rename ${organisation.name}`, action: `/console/organisations/${organisation.id}/edit`, back: `/console/organisations/${organisation.id}`, submit: 'Save' })

const newTeamOf = (organisation: OrganisationRecord): NameFormPlace => ({
  title: `Add a team to ${organisation.name}`,
  action: `/console/organisations/${organisation.id}/teams/new`,
  back: `/console/organisations/${organisation.id}`,
  submit: 'Add the team',
  hint: 'Unique in the organisation. Add its members by editing it.'
})

/** The one-field form of an organisation (add, rename) and of a new team. */
function nameForm (ctx: PageContext, place: NameFormPlace, name: string, messages: readonly string[]): Html {
  return (
    <Page title={place.title} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={NAME_FIELDS} />
      <form method='post' action={place.action} novalidate>
        <CsrfField session={ctx.session} />
        <Field name='Name' label='Name' required maxlength={255} value={name} errors={messages} {...(place.hint === undefined ? {} : { hint: place.hint })} />
        <button type='submit'>{place.submit}</button>
        <a href={place.back}>Cancel</a>
      </form>
    </Page>
  )
}

function teamForm (ctx: PageContext, organisation: OrganisationWithMembers, team: TeamRecord, values: { readonly Name: string; readonly Users: readonly string[] }, messages: readonly string[]): Html {
  return (
    <Page title={`Edit ${team.name}`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={TEAM_FIELDS} />
      {team.isDefault ? <p>{DEFAULT_TEAM_WORDS}</p> : null}
      <form method='post' action={`/console/organisations/${organisation.id}/teams/${team.id}/edit`} novalidate>
        <CsrfField session={ctx.session} />
        <Field name='Name' label='Name' required maxlength={255} value={values.Name} errors={messages} />
        <Choices
          name='Users' legend='Members' multiple selected={values.Users} errors={messages}
          hint={`Users of ${organisation.name}. A user left unchecked stays in the organisation, outside this team.`}
          options={organisation.users.map((user) => ({ value: String(user.id), label: personName(user), ...(user.email === '' ? {} : { hint: user.email }) }))}
        />
        <button type='submit'>Save</button>
        <a href={`/console/organisations/${organisation.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

function deleteOrganisationPage (ctx: PageContext, organisation: OrganisationWithMembers, messages: readonly string[]): Html {
  const users = organisation.users.length
  const teams = organisation.teams.length
  return (
    <DeleteQuestion
      ctx={ctx} what='organisation' name={organisation.name} section={SECTION} messages={messages}
      action={`/console/organisations/${organisation.id}/delete`} back={`/console/organisations/${organisation.id}`}
    >
      <p>
        Its {users} user{users === 1 ? '' : 's'} stay{users === 1 ? 's' : ''}: they move to the Default Organisation, into its default team.
        Its {teams} team{teams === 1 ? ' is' : 's are'} deleted, and catalogues stop being shown to {teams === 1 ? 'it' : 'them'}.
      </p>
    </DeleteQuestion>
  )
}

function deleteTeamPage (ctx: PageContext, organisation: OrganisationWithMembers, team: TeamRecord, messages: readonly string[]): Html {
  const members = team.userIds.length
  const fallback = organisation.teams.find((candidate) => candidate.isDefault)?.name ?? 'its default team'
  return (
    <DeleteQuestion
      ctx={ctx} what='team' name={team.name} section={SECTION} messages={messages}
      action={`/console/organisations/${organisation.id}/teams/${team.id}/delete`} back={`/console/organisations/${organisation.id}`}
    >
      <p>
        Its {members} member{members === 1 ? '' : 's'} stay{members === 1 ? 's' : ''} in {organisation.name} and move{members === 1 ? 's' : ''} to the team {fallback}.
        Catalogues shown to this team stop being shown to it.
      </p>
    </DeleteQuestion>
  )
}
