// The portal's settings an admin changes in the console (issue 13 item 2): who may sign up as a developer.
import { Type, type Static } from 'typebox'
import { StringEnum } from '../../http/schemas.ts'
import { SIGN_UP_POLICIES } from '../../db/sign-up.ts'

export const SignUpPolicyBody = Type.Object({
  DeveloperSignUp: StringEnum(SIGN_UP_POLICIES, { description: 'open: anyone signs up and uses the portal at once; approval: an admin activates new users; invitation: only with an admin\'s invitation' })
}, { additionalProperties: false })
export type SignUpPolicyInput = Static<typeof SignUpPolicyBody>
