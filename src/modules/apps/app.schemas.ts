// The app contract (tyk-portal-api.md §5.4; Client-basic, Client-show, Client-index).
import { Type, type Static } from 'typebox'
import { Id, Ignored, StringEnum, Timestamp } from '../../http/schemas.ts'
import { formatTimestamp } from '../../shared/time.ts'
import { AppAccessRequest, toAppAccessRequest } from './app-access-request.schemas.ts'
import type { AppRecord, AppWithAccessRequests } from './app.record.ts'
import { VISIBILITIES } from './app.values.ts'

export const AppIdParam = Type.String({ description: 'UID of this application (integer)', examples: ['1'] })

export const AppBody = Type.Object({
  Name: Type.String({ minLength: 1, maxLength: 255, examples: ['Payment App'] }),
  Description: Type.Optional(Type.String({ maxLength: 4096 })),
  RedirectURLs: Type.Optional(Type.String({
    maxLength: 65536,
    description: 'comma-separated; each absolute, without fragment or user info: https, http on 127.0.0.1/[::1]/localhost, or a reverse-domain scheme (com.example.app:/cb)',
    examples: ['https://app-host/auth']
  })),
  UserID: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, description: 'the user owning this application (0: none)' })),
  Visibility: Type.Optional(StringEnum(VISIBILITIES, { description: 'default organisation' })),
  ID: Ignored(),
  CreatedAt: Ignored(),
  UpdatedAt: Ignored(),
  AccessRequests: Ignored()
}, { additionalProperties: false })
export type AppInput = Static<typeof AppBody>
/** PUT: the same fields, none required (decoded onto the stored app, as Tyk's handler does). */
export const AppPatch = Type.Partial(AppBody, { additionalProperties: false })
export type AppPatch = Static<typeof AppPatch>

export const AppElem = Type.Object({
  ID: Id,
  Name: Type.String(),
  Description: Type.String(),
  RedirectURLs: Type.String({ examples: ['https://app-host/auth'] }),
  UserID: Type.Integer(),
  Visibility: StringEnum(VISIBILITIES),
  CreatedAt: Timestamp
}, { additionalProperties: false })
export type AppElem = Static<typeof AppElem>

export const AppShow = Type.Object({
  ...AppElem.properties,
  AccessRequests: Type.Array(AppAccessRequest, { description: 'the access requests of this application, with their credentials' })
}, { additionalProperties: false })
export type AppShow = Static<typeof AppShow>

export function toAppElem (app: AppRecord): AppElem {
  return {
    ID: app.id,
    Name: app.name,
    Description: app.description,
    RedirectURLs: app.redirectUrls.join(','),
    UserID: app.userId,
    Visibility: app.visibility,
    CreatedAt: formatTimestamp(app.createdAt)
  }
}

export function toAppShow (app: AppWithAccessRequests): AppShow {
  return { ...toAppElem(app), AccessRequests: app.accessRequests.map(toAppAccessRequest) }
}
