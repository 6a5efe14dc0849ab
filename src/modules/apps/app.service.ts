import { AppError, show } from '../../errors.ts'
import type { Db } from '../../db/database.ts'
import { idOr404 } from '../../shared/ids.ts'
import type { Page } from '../../shared/pagination.ts'
import type { Actor } from '../../shared/actor.ts'
import { recordAudit, type AuditSnapshot } from '../audit/audit.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import type { ServiceDeps } from '../oauth-providers/oauth-provider.service.ts'
import { deleteApp, findApp, findAppOwnedBy, insertApp, listApps, listAppsOfUser, listAppsOwnedBy, updateApp, type AppOwner } from './app.repository.ts'
import { findUser } from '../users/user.repository.ts'
import { toAppRecord, type AppRecord, type AppWithAccessRequests } from './app.record.ts'
import type { AccessRequestWithCredentials } from './app-access-request.record.ts'
import type { AppInput, AppPatch } from './app.schemas.ts'
import { decodeOnto } from '../../shared/decode-onto.ts'
import type { AppRow } from '../../db/tables/app.table.ts'
import { parseRedirectUrls } from './app.values.ts'

/** 404 for an app id, as a path wrote it or as a number (the same text: ids are plain digits). */
export const appNotFound = (id: string | number) => new AppError('not_found', `Application Not found: app_id ${show(String(id))}`)

/** A path's app id; one that cannot name a row ("0", "abc", "1e3") answers the same 404 as an unknown one. */
export const parseAppId = (raw: string): number => idOr404(raw, appNotFound)

/** The app row, or 404. */
export async function getAppRow (db: Db, id: number): Promise<AppRow> {
  const row = await findApp(db, id)
  if (row === undefined) throw appNotFound(id)
  return row
}

/** What an app holds: shown with it, and released at the IdP before it is deleted. */
export interface AppAccessRequests {
  listOfApp(appId: number): Promise<readonly AccessRequestWithCredentials[]>
  /** `force`: an IdP that fails to delete a client does not stop it (the reconciler or an operator finishes). */
  removeAllOfApp(appId: number, actor: Actor, force?: boolean): Promise<void>
}

export interface AppServiceDeps extends ServiceDeps {
  readonly accessRequests: AppAccessRequests
  readonly snapshot: AuditSnapshot<AppRecord>
}

export class AppService {
  constructor (private readonly deps: AppServiceDeps) {}

  async list (page: Page): Promise<AppRecord[]> {
    return (await listApps(this.deps.db, page)).map(toAppRecord)
  }

  /** The apps a developer may see (Tyk's roles: their own; a consumer-admin's organisation's). */
  async listOwnedBy (owner: AppOwner, page: Page): Promise<AppRecord[]> {
    return (await listAppsOwnedBy(this.deps.db, owner, page)).map(toAppRecord)
  }

  /** The app, when the developer may see it; otherwise the 404 of an unknown id, so that another's ids are not confirmed. */
  async getOwnedBy (id: number, owner: AppOwner): Promise<AppWithAccessRequests> {
    const row = await findAppOwnedBy(this.deps.db, id, owner)
    if (row === undefined) throw appNotFound(id)
    return { ...toAppRecord(row), accessRequests: await this.deps.accessRequests.listOfApp(row.id) }
  }

  async create (input: AppInput, ctx: WriteContext): Promise<AppWithAccessRequests> {
    const fields = validateApp(input)
    const now = this.deps.now().toISOString()
    const app = await this.deps.db.transaction().execute(async (trx) => {
      await checkUser(trx, fields.user_id)
      const created = toAppRecord(await insertApp(trx, { ...fields, created_at: now, updated_at: now }))
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'create', resourceType: 'app', resourceId: created.id, after: this.deps.snapshot(created) })
      return created
    })
    return { ...app, accessRequests: [] }
  }

  async get (id: number): Promise<AppWithAccessRequests> {
    const app = toAppRecord(await getAppRow(this.deps.db, id))
    return { ...app, accessRequests: await this.deps.accessRequests.listOfApp(app.id) }
  }

  /** Tyk PUT: the body decoded onto the stored app (omitted fields keep their values). */
  async update (id: number, patch: AppPatch, ctx: WriteContext): Promise<AppWithAccessRequests> {
    const app = await this.deps.db.transaction().execute(async (trx) => {
      const current = toAppRecord(await getAppRow(trx, id))
      const fields = validateApp(decodeOnto({
        Name: current.name, Description: current.description, RedirectURLs: current.redirectUrls.join(','), UserID: current.userId, Visibility: current.visibility
      }, patch))
      if (fields.user_id !== current.userId) await checkUser(trx, fields.user_id)
      const row = await updateApp(trx, current.id, { ...fields, updated_at: this.deps.now().toISOString() })
      const updated = row === undefined ? current : toAppRecord(row)
      await recordAudit(trx, {
        actor: ctx.actor, at: this.deps.now(), action: 'update', resourceType: 'app', resourceId: current.id, before: this.deps.snapshot(current), after: this.deps.snapshot(updated)
      })
      return updated
    })
    return { ...app, accessRequests: await this.deps.accessRequests.listOfApp(app.id) }
  }

  /** Deletes the app, all its access requests and credentials, and their clients at the IdP (Tyk §5.4). */
  async remove (id: number, ctx: WriteContext, force = false): Promise<void> {
    await getAppRow(this.deps.db, id)
    await this.deps.accessRequests.removeAllOfApp(id, ctx.actor, force)
    await this.deps.db.transaction().execute(async (trx) => {
      const current = toAppRecord(await getAppRow(trx, id))
      await deleteApp(trx, id)
      await recordAudit(trx, { actor: ctx.actor, at: this.deps.now(), action: 'delete', resourceType: 'app', resourceId: id, before: this.deps.snapshot(current) })
    })
  }

  /** Tyk deletes a user with all their apps: each as DELETE /apps/{id} does, `force` as the user's ?force=true. */
  async removeAllOfUser (userId: number, actor: Actor, force: boolean): Promise<void> {
    for (const app of await listAppsOfUser(this.deps.db, userId)) await this.remove(app.id, { actor }, force)
  }
}

/** An app belongs to a user (Tyk's UserID): one that exists, or 0 for none. */
async function checkUser (db: Db, userId: number): Promise<void> {
  if (userId !== 0 && await findUser(db, userId) === undefined) throw new AppError('invalid_input', `UserID ${userId} is not the ID of a user`)
}

function validateApp (input: Pick<AppInput, 'Name' | 'Description' | 'RedirectURLs' | 'UserID' | 'Visibility'>) {
  const problems: string[] = []
  if (input.Name.trim() === '') problems.push(`Name must not be blank, got ${show(input.Name)}`)
  const redirectUrls = parseRedirectUrls(input.RedirectURLs ?? '', problems)
  if (problems.length > 0) throw new AppError('invalid_input', problems)
  return {
    name: input.Name,
    description: input.Description ?? '',
    redirect_urls: redirectUrls.join(','),
    user_id: input.UserID ?? 0,
    visibility: input.Visibility ?? 'organisation'
  }
}
