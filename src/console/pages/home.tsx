// The console's first page: what needs an admin now, in a few lines, each with the page that acts on it.
import { h } from '../html.ts'
import { NAV, Page } from '../layout.tsx'
import { consolePage, noticeOf, type ConsolePage } from '../console.plugin.tsx'

const WHAT_FOR: Readonly<Record<string, string>> = {
  '/console/providers': 'Connect identity providers, verify them, and define their client types.',
  '/console/products': 'Decide which products register clients (DCR), with which scopes and client types.',
  '/console/plans': 'Plans: the JWT scope they grant and whether requests are approved at once.',
  '/console/apps': 'Consumers\' apps, their credentials (rotate, delete).',
  '/console/access-requests': 'The queue of requests waiting for an answer: approve or reject.',
  '/console/users': 'Admin users and developers: activate those waiting for approval, invite developers, admins\' API tokens.',
  '/console/organisations': 'Developers\' organisations and their teams.',
  '/console/catalogues': 'What developers see: products and plans, public or for chosen teams.',
  '/console/settings': 'Who may sign up as a developer.',
  '/console/idp-operations': 'What the reconciler could not finish at an identity provider, and how to resolve it.',
  '/console/audit': 'Who changed what, and when.',
  '/console/api': 'The /portal-api reference (OpenAPI).'
}

export function homePages (): ConsolePage[] {
  return [
    consolePage('GET', '/', async (ctx) => (
      <Page title='Portal console' session={ctx.session} notice={noticeOf(ctx.query)}>
        <ul class='overview'>
          {NAV.map((entry) => <li><a href={entry.href}>{entry.label}</a>: {WHAT_FOR[entry.href] ?? ''}</li>)}
        </ul>
      </Page>
    ))
  ]
}
