// Who may sign up at the embedded IdP (issue 13 item 2): the policy an admin sets in the console, and
// the invitations it hands out. Shared storage: the console and the users' module write it, the
// embedded IdP reads it (and spends an invitation) when a person creates an account.
import { createHash, randomBytes } from 'node:crypto'
import type { Db } from './database.ts'
import type { InvitationRow } from './tables/invitation.table.ts'

export const SIGN_UP_POLICIES = ['open', 'approval', 'invitation'] as const
/** open: anyone signs up and may use the portal at once; approval: anyone signs up, an admin activates them; invitation: only with an admin's invitation. */
export type SignUpPolicy = (typeof SIGN_UP_POLICIES)[number]
const POLICY_KEY = 'developer_sign_up'

export async function readSignUpPolicy (db: Db): Promise<SignUpPolicy> {
  const row = await db.selectFrom('portal_meta').select('value').where('key', '=', POLICY_KEY).executeTakeFirst()
  return SIGN_UP_POLICIES.find((policy) => policy === row?.value) ?? 'open'
}

export async function writeSignUpPolicy (db: Db, policy: SignUpPolicy): Promise<void> {
  await db.insertInto('portal_meta').values({ key: POLICY_KEY, value: policy })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: policy })).execute()
}

/** A new invitation for `email`; answers its code, which only its holder ever sees again. */
export async function createInvitation (db: Db, invitation: { readonly email: string; readonly createdBy: string; readonly now: Date; readonly days: number }): Promise<string> {
  const code = randomBytes(24).toString('base64url')
  await db.insertInto('invitations').values({
    code_hash: digest(code),
    email: invitation.email,
    created_by: invitation.createdBy,
    created_at: invitation.now.toISOString(),
    expires_at: new Date(invitation.now.getTime() + invitation.days * 86_400_000).toISOString(),
    used_at: null,
    account_id: null
  }).execute()
  return code
}

/** The unspent, unexpired invitation with this code, else undefined. */
export async function findInvitation (db: Db, code: string, now: Date): Promise<InvitationRow | undefined> {
  return await db.selectFrom('invitations').selectAll()
    .where('code_hash', '=', digest(code)).where('used_at', 'is', null).where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
}

/** Spends the invitation for the account made with it; false when it was spent meanwhile. */
export async function spendInvitation (db: Db, id: number, accountId: string, now: Date): Promise<boolean> {
  const result = await db.updateTable('invitations').set({ used_at: now.toISOString(), account_id: accountId })
    .where('id', '=', id).where('used_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

function digest (code: string): string {
  return createHash('sha256').update(code).digest('hex')
}
