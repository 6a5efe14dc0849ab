import type http from 'node:http'

/** The parts of the Koa context (oidc-provider is a Koa application) the embedded IdP's middleware uses. */
export interface KoaContext {
  status: number
  body: unknown
  type: string
  readonly ip: string
  readonly method: string
  readonly path: string
  readonly host: string
  readonly req: http.IncomingMessage
  readonly res: http.ServerResponse
  set(header: string, value: string): void
  redirect(url: string): void
  readonly oidc?: {
    readonly route: string
    readonly client: unknown
    readonly entities: { readonly RegistrationAccessToken?: { readonly policies?: unknown; destroy(): Promise<void> } }
  }
}

export type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>
