/**
 * `entrakit/bearer`: protect an API with Entra access tokens. The framework-free check is the
 * authenticator itself (`await authenticate(request, requirement)`); framework adapters live in
 * `entrakit/bearer/hono`, `entrakit/bearer/express` and `entrakit/bearer/fastify`, so none of
 * those frameworks is needed to import this entry.
 */
export { createBearerAuthenticator } from './authenticate.ts';
export type { BearerAuthenticator, BearerAuthenticatorOptions } from './authenticate.ts';
export type { BearerFailure } from './failure-reporter.ts';
export { parseBearerPolicy, parseRouteRequirement } from './bearer-policy.ts';
export { checkRequiredClaims } from './requirements.ts';
export type { BearerPolicy, BearerPolicyInput, RequiredClaim, RouteRequirement } from './bearer-policy.ts';
export { authContextClaims, claimsChallenge, requireAuthContext } from './auth-context.ts';
export { policyFromApimXml } from './apim-policy.ts';
export { authorizationFromRawHeaders } from './read-bearer-token.ts';
export { httpProblem, formatBearerChallenge } from '../core/http-problem.ts';
export type { HttpProblem, HttpProblemOptions } from '../core/http-problem.ts';
export { BearerAuthError, bearerProblem } from './problem.ts';
export type { BearerProblem } from './problem.ts';
export type { Principal } from '../core/tokens/principal.ts';
export type { LibraryError } from '../core/errors.ts';
