// What an operator sees of the saga (issue 5): our extension, not Tyk's.
import { Type, type Static } from 'typebox'
import { Id, StringEnum } from '../../http/schemas.ts'

export const Registration = Type.Object({
  ID: Id,
  ProviderID: Type.Integer(),
  AppID: Type.Integer(),
  ClientTypeID: Type.Integer(),
  CorrelationTag: Type.String({ description: 'sent to the IdP in client_name, as "<app name> [<tag>]"' }),
  State: StringEnum(['in_flight', 'unknown']),
  LastError: Type.String(),
  CreatedAt: Type.String()
}, { additionalProperties: false })

export const Deletion = Type.Object({
  ID: Id,
  ProviderID: Type.Integer(),
  ClientID: Type.String(),
  Reason: Type.String(),
  Attempts: Type.Integer(),
  NextAttemptAt: Type.String({ description: '"" when only an operator can resolve it' }),
  LastError: Type.String(),
  CreatedAt: Type.String()
}, { additionalProperties: false })

export const IdpOperationList = Type.Object({ Registrations: Type.Array(Registration), Deletions: Type.Array(Deletion) }, { additionalProperties: false })
export type IdpOperationList = Static<typeof IdpOperationList>

export const IdpOperationIdParams = Type.Object({ operation_id: Type.String({ description: 'UID of this operation (integer)' }) })
