// The developer portal's use cases (issue 13 item 3): what a signed-in developer sees and changes, through
// the same services as /portal-api. Every call names the developer and checks ownership first (Tyk's roles:
// their own apps; a consumer-admin's, their organisation's too): another's app, request or credential
// answers the 404 of an unknown id, so that ids are not confirmed.
import { AppError, show } from '../../errors.ts'
import type { Actor } from '../../shared/actor.ts'
import type { Page } from '../../shared/pagination.ts'
import type { WriteContext } from '../../shared/precondition.ts'
import type { AccessRequestService } from '../access-requests/access-request.service.ts'
import type { ProvisionInput } from '../access-requests/access-request.schemas.ts'
import type { AppOwner } from '../apps/app.repository.ts'
import type { AppRecord, AppWithAccessRequests } from '../apps/app.record.ts'
import type { AccessRequestWithCredentials } from '../apps/app-access-request.record.ts'
import type { AppInput, AppPatch } from '../apps/app.schemas.ts'
import type { AppService } from '../apps/app.service.ts'
import type { CatalogueRecord, CatalogueWithContents } from '../catalogues/catalogue.record.ts'
import type { CatalogueService } from '../catalogues/catalogue.service.ts'
import type { CredentialRecord, Rotation } from '../credentials/credential.record.ts'
import type { CredentialService } from '../credentials/credential.service.ts'
import type { RotationMode } from '../credentials/idp-client.service.ts'
import type { ClientTypeRecord } from '../oauth-providers/client-type.record.ts'
import type { ClientTypeService } from '../oauth-providers/client-type.service.ts'
import type { PlanRecord } from '../plans/plan.record.ts'
import type { PlanService } from '../plans/plan.service.ts'
import type { ProductRecord } from '../products/product.record.ts'
import type { ProductService } from '../products/product.service.ts'
import type { UserRecord } from '../users/user.record.ts'
import type { UserService } from '../users/user.service.ts'

/** A signed-in developer: the portal user they sign in as. */
export type Developer = UserRecord

/** A product as the catalogue shows it: with the client types it offers (DCR products). */
export interface OfferedProduct {
  readonly product: ProductRecord
  readonly clientTypes: readonly ClientTypeRecord[]
}

/** A catalogue as a developer sees it: its products and plans. */
export interface VisibleCatalogue {
  readonly catalogue: CatalogueRecord
  readonly products: readonly OfferedProduct[]
  readonly plans: readonly PlanRecord[]
}

/** What a developer may ask for: the products and plans of the catalogues they see, each once. */
export interface RequestChoices {
  readonly products: readonly OfferedProduct[]
  readonly plans: readonly PlanRecord[]
}

export interface DeveloperServiceDeps {
  readonly apps: AppService
  readonly accessRequests: AccessRequestService
  readonly credentials: CredentialService
  readonly catalogues: CatalogueService
  readonly products: ProductService
  readonly plans: PlanService
  readonly clientTypes: ClientTypeService
  readonly users: UserService
}

export class DeveloperService {
  constructor (private readonly deps: DeveloperServiceDeps) {}

  /** The catalogues the developer's teams see, a page of them, with their products, plans and client types. */
  async catalogues (developer: Developer, page: Page): Promise<VisibleCatalogue[]> {
    const visible: VisibleCatalogue[] = []
    for (const catalogue of await this.deps.catalogues.listVisibleTo(teamsOf(developer), page)) visible.push(await this.contents(catalogue))
    return visible
  }

  /** Every product and plan of the catalogues the developer sees, each once, in ID order. */
  async requestChoices (developer: Developer): Promise<RequestChoices> {
    const catalogues = await this.deps.catalogues.listVisibleTo(teamsOf(developer))
    const ids = (pick: (catalogue: CatalogueWithContents) => ReadonlyArray<{ readonly id: number }>) =>
      [...new Set(catalogues.flatMap((catalogue) => pick(catalogue).map((item) => item.id)))].sort((a, b) => a - b)
    const products: OfferedProduct[] = []
    for (const id of ids((catalogue) => catalogue.products)) products.push(await this.offered(await this.deps.products.get(id)))
    const plans: PlanRecord[] = []
    for (const id of ids((catalogue) => catalogue.plans)) plans.push(await this.deps.plans.get(id))
    return { products, plans }
  }

  async apps (developer: Developer, page: Page): Promise<AppRecord[]> {
    return await this.deps.apps.listOwnedBy(ownerOf(developer), page)
  }

  /** The app, with its requests and credentials; 404 unless the developer may see it. */
  async app (developer: Developer, appId: number): Promise<AppWithAccessRequests> {
    return await this.deps.apps.getOwnedBy(appId, ownerOf(developer))
  }

  /** Who owns each of these apps (a consumer-admin sees their organisation's): their email, by user ID. */
  async ownerEmails (apps: readonly AppRecord[]): Promise<ReadonlyMap<number, string>> {
    const emails = new Map<number, string>()
    for (const userId of new Set(apps.map((app) => app.userId))) emails.set(userId, (await this.deps.users.get(userId)).email)
    return emails
  }

  /** A new app of the developer's own (Tyk's UserID), checked as POST /apps checks it; its visibility is the API's default. */
  async createApp (developer: Developer, input: AppInput, ctx: WriteContext): Promise<AppWithAccessRequests> {
    return await this.deps.apps.create({ ...input, UserID: developer.id, Visibility: undefined }, ctx)
  }

