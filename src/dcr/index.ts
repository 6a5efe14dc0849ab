// The DCR engine's public surface (design.md §5): what the next modules import.
export { DcrEngine, type DcrEngineOptions, type RemoveOutcome } from './engine.ts'
export { Discovery, expectedIssuers, type DiscoveryOptions, type ProviderMetadata } from './discovery.ts'
export { HttpGate, type GateRequest, type GateResponse, type HttpGateOptions, type HttpMethod } from './http-gate.ts'
export { cannotSucceedOnRetry, IdpError, safeUrl, type IdpFailureStage } from './idp-error.ts'
export { DRIVERS } from './drivers/index.ts'
export { findCorrelationTag, isMachineOnly, MACHINE_CLIENT_REDIRECT_URI, tagClientName } from './metadata.ts'
export type * from './driver.ts'
