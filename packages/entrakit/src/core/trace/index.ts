export type { SignInTrace, TraceActor, TraceField, TraceStep } from './types.ts';
export { describeJwt, prefixOnly, redactField, redactFields, redactUrl } from './redact.ts';
export { recordingNetworkClient } from './recording-network-client.ts';
export type { RecordingOptions } from './recording-network-client.ts';
