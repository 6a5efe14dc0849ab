// The question page before a deletion (docs/console.md: "destructive actions behind a confirmation that
// states the consequence in words"): what follows, then one button, with the ETag the page was made from.
import { h, type Child, type Html } from '../html.ts'
import { CsrfField, ErrorSummary, Page } from '../layout.tsx'
import { etagField, type PageContext } from '../console.plugin.tsx'

export interface DeleteQuestionProps {
  readonly ctx: PageContext
  /** What is deleted, e.g. "product": the button says "Delete the product". */
  readonly what: string
  readonly name: string
  readonly section: string
  /** Where the form posts, and where Cancel leads. */
  readonly action: string
  readonly back: string
  /** The resource as the API shows it (its ETag: a change made meanwhile answers 412); absent where the API takes no If-Match. */
  readonly representation?: unknown
  /** A refused deletion: the API's messages. */
  readonly messages: readonly string[]
  /** A question the deletion needs answered inside the form (Tyk's `force`, in words). */
  readonly choices?: Child
  /** The consequences, in words. */
  readonly children?: Child
}

export function DeleteQuestion (props: DeleteQuestionProps): Html {
  return (
    <Page title={`Delete ${props.name}?`} session={props.ctx.session} section={props.section}>
      <ErrorSummary messages={props.messages} />
      {props.children}
      <form method='post' action={props.action}>
        <CsrfField session={props.ctx.session} />
        {props.representation === undefined ? null : etagField(props.representation)}
        {props.choices}
        <button type='submit' class='danger'>Delete the {props.what}</button>
        <a href={props.back}>Cancel</a>
      </form>
    </Page>
  )
}
