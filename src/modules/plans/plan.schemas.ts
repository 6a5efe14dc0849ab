// The plan contract (tyk-portal-api.md §5.2; PlanRequest, Plan, PlanSummary, Plan-index).
import { Type, type Static, type TSchema } from 'typebox'
import { Id, IdOrName, Ignored, List } from '../../http/schemas.ts'
import { LooseObject, SafeInteger, SafeNumber, Text, optional } from '../products/pass-through.ts'
import type { PlanRecord } from './plan.record.ts'

export const PlanIdParam = Type.String({ description: 'UID of this plan (integer)', examples: ['1'] })

/** Tyk's rate-limit, quota and descriptive plan fields: stored as given and answered unchanged, no behaviour. */
const PLAN_FIELDS = {
  CID: Text(255, 'portable ID of this plan (Tyk 1.13 custom IDs)'),
  DisplayName: Text(1024, 'display name of the plan'),
  Description: Text(65536, 'description of the plan'),
  KeyExpiresIn: SafeInteger('key expiration time in seconds'),
  MetaData: LooseObject('additional metadata for the plan'),
  Per: SafeNumber('time period for rate limiting in seconds'),
  PlanQuota: SafeInteger('plan quota value'),
  PlanQuotaRenewalRate: SafeInteger('plan quota renewal rate in seconds'),
  Quota: SafeInteger('quota value'),
  QuotaRenewalRate: SafeInteger('quota renewal rate in seconds (-1: never)'),
  RateLimit: SafeNumber('rate limit of the plan'),
  UnlimitedQuota: Type.Boolean({ description: 'the plan has unlimited quota' }),
  UnlimitedRateLimit: Type.Boolean({ description: 'the plan has an unlimited rate limit' }),
  ReferenceID: Text(255, 'UID of this plan in the API provider (policy ID)')
} satisfies Record<string, TSchema>
// ProviderID is required by Tyk but, like the fields above, only stored: it names the API gateway provider.
export const PLAN_FIELD_NAMES = ['ProviderID', ...Object.keys(PLAN_FIELDS)] as ReadonlyArray<'ProviderID' | keyof typeof PLAN_FIELDS>

const OptionalPlanFields = optional(PLAN_FIELDS)
const ProviderID = SafeInteger('the API gateway provider (Tyk Dashboard), not the OAuth2.0 provider', 0)

export const PlanBody = Type.Object({
  Name: Type.String({ minLength: 1, maxLength: 255, examples: ['free_plan'] }),
  ProviderID,
  JWTScope: Type.Optional(Type.String({ maxLength: 4096, description: 'OAuth2.0 scope(s) of the plan, comma or space separated; each unique across products and plans', examples: ['free-plan'] })),
  AutoApproveAccessRequests: Type.Optional(Type.Boolean({ description: 'access requests for this plan are approved at once (default false)' })),
  Catalogues: Type.Optional(List(IdOrName, {
    maxItems: 1000,
    description: 'catalogues offering it: IDs (as Tyk writes and answers them), or their names. Omitted on PUT keeps them; [] removes it from all'
  })),
  ...OptionalPlanFields,
  ID: Ignored(),
  CreatedAt: Ignored(),
  UpdatedAt: Ignored()
}, { additionalProperties: false })
export type PlanInput = Static<typeof PlanBody>
type PlanFields = Partial<Pick<PlanInput, (typeof PLAN_FIELD_NAMES)[number]>> & { ProviderID: number }
/** PUT: the same fields, none required (decoded onto the stored plan, as Tyk's handler does). */
export const PlanPatch = Type.Partial(PlanBody, { additionalProperties: false })
export type PlanPatch = Static<typeof PlanPatch>

/** What a plan answers for a field of Tyk's Plan never written: Go's zero value, as Tyk answers (lists as [], MetaData as {}). */
const PLAN_DEFAULTS = {
  CID: '', DisplayName: '', Description: '', KeyExpiresIn: 0, MetaData: {}, Per: 0, PlanQuota: 0, PlanQuotaRenewalRate: 0,
  Quota: 0, QuotaRenewalRate: 0, RateLimit: 0, UnlimitedQuota: false, UnlimitedRateLimit: false, ReferenceID: ''
} as const satisfies Partial<PlanFields>

export const Plan = Type.Object({
  ID: Id,
  Name: Type.String(),
  ProviderID,
  JWTScope: Type.String({ description: 'canonical: comma-separated', examples: ['free-plan'] }),
  AutoApproveAccessRequests: Type.Boolean(),
  // IDs, as the plan routes' schema (Plan = PlanRequest + ID) types them; Tyk's Plan-show (names) is used by no route.
  Catalogues: Type.Array(Id, { description: 'IDs of the catalogues offering it', examples: [[1]] }),
  ...PLAN_FIELDS
}, { additionalProperties: false })
export type Plan = Static<typeof Plan>

export const PlanSummary = Type.Object({
  ID: Id,
  Name: Type.String(),
  DisplayName: Type.String(),
  AutoApproveAccessRequests: Type.Boolean(),
  RateLimit: Type.Number(),
  Quota: Type.Integer()
}, { additionalProperties: false })
export type PlanSummary = Static<typeof PlanSummary>

export const PlanIndex = Type.Object({ data: Type.Array(PlanSummary) }, { additionalProperties: false, description: 'Tyk Plan-index' })

export function toPlan (plan: PlanRecord): Plan {
  const { ProviderID, ...fields } = plan.passThrough as PlanFields
  return {
    ID: plan.id,
    Name: plan.name,
    ProviderID,
    JWTScope: plan.jwtScopes.join(','),
    AutoApproveAccessRequests: plan.autoApproveAccessRequests,
    Catalogues: plan.catalogues.map((catalogue) => catalogue.id),
    ...PLAN_DEFAULTS,
    ...fields
  }
}

export function toPlanSummary (plan: PlanRecord): PlanSummary {
  const { DisplayName, RateLimit, Quota } = { ...PLAN_DEFAULTS, ...(plan.passThrough as PlanFields) }
  return { ID: plan.id, Name: plan.name, DisplayName, AutoApproveAccessRequests: plan.autoApproveAccessRequests, RateLimit, Quota }
}
