// Settings (issue 13 item 2, admin side): who may sign up as a developer at the embedded IdP, each
// policy explained in words; a change is audited as the setting it is.
import { SIGN_UP_POLICIES, type SignUpPolicy } from '../../db/sign-up.ts'
import { SignUpPolicyBody } from '../../modules/settings/settings.schemas.ts'
import type { SettingsService } from '../../modules/settings/settings.service.ts'
import { h, type Html } from '../html.ts'
import { Choices, CsrfField, ErrorSummary, Page } from '../layout.tsx'
import { consolePage, noticeOf, showingErrors, type ConsolePage, type PageContext } from '../console.plugin.tsx'

export interface SettingsPagesDeps {
  readonly settings: SettingsService
}

const SECTION = '/console/settings'

const POLICY_WORDS: Readonly<Record<SignUpPolicy, { readonly label: string; readonly hint: string }>> = {
  open: {
    label: 'Open',
    hint: 'Anyone can create an account on the sign-in page and use the developer portal at once.'
  },
  approval: {
    label: 'Approval required',
    hint: 'Anyone can create an account, then waits, inactive, until an admin activates them under Users, "Waiting for approval".'
  },
  invitation: {
    label: 'By invitation only',
    hint: 'The sign-in page offers no sign-up. A person needs an invitation link from an admin (Users, "Invite a developer"): valid 7 days, used once, for one email.'
  }
}

export function settingsPages ({ settings }: SettingsPagesDeps): ConsolePage[] {
  return [
    consolePage('GET', '/settings', async (ctx) => settingsPage(ctx, await settings.signUpPolicy(), [])),

    consolePage('POST', '/settings', async (ctx) => {
      const chosen = ctx.form.get('DeveloperSignUp') ?? ''
      return await showingErrors(async () => {
        await settings.setSignUpPolicy(ctx.validated(SignUpPolicyBody, { DeveloperSignUp: chosen }), { actor: ctx.actor })
        return { redirect: '/console/settings', notice: 'saved' }
      }, (messages) => settingsPage(ctx, chosen, messages))
    })
  ]
}

function settingsPage (ctx: PageContext, policy: string, messages: readonly string[]): Html {
  return (
    <Page title='Settings' session={ctx.session} section={SECTION} notice={noticeOf(ctx.query)}>
      <ErrorSummary messages={messages} fields={['DeveloperSignUp']} />
      <form method='post' action='/console/settings' novalidate>
        <CsrfField session={ctx.session} />
        <Choices
          name='DeveloperSignUp' legend='Developer sign-up' multiple={false} selected={[policy]} errors={messages}
          hint='Who may create a developer account at the embedded identity provider. A change applies to the next sign-up; accounts that exist stay as they are.'
          options={SIGN_UP_POLICIES.map((value) => ({ value, label: POLICY_WORDS[value].label, hint: POLICY_WORDS[value].hint }))}
        />
        <button type='submit'>Save</button>
      </form>
    </Page>
  )
}