  /** As PUT /apps/{id}, but a developer writes the name, description and redirect URLs only: owner and visibility stay. */
  async updateApp (developer: Developer, appId: number, patch: AppPatch, ctx: WriteContext): Promise<AppWithAccessRequests> {
    await this.app(developer, appId)
    return await this.deps.apps.update(appId, { ...patch, UserID: undefined, Visibility: undefined }, ctx)
  }

  /** As DELETE /apps/{id}: its requests and credentials go, their clients deleted at the IdP first. */
  async removeApp (developer: Developer, appId: number, ctx: WriteContext): Promise<void> {
    await this.app(developer, appId)
    await this.deps.apps.remove(appId, ctx)
  }

  /**
   * PUT /apps/{id}/provision for the developer's app, for a plan and products that one catalogue they
   * see offers together (Tyk: a developer asks for what a catalogue of theirs shows).
   */
  async requestAccess (developer: Developer, appId: number, input: ProvisionInput, actor: Actor): Promise<{ id: number; approved: boolean; newSecret: boolean }> {
    await this.app(developer, appId)
    const catalogues = await this.deps.catalogues.listVisibleTo(teamsOf(developer))
    const offers = (catalogue: CatalogueWithContents, pick: 'products' | 'plans', id: number) => catalogue[pick].some((item) => item.id === id)
    const together = catalogues.some((catalogue) => offers(catalogue, 'plans', input.PlanID) && input.ProductIDs.every((id) => offers(catalogue, 'products', id)))
    if (!together) {
      const problems = [
        ...input.ProductIDs.filter((id) => !catalogues.some((catalogue) => offers(catalogue, 'products', id))).map((id) => `ProductIDs: product ${id} is in none of the catalogues you can see`),
        ...(catalogues.some((catalogue) => offers(catalogue, 'plans', input.PlanID)) ? [] : [`PlanID ${input.PlanID} is in none of the catalogues you can see`])
      ]
      throw new AppError('invalid_input', problems.length > 0 ? problems : [`PlanID ${input.PlanID} is not offered with products ${show(input.ProductIDs)} in one catalogue: choose a plan of the products' catalogue`])
    }
    return await this.deps.accessRequests.provision(appId, input, actor)
  }

  /** One of the app's access requests, with its credentials; 404 unless the developer may see the app. */
  async accessRequest (developer: Developer, appId: number, requestId: number): Promise<AccessRequestWithCredentials> {
    await this.app(developer, appId)
    return await this.deps.accessRequests.get(requestId, appId)
  }

  async credential (developer: Developer, appId: number, requestId: number, id: number): Promise<CredentialRecord> {
    await this.app(developer, appId)
    return await this.deps.credentials.get(appId, requestId, id)
  }

  async rotationMode (developer: Developer, appId: number, requestId: number, id: number): Promise<RotationMode> {
    await this.app(developer, appId)
    return await this.deps.credentials.rotationMode(appId, requestId, id)
  }

  async rotate (developer: Developer, appId: number, requestId: number, id: number, actor: Actor): Promise<Rotation> {
    await this.app(developer, appId)
    return await this.deps.credentials.rotate(appId, requestId, id, actor)
  }

  /** Deletes the credential and its client at the IdP; answers what happened there. */
  async removeCredential (developer: Developer, appId: number, requestId: number, id: number, actor: Actor): Promise<string> {
    await this.app(developer, appId)
    return await this.deps.credentials.remove(appId, requestId, id, actor)
  }

  /**
   * The API's 404 of a path id that cannot name a row, given the ids before it (the app's own 404 first,
   * as for an app that is not the developer's).
   */
  async notFound (developer: Developer, appId: number, accessRequestId: number | string, id?: string): Promise<AppError> {
    await this.app(developer, appId)
    return await this.deps.credentials.notFound(appId, accessRequestId, id)
  }

  /** The token endpoint of a provider's discovery document (public: any developer may know it). */
  async tokenEndpoint (providerId: number): Promise<string | undefined> {
    return await this.deps.credentials.tokenEndpoint(providerId)
  }

  private async contents (catalogue: CatalogueWithContents): Promise<VisibleCatalogue> {
    const products: OfferedProduct[] = []
    for (const { id } of catalogue.products) products.push(await this.offered(await this.deps.products.get(id)))
    const plans: PlanRecord[] = []
    for (const { id } of catalogue.plans) plans.push(await this.deps.plans.get(id))
    return { catalogue, products, plans }
  }

  /** A product with the client types it offers, for DCR products (the others register no client). */
  private async offered (product: ProductRecord): Promise<OfferedProduct> {
    const clientTypes: ClientTypeRecord[] = []
    if (product.dcrEnabled) for (const type of product.clientTypes) clientTypes.push(await this.deps.clientTypes.get(type.providerId, type.id))
    return { product, clientTypes }
  }
}

/** Tyk's roles: a consumer-admin acts on their organisation's apps, a consumer-team-member on their own. */
function ownerOf (developer: Developer): AppOwner {
  return developer.role === 'consumer-admin' ? { userId: developer.id, organisationId: developer.organisationId } : { userId: developer.id }
}

function teamsOf (developer: Developer): number[] {
  return developer.teams.map((team) => team.id)
}
