// Users (issue 13 item 4): admin users and developers, with the API's fields and rules; activating those
// who wait for approval; inviting a developer (the invitation link shown once); and an admin user's API
// token for /portal-api (item 5), created with its value shown once, and revoked.
import { AppError, show } from '../../errors.ts'
import { isAdminRole, ROLES, type MemberRecord, type Role } from '../../modules/organisations/member.record.ts'
import type { OrganisationRecord, TeamRecord } from '../../modules/organisations/organisation.record.ts'
import type { OrganisationService } from '../../modules/organisations/organisation.service.ts'
import type { TeamService } from '../../modules/organisations/team.service.ts'
import type { ApiTokenRecord, ApiTokenService } from '../../modules/users/api-token.service.ts'
import { userActor } from '../../modules/users/api-token.service.ts'
import type { UserRecord } from '../../modules/users/user.record.ts'
import { UserBody, UserPatch } from '../../modules/users/user.schemas.ts'
import { userNotFound, type UserService } from '../../modules/users/user.service.ts'
import type { SettingsService } from '../../modules/settings/settings.service.ts'
import { idOr404 } from '../../shared/ids.ts'
import { MAX_PER_PAGE } from '../../shared/pagination.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { idOrText, numberOrText } from '../form-values.ts'
import { Fragment, h, type Html } from '../html.ts'
import { Choices, CsrfField, ErrorSummary, Facts, Field, Page, Pager } from '../layout.tsx'
import { consolePage, noticeOf, pageOf, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'
import { DeleteQuestion } from './delete-question.tsx'

export interface UserPagesDeps {
  readonly users: UserService
  readonly organisations: OrganisationService
  readonly teams: TeamService
  readonly apiTokens: ApiTokenService
  readonly settings: SettingsService
  /** Where browsers reach the service (PORTAL_PUBLIC_URL): invitation links start with it. */
  readonly publicUrl: string
}

const SECTION = '/console/users'
const USER_FIELDS = ['Email', 'First', 'Last', 'Role', 'Active', 'OrganisationID', 'Teams']
// The first page of each, as the API pages them: enough to choose from.
const CHOICES_PAGE = { limit: MAX_PER_PAGE, offset: 0 }
const FILTERS = { all: 'All users', waiting: 'Waiting for approval (inactive)' } as const
type Filter = keyof typeof FILTERS

export const ROLE_WORDS: Readonly<Record<Role, { readonly label: string; readonly hint: string }>> = {
  'super-admin': { label: 'Super admin', hint: 'Administers the whole portal: an admin user, in no organisation and no team.' },
  'provider-admin': { label: 'Provider admin', hint: 'Administers the portal\'s APIs: an admin user, in no organisation and no team.' },
  'consumer-admin': { label: 'Consumer admin', hint: 'A developer who manages the apps and team members of their organisation.' },
  'consumer-team-member': { label: 'Consumer team member', hint: 'A developer in the teams of their organisation (the default role).' }
}

/** Organisations and their teams, the choices of a user form. */
interface Choosable { readonly organisations: readonly OrganisationRecord[]; readonly teams: readonly TeamRecord[] }

/** A person as the console names them: their name, else their email, else their ID. */
export function personName (user: MemberRecord): string {
  const name = `${user.first} ${user.last}`.trim()
  return name !== '' ? name : user.email !== '' ? user.email : `User ${user.id}`
}

export function userPages ({ users, organisations, teams, apiTokens, settings, publicUrl }: UserPagesDeps): ConsolePage[] {
  const userId = (ctx: PageContext) => idOr404(ctx.params.user_id ?? '', userNotFound)
  const choosable = async (): Promise<Choosable> => {
    const all = await organisations.list(CHOICES_PAGE)
    return { organisations: all, teams: (await Promise.all(all.map(async (organisation) => await teams.list(organisation.id, CHOICES_PAGE)))).flat() }
  }
  const form = async (ctx: PageContext, user: UserRecord | undefined, values: UserValues, messages: readonly string[]) =>
    userForm(ctx, user, values, messages, await choosable())
  const detail = async (ctx: PageContext, id: number, messages: readonly string[]) =>
    userDetail(ctx, await users.get(id), await apiTokens.find(id), messages)

  return [
    consolePage('GET', '/users', async (ctx) => {
      const filter = filterOf(ctx.query.state)
      const { page, perPage, query } = pageOf(ctx)
      const list = await users.list(query, filter === 'waiting' ? false : undefined)
      const names = new Map((await organisations.list(CHOICES_PAGE)).map((organisation) => [organisation.id, organisation.name]))
      return (
        <Page title='Users' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
          <p>Admin users run the portal; developers (consumer admins and team members) belong to an organisation and its teams, and see the catalogues shown to their teams. People sign in through the identity provider; a user here is who they are in the portal.</p>
          <div class='actions'>
            <a class='button' href='/console/users/new'>Add a user</a>
            <a class='button secondary' href='/console/users/invite'>Invite a developer</a>
          </div>
          <nav aria-label='Which users' class='pager'>
            {(Object.keys(FILTERS) as Filter[]).map((value) => value === filter
              ? <strong aria-current='page'>{FILTERS[value]}</strong>
              : <a href={`/console/users?state=${value}`}>{FILTERS[value]}</a>)}
          </nav>
          {list.length === 0 && page === 1
            ? <p>{filter === 'waiting' ? 'Nobody is waiting for approval.' : 'No user yet.'}</p>
            : <UserTable ctx={ctx} list={list} organisationNames={names} />}
          <Pager base={`/console/users?state=${filter}`} page={page} hasNext={list.length === perPage} />
        </Page>
      )
    }),

    consolePage('GET', '/users/new', async (ctx) => await form(ctx, undefined, { ...EMPTY, Active: true }, [])),

    consolePage('POST', '/users/new', async (ctx) => {
      const values = userValuesOf(ctx.form)
      return await showingErrors(async () => {
        const created = await users.create(ctx.validated(UserBody, userBody(values, true)), { actor: ctx.actor })
        return { redirect: `/console/users/${created.id}`, notice: 'created' }
      }, async (messages) => await form(ctx, undefined, values, messages))
    }),

    consolePage('GET', '/users/invite', async (ctx) => inviteForm(ctx, EMPTY, [], await organisations.list(CHOICES_PAGE))),

    consolePage('POST', '/users/invite', async (ctx) => {
      const values = userValuesOf(ctx.form)
      return await showingErrors(async () => {
        const { Active: _active, Teams: _teams, ...body } = userBody(values, true)
        const invited = await users.invite(ctx.validated(UserBody, body), { actor: ctx.actor })
        return invitedPage(ctx, invited.user, invitationLink(publicUrl, invited.code), invited.expiresAt, await settings.signUpPolicy())
      }, async (messages) => inviteForm(ctx, values, messages, await organisations.list(CHOICES_PAGE)))
    }),

    consolePage('GET', '/users/:user_id', async (ctx) => await detail(ctx, userId(ctx), [])),

    consolePage('GET', '/users/:user_id/edit', async (ctx) => {
      const user = await users.get(userId(ctx))
      return await form(ctx, user, userValues(user), [])
    }),

    consolePage('POST', '/users/:user_id/edit', async (ctx) => {
      const id = userId(ctx)
      const values = userValuesOf(ctx.form)
      return await showingErrors(async () => {
        await users.update(id, ctx.validated(UserPatch, userBody(values, false)), { actor: ctx.actor })
        return { redirect: `/console/users/${id}`, notice: 'saved' }
      }, async (messages) => await form(ctx, await users.get(id), values, messages))
    }),

    consolePage('POST', '/users/:user_id/activate', async (ctx) => {
      const id = userId(ctx)
      return await showingErrors(async () => {
        await users.update(id, { Active: true }, { actor: ctx.actor })
        return { redirect: ctx.form.get('back') === 'waiting' ? '/console/users?state=waiting' : `/console/users/${id}`, notice: 'activated' }
      }, async (messages) => await detail(ctx, id, messages))
    }),

    consolePage('GET', '/users/:user_id/delete', async (ctx) => {
      const id = userId(ctx)
      return deletePage(ctx, await users.get(id), await users.countApps(id), [])
    }),

    consolePage('POST', '/users/:user_id/delete', async (ctx) => {
      const id = userId(ctx)
      return await showingErrors(async () => {
        await users.remove(id, ctx.form.get('force') === 'true', { actor: ctx.actor })
        return { redirect: '/console/users', notice: 'deleted' }
      }, async (messages) => deletePage(ctx, await users.get(id), await users.countApps(id), messages))
    }),

    // The token is on this answer only: never in a URL, never stored (only its SHA-256).
    consolePage('POST', '/users/:user_id/api-token', async (ctx) => {
      const id = userId(ctx)
      return await showingErrors(async () => {
        const { token, record } = await apiTokens.create(id, ctx.actor)
        return tokenPage(ctx, await users.get(id), token, record, publicUrl)
      }, async (messages) => await detail(ctx, id, messages))
    }),

    consolePage('GET', '/users/:user_id/api-token/revoke', async (ctx) => {
      const id = userId(ctx)
      return revokePage(ctx, await users.get(id), [])
    }),

    consolePage('POST', '/users/:user_id/api-token/revoke', async (ctx) => {
      const id = userId(ctx)
      return await showingErrors(async () => {
        await apiTokens.revoke(id, ctx.actor)
        return { redirect: `/console/users/${id}`, notice: 'revoked' }
      }, async (messages) => revokePage(ctx, await users.get(id), messages))
    })
  ]
}

function filterOf (raw: string | undefined): Filter {
  if (raw === undefined) return 'all'
  if (Object.hasOwn(FILTERS, raw)) return raw as Filter
  throw new AppError('malformed_request', `query parameter state must be one of ${Object.keys(FILTERS).join(', ')}, got ${show(raw)}`)
}

/** The portal's invitation page (the developer portal's route) with the code: the IdP's sign-up form, pre-filled. */
export function invitationLink (publicUrl: string, code: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/portal/invitation?code=${encodeURIComponent(code)}`
}

function UserTable ({ ctx, list, organisationNames }: { readonly ctx: PageContext; readonly list: readonly MemberRecord[]; readonly organisationNames: ReadonlyMap<number, string> }): Html {
  return (
    <table>
      <thead><tr><th scope='col'>Name</th><th scope='col'>Email</th><th scope='col'>Role</th><th scope='col'>Organisation</th><th scope='col'>Active</th></tr></thead>
      <tbody>
        {list.map((user) => (
          <tr>
            <td><a href={`/console/users/${user.id}`}>{personName(user)}</a></td>
            <td>{user.email}</td>
            <td>{ROLE_WORDS[user.role].label}</td>
            <td>{user.organisationId === 0 ? 'none (admin user)' : organisationNames.get(user.organisationId) ?? `organisation ${user.organisationId}`}</td>
            <td>
              {user.active ? 'yes' : 'no'}
              {user.active
                ? null
                : (
                  <form method='post' action={`/console/users/${user.id}/activate`} class='inline'>
                    <CsrfField session={ctx.session} />
                    <input type='hidden' name='back' value={ctx.query.state === 'waiting' ? 'waiting' : 'all'} />
                    <button type='submit' class='secondary' aria-label={`Activate ${personName(user)}`}>Activate</button>
                  </form>
                  )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function userDetail (ctx: PageContext, user: UserRecord, token: ApiTokenRecord | undefined, messages: readonly string[]): Html {
  const admin = isAdminRole(user.role)
  return (
    <Page title={personName(user)} session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
      <ErrorSummary messages={messages} />
      <Facts rows={[
        ['ID', String(user.id)],
        ['Email', user.email],
        ['Role', `${ROLE_WORDS[user.role].label} (${user.role})`],
        ['Active', user.active ? 'yes: may use the portal' : 'no: cannot use the portal until an admin activates them'],
        ['Organisation', admin ? 'none (admin user)' : <a href={`/console/organisations/${user.organisationId}`}>{user.organisationName}</a>],
        ['Teams', admin ? 'none (admin user)' : user.teams.length === 0 ? 'none' : user.teams.map((team) => team.name).join(', ')],
        ['Signs in with', user.provider],
        ['Created', `${formatTimestamp(user.createdAt)} UTC`],
        ['Last change', `${formatTimestamp(user.updatedAt)} UTC`]
      ]}
      />
      <div class='actions'>
        {user.active
          ? null
          : (
            <form method='post' action={`/console/users/${user.id}/activate`}>
              <CsrfField session={ctx.session} />
              <button type='submit'>Activate</button>
            </form>
            )}
        <a class='button secondary' href={`/console/users/${user.id}/edit`}>Edit</a>
        <a class='button secondary' href={`/console/users/${user.id}/delete`}>Delete…</a>
      </div>
      {admin || token !== undefined ? <ApiTokenSection ctx={ctx} user={user} token={token} /> : null}
    </Page>
  )
}

/** Tyk gives each admin user an access token for /portal-api; here it is made, replaced and revoked. */
function ApiTokenSection ({ ctx, user, token }: { readonly ctx: PageContext; readonly user: UserRecord; readonly token: ApiTokenRecord | undefined }): Html {
  const admin = isAdminRole(user.role)
  return (
    <Fragment>
      <h2>API token</h2>
      <p>An admin user's own token for <code>/portal-api</code>: changes made with it are recorded in the audit log as <code>{userActor(user.email)}</code>. It works while the user is active and an admin user.</p>
      {token === undefined
        ? <p>No API token.</p>
        : <p>A token created {formatTimestamp(token.createdAt)} UTC by <code>{token.createdBy}</code>{admin ? '' : `; it is refused while the user's role is ${user.role}`}.</p>}
      <div class='actions'>
        {admin
          ? (
            <form method='post' action={`/console/users/${user.id}/api-token`}>
              <CsrfField session={ctx.session} />
              <button type='submit' class={token === undefined ? undefined : 'secondary'}>{token === undefined ? 'Create an API token' : 'Replace the API token'}</button>
            </form>
            )
          : null}
        {token === undefined ? null : <a class='button secondary' href={`/console/users/${user.id}/api-token/revoke`}>Revoke the API token…</a>}
      </div>
      {token !== undefined && admin ? <p class='hint'>Replacing makes a new token and stops the current one at once.</p> : null}
    </Fragment>
  )
}

