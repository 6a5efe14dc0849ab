// The portal's settings (issue 13 item 2): the developer sign-up policy the embedded IdP applies, each
// change audited as the setting it is (resource type "setting", ID 1 for the sign-up policy).
import type { Db } from '../../db/database.ts'
import { readSignUpPolicy, writeSignUpPolicy, type SignUpPolicy } from '../../db/sign-up.ts'
import type { Clock } from '../../shared/time.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import { recordAudit } from '../audit/audit.ts'
import type { SignUpPolicyInput } from './settings.schemas.ts'

/** The audit trail's ID of each setting. */
const SIGN_UP_POLICY_SETTING = 1

export interface SettingsServiceDeps {
  readonly db: Db
  readonly now: Clock
}

export class SettingsService {
  constructor (private readonly deps: SettingsServiceDeps) {}

  async signUpPolicy (): Promise<SignUpPolicy> {
    return await readSignUpPolicy(this.deps.db)
  }

  /** Applies to the next sign-up at once; an unchanged policy writes nothing. */
  async setSignUpPolicy (input: SignUpPolicyInput, ctx: WriteContext): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await readSignUpPolicy(trx)
      if (before === input.DeveloperSignUp) return
      await writeSignUpPolicy(trx, input.DeveloperSignUp)
      await recordAudit(trx, {
        actor: ctx.actor, at: this.deps.now(), action: 'update', resourceType: 'setting', resourceId: SIGN_UP_POLICY_SETTING,
        before: { DeveloperSignUp: before }, after: { DeveloperSignUp: input.DeveloperSignUp }
      })
    })
  }
}
