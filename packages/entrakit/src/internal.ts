/**
 * `entrakit/internal`: helpers the entrakit apps and the emulator share with the library. Not a
 * public API (undocumented, no compatibility promise); applications import `entrakit`,
 * `entrakit/bearer`, `entrakit/store` and `entrakit/web`.
 */
export { describeJwt, prefixOnly, redactField, redactFields, redactUrl } from './core/trace/redact.ts';
export type { TraceField } from './core/trace/types.ts';
export { sha256Base64Url, timingSafeStringEqual } from './core/secrets.ts';
export { isPlainObject, parseStoredJson } from './store/json.ts';
export { VerifiedTokenCache, MAX_CACHE_LIFETIME_MS } from './bearer/verified-token-cache.ts';
export type { VerifiedToken } from './bearer/verified-token-cache.ts';
export { GUID } from './core/guid.ts';
export { AUTH_CONTEXT_ID } from './core/auth-context-id.ts';
export { checkRequiredClaims } from './bearer/requirements.ts';