function tokenPage (ctx: PageContext, user: UserRecord, token: string, record: ApiTokenRecord, publicUrl: string): Html {
  return (
    <Page title={`API token of ${personName(user)}`} session={ctx.session} section={SECTION} notice='The API token is created.'>
      <div class='secret-once'>
        <p><strong>Copy the API token now: it will not be shown again.</strong> Only its SHA-256 is kept.</p>
        <p class='secret'><code id='api-token'>{token}</code></p>
        <button type='button' class='copy' data-copy='api-token'>Copy</button>
        <span id='api-token-copied' role='status' />
      </div>
      <p>Send it in the <code>Authorization</code> header of every <code>/portal-api</code> call, as Tyk's admin tokens are sent:</p>
      <pre><code>curl -s {publicUrl.replace(/\/+$/, '')}/portal-api/users -H "Authorization: $TOKEN"</code></pre>
      <p>It acts as <code>{userActor(user.email)}</code> (created {formatTimestamp(record.createdAt)} UTC) until it is revoked or replaced, or the user is deactivated, deleted or no longer an admin user.</p>
      <p><a href={`/console/users/${user.id}`}>Back to {personName(user)}</a></p>
    </Page>
  )
}

function revokePage (ctx: PageContext, user: UserRecord, messages: readonly string[]): Html {
  return (
    <Page title={`Revoke the API token of ${personName(user)}?`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} />
      <p>Every script or tool that uses this token gets 401 from the next call on. A new token can be created afterwards; it will be another value.</p>
      <form method='post' action={`/console/users/${user.id}/api-token/revoke`}>
        <CsrfField session={ctx.session} />
        <button type='submit' class='danger'>Revoke the API token</button>
        <a href={`/console/users/${user.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

function deletePage (ctx: PageContext, user: UserRecord, apps: number, messages: readonly string[]): Html {
  return (
    <DeleteQuestion
      ctx={ctx} what='user' name={personName(user)} section={SECTION} messages={messages}
      action={`/console/users/${user.id}/delete`} back={`/console/users/${user.id}`}
      choices={
        <Choices
          name='force' legend='If the identity provider fails to delete a client of their apps' multiple={false} selected={['false']}
          options={[
            { value: 'false', label: 'Do not delete the user', hint: 'The user and their remaining apps stay, and the page says what failed.' },
            { value: 'true', label: 'Delete the user anyway (force)', hint: 'The clients the identity provider did not delete are retried by the reconciler, or listed under IdP operations for an operator.' }
          ]}
        />
      }
    >
      <p>
        This deletes the user {user.email === '' ? '' : `${user.email} `}and the {apps} app{apps === 1 ? '' : 's'} they own.
        {apps === 0 ? '' : ' Each app\'s clients are deleted at the identity provider first: their client IDs and secrets stop working.'}
        {' '}Their account at the identity provider, where they sign in, is not deleted.
      </p>
    </DeleteQuestion>
  )
}

/** What the user form shows: the text as typed, or the stored user. */
interface UserValues {
  readonly Email: string
  readonly First: string
  readonly Last: string
  readonly Role: string
  readonly Active: boolean
  readonly OrganisationID: string
  /** Team IDs. */
  readonly Teams: readonly string[]
}

const EMPTY: UserValues = { Email: '', First: '', Last: '', Role: 'consumer-team-member', Active: false, OrganisationID: '', Teams: [] }

function userValues (user: UserRecord): UserValues {
  return {
    Email: user.email,
    First: user.first,
    Last: user.last,
    Role: user.role,
    Active: user.active,
    OrganisationID: String(user.organisationId),
    Teams: user.teams.map((team) => String(team.id))
  }
}

function userValuesOf (form: URLSearchParams): UserValues {
  return {
    Email: form.get('Email') ?? '',
    First: form.get('First') ?? '',
    Last: form.get('Last') ?? '',
    Role: form.get('Role') ?? '',
    Active: form.get('Active') === 'true',
    OrganisationID: form.get('OrganisationID') ?? '',
    Teams: form.getAll('Teams')
  }
}

/**
 * The API body a user form makes. Creating with no team checked leaves Teams out (the organisation's
 * default team, as the API does); editing sends exactly the teams checked.
 */
function userBody (values: UserValues, creating: boolean): Record<string, unknown> {
  return {
    Email: values.Email,
    First: values.First,
    Last: values.Last,
    Role: values.Role,
    Active: values.Active,
    ...(values.OrganisationID === '' ? {} : { OrganisationID: numberOrText(values.OrganisationID) }),
    ...(creating && values.Teams.length === 0 ? {} : { Teams: values.Teams.map(idOrText) })
  }
}

function organisationOptions (organisations: readonly OrganisationRecord[]) {
  return organisations.map((organisation) => ({ value: String(organisation.id), label: organisation.name, ...(organisation.isDefault ? { hint: 'where developers go unless told otherwise' } : {}) }))
}

function userForm (ctx: PageContext, user: UserRecord | undefined, values: UserValues, messages: readonly string[], choosable: Choosable): Html {
  const names = new Map(choosable.organisations.map((organisation) => [organisation.id, organisation.name]))
  const defaultOrganisation = choosable.organisations.find((organisation) => organisation.isDefault)
  const organisation = values.OrganisationID !== '' ? values.OrganisationID : String(defaultOrganisation?.id ?? '')
  return (
    <Page title={user === undefined ? 'Add a user' : `Edit ${personName(user)}`} session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={USER_FIELDS} />
      <form method='post' action={user === undefined ? '/console/users/new' : `/console/users/${user.id}/edit`} novalidate>
        <CsrfField session={ctx.session} />
        <UserIdentityFields values={values} messages={messages} />
        <RoleChoices roles={ROLES} selected={values.Role} messages={messages} />
        <Choices
          name='Active' legend='Access' multiple selected={values.Active ? ['true'] : []} errors={messages}
          options={[{ value: 'true', label: 'Active', hint: 'May use the portal. Under "approval required", new developers wait here, inactive, until an admin activates them.' }]}
        />
        <Choices
          name='OrganisationID' legend='Organisation' multiple={false} selected={[organisation]} errors={messages}
          hint='A developer belongs to one organisation; admin users belong to none.'
          options={[{ value: '0', label: 'None (admin users)', hint: 'For a developer, none means the Default Organisation.' }, ...organisationOptions(choosable.organisations)]}
        />
        <Choices
          name='Teams' legend='Teams' multiple selected={values.Teams} errors={messages}
          hint={user === undefined
            ? 'Teams of the user\'s organisation decide which private catalogues they see. None checked: the organisation\'s default team. Admin users are in no team.'
            : 'Teams of the user\'s organisation decide which private catalogues they see. None checked: in no team. Admin users are in no team.'}
          options={choosable.teams.map((team) => ({ value: String(team.id), label: team.name, group: names.get(team.organisationId) ?? `Organisation ${team.organisationId}`, ...(team.isDefault ? { hint: 'the organisation\'s default team' } : {}) }))}
        />
        <button type='submit'>{user === undefined ? 'Add the user' : 'Save'}</button>
        <a href={user === undefined ? '/console/users' : `/console/users/${user.id}`}>Cancel</a>
      </form>
    </Page>
  )
}

function RoleChoices ({ roles, selected, messages }: { readonly roles: readonly Role[]; readonly selected: string; readonly messages: readonly string[] }): Html {
  return (
    <Choices
      name='Role' legend='Role' multiple={false} selected={[selected]} errors={messages}
      options={roles.map((role) => ({ value: role, label: ROLE_WORDS[role].label, hint: ROLE_WORDS[role].hint }))}
    />
  )
}

function UserIdentityFields ({ values, messages }: { readonly values: UserValues; readonly messages: readonly string[] }): Html {
  return (
    <Fragment>
      <Field name='Email' label='Email' required maxlength={254} value={values.Email} errors={messages} autocomplete='off' hint='Unique, ignoring case. The person signs in at the identity provider with an account of this email.' />
      <Field name='First' label='First name' maxlength={255} value={values.First} errors={messages} />
      <Field name='Last' label='Last name' maxlength={255} value={values.Last} errors={messages} />
    </Fragment>
  )
}

function inviteForm (ctx: PageContext, values: UserValues, messages: readonly string[], organisations: readonly OrganisationRecord[]): Html {
  const defaultOrganisation = organisations.find((organisation) => organisation.isDefault)
  return (
    <Page title='Invite a developer' session={ctx.session} section={SECTION}>
      <ErrorSummary messages={messages} fields={USER_FIELDS} />
      <p>Creates the developer as an active user (the invitation is your approval) and an invitation link for their email. They open the link, create their account at the identity provider with that email, and use the portal at once. The link is valid for 7 days and works once.</p>
      <form method='post' action='/console/users/invite' novalidate>
        <CsrfField session={ctx.session} />
        <UserIdentityFields values={values} messages={messages} />
        <RoleChoices roles={ROLES.filter((role) => !isAdminRole(role))} selected={values.Role} messages={messages} />
        <Choices
          name='OrganisationID' legend='Organisation' multiple={false} errors={messages} hint='They join its default team.'
          selected={[values.OrganisationID !== '' ? values.OrganisationID : String(defaultOrganisation?.id ?? '')]}
          options={organisationOptions(organisations)}
        />
        <button type='submit'>Invite</button>
        <a href='/console/users'>Cancel</a>
      </form>
    </Page>
  )
}

const POLICY_NOTE = {
  open: 'Sign-up is open: they could also sign up without the link; with it, their account gets this email and this user.',
  approval: 'Sign-up needs approval: with this link they need none, as their user is already active.',
  invitation: 'Sign-up is by invitation only: this link is the only way for them to create an account.'
} as const

function invitedPage (ctx: PageContext, user: UserRecord, link: string, expiresAt: string, policy: keyof typeof POLICY_NOTE): Html {
  return (
    <Page title={`Invitation for ${user.email}`} session={ctx.session} section={SECTION} notice='The developer is invited.'>
      <p>The user <a href={`/console/users/${user.id}`}>{personName(user)}</a> is created, active, in {user.organisationName}.</p>
      <div class='secret-once'>
        <p><strong>Copy the invitation link now: it will not be shown again.</strong> Send it to {user.email} yourself, over a channel you trust.</p>
        <p class='secret'><code id='invitation-link'>{link}</code></p>
        <button type='button' class='copy' data-copy='invitation-link'>Copy</button>
        <span id='invitation-link-copied' role='status' />
      </div>
      <p>It works once, until {formatTimestamp(expiresAt)} UTC, and only for an account with the email {user.email}. {POLICY_NOTE[policy]}</p>
      <p><a href='/console/users'>Back to the users</a></p>
    </Page>
  )
}
