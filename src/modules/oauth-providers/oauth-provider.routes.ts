import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { writeContext } from '../../http/concurrency.ts'
import { ForceQuery, IdpCallErrors, isGoTrue, PageQuery, ProviderIdParam, StatusBody, errorResponses } from '../../http/schemas.ts'
import { idOr404 } from '../../shared/ids.ts'
import { parsePage } from '../../shared/pagination.ts'
import {
  ProviderBody, ProviderElem, ProviderPatch, ProviderShow, VerificationReport, VerifyQuery, toProviderElem, toProviderShow, toVerificationReport
} from './oauth-provider.schemas.ts'
import { providerNotFound, type OAuthProviderService } from './oauth-provider.service.ts'
import type { ProviderVerification } from './provider-verification.ts'

const tags = ['OAuth2.0 providers']
const params = Type.Object({ provider_id: ProviderIdParam })
/** The path's provider id; one that cannot name a row answers the same 404 as an unknown one. */
const providerId = (params: { provider_id: string }) => idOr404(params.provider_id, providerNotFound)

export function oauthProviderRoutes (providers: OAuthProviderService, verification: ProviderVerification): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/oauth-providers', {
      schema: { operationId: 'list-oauth-providers', tags, querystring: PageQuery, response: { 200: Type.Array(ProviderElem) } }
    }, async (request) => (await providers.list(parsePage(request.query))).map(toProviderElem))

    app.post('/oauth-providers', {
      schema: { operationId: 'create-oauth-provider', tags, body: ProviderBody, response: { 200: ProviderElem, ...errorResponses(409) } },
      // A new provider's GET shows ClientTypes: [], and the ETag is always that of the GET representation.
      config: { etag: (elem: ProviderElem) => ({ ...elem, ClientTypes: [] }), idempotent: true }
    }, async (request) => toProviderElem(await providers.create(request.body, writeContext(request))))

    // Our extension: connect the embedded IdP as a provider with its client types (design.md §6); idempotent.
    app.post('/oauth-providers/embedded', {
      schema: {
        operationId: 'connect-embedded-oauth-provider',
        tags,
        summary: 'Connect the embedded IdP: provider "Embedded IdP" and its client types "Machine to machine" and "Web application"; a second call answers the same provider',
        response: { 200: ProviderShow, ...errorResponses(404, 409) }
      },
      config: { etag: true }
    }, async (request) => toProviderShow(await providers.connectEmbedded(writeContext(request))))

    app.get('/oauth-providers/:provider_id', {
      schema: { operationId: 'get-oauth-provider', tags, params, response: { 200: ProviderShow } },
      config: { etag: true }
    }, async (request) => toProviderShow(await providers.get(providerId(request.params))))

    app.put('/oauth-providers/:provider_id', {
      schema: { operationId: 'update-oauth-provider', tags, params, body: ProviderPatch, response: { 200: ProviderShow, ...errorResponses(409) } },
      config: { etag: true, ifMatch: true }
    }, async (request) => toProviderShow(await providers.update(providerId(request.params), request.body, writeContext(request, toProviderShow))))

    app.delete('/oauth-providers/:provider_id', {
      schema: { operationId: 'delete-oauth-provider', tags, params, querystring: ForceQuery, response: { 200: StatusBody, ...IdpCallErrors } },
      config: { ifMatch: true }
    }, async (request) => {
      await providers.remove(providerId(request.params), isGoTrue(request.query.force), writeContext(request, toProviderShow))
      return { status: 'ok' }
    })

    // Our extension: contact the IdP and report whether it is usable for DCR (design.md §2).
    app.post('/oauth-providers/:provider_id/verify', {
      schema: {
        operationId: 'verify-oauth-provider',
        tags,
        summary: 'Check discovery, issuer, registration endpoint, client types and (with ?canary=true) a real registration',
        params,
        querystring: VerifyQuery,
        response: { 200: VerificationReport }
      }
    }, async (request) => toVerificationReport(await verification.verify(providerId(request.params), isGoTrue(request.query.canary))))
  }
}
