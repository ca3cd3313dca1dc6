export type { SignInTrace, TraceActor, TraceField, TraceStep } from './types.ts';
export { describeJwt, prefixOnly, redactField, redactFields, redactUrl } from './redact.ts';
export { recordingNetworkClient } from './recording-network-client.ts';
export type { RecordingOptions } from './recording-network-client.ts';
export { childTraceparent, formatTraceparent, newTraceparent, parseTraceparent, traceIdAsGuid } from './trace-context.ts';
export type { TraceParent } from './trace-context.ts';
