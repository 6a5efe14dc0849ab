// What an operator sees of the saga (issue 5): our extension, not Tyk's.
import { Type, type Static } from 'typebox'
import { Id, StringEnum } from '../../http/schemas.ts'
import { formatTimestamp } from '../../shared/time.ts'
import type { IdpOperations } from './idp-operation.record.ts'

export const Registration = Type.Object({
  ID: Id,
  ProviderID: Type.Integer(),
  AppID: Type.Integer({ description: '0 for a verification canary (POST /oauth-providers/{id}/verify?canary=true)' }),
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

export function toIdpOperationList (operations: IdpOperations): IdpOperationList {
  return {
    Registrations: operations.registrations.map((registration) => ({
      ID: registration.id,
      ProviderID: registration.providerId,
      AppID: registration.appId,
      ClientTypeID: registration.clientTypeId,
      CorrelationTag: registration.correlationTag,
      State: registration.state,
      LastError: registration.lastError ?? '',
      CreatedAt: formatTimestamp(registration.createdAt)
    })),
    Deletions: operations.deletions.map((deletion) => ({
      ID: deletion.id,
      ProviderID: deletion.providerId,
      ClientID: deletion.clientId,
      Reason: deletion.reason,
      Attempts: deletion.attempts,
      NextAttemptAt: deletion.nextAttemptAt === null ? '' : formatTimestamp(deletion.nextAttemptAt),
      LastError: deletion.lastError ?? '',
      CreatedAt: formatTimestamp(deletion.createdAt)
    }))
  }
}
