/**
 * entrakit's core: Entra-aware token validation and claim explanations, OIDC discovery with a JWKS
 * cache, and the error type every entrakit failure uses. Protected APIs import
 * `entrakit/bearer`, session and token-cache storage is `entrakit/store`, and the sign-in building
 * blocks for web apps are `entrakit/web`.
 */
export { EntrakitError, isEntrakitError, isLibraryError } from './core/errors.ts';
export type { AppErrorOptions, ChallengeParams, LibraryError, LibraryErrorOptions } from './core/errors.ts';
export { ERROR_CODES, errorCodeEntry, isLibraryErrorCode } from './core/codes.ts';
export type { EntrakitErrorCode, ErrorCodeEntry, OAuthErrorCode, TokenErrorCode } from './core/codes.ts';
export { formatBearerChallenge, httpProblem } from './core/http-problem.ts';
export type { HttpProblem, HttpProblemOptions } from './core/http-problem.ts';
export * from './core/tokens/index.ts';
export * from './core/discovery/index.ts';
export { trustCaCertificate } from './core/trust-ca.ts';
export { isMicrosoftLoginHost } from './core/entra-hosts.ts';
export { GUID } from './core/guid.ts';
