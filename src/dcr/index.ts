// The DCR engine's public surface (design.md §5): what the next modules import.
export { DcrEngine, type DcrEngineOptions, type RemoveOutcome } from './engine.ts'
export { Discovery, expectedIssuers, type DiscoveryOptions, type ProviderMetadata } from './discovery.ts'
export { HttpGate, type GateRequest, type GateResponse, type HttpGateOptions, type HttpMethod } from './http-gate.ts'
export { IdpError, safeUrl, type IdpFailureStage } from './idp-error.ts'
export { DRIVERS } from './drivers/index.ts'
export { findCorrelationTag, isMachineOnly, tagClientName } from './metadata.ts'
export type * from './driver.ts'
