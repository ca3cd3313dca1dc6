import { Buffer } from 'node:buffer';
import { EntrakitError } from '../core/errors.ts';
import { formatBearerChallenge } from '../core/http-problem.ts';
import type { Principal } from '../core/tokens/principal.ts';
import { AUTH_CONTEXT_ID } from '../core/auth-context-id.ts';


function checkId(fn: string, authContext: unknown): string {
  if (typeof authContext !== 'string' || !AUTH_CONTEXT_ID.test(authContext)) {
    throw new TypeError(`${fn}: "authContext" must be an Entra authentication context id, c1 to c99`);
  }
  return authContext;
}

/**
 * The base64 claims request Entra expects for an authentication context:
 * `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`. The client passes it (decoded)
 * as `claims` when it asks for a new token.
 */
export function authContextClaims(authContext: string): string {
  const id = checkId('authContextClaims', authContext);
  return Buffer.from(JSON.stringify({ access_token: { acrs: { essential: true, value: id } } }), 'utf8').toString('base64');
}

/**
 * Step-up check for any framework: passes when the verified token's `acrs` names `authContext`,
 * else throws BEARER_AUTH_CONTEXT_REQUIRED (401 insufficient_claims) whose `httpProblem` answer is
 * Entra's claims challenge. Call it after the token and its scopes were checked.
 */
export function requireAuthContext(principal: Principal, authContext: string, options: { authorizationUri?: string } = {}): void {
  const id = checkId('requireAuthContext', authContext);
  if (principal.authContexts.includes(id)) return;
  throw new EntrakitError('BEARER_AUTH_CONTEXT_REQUIRED', `This resource requires the authentication context ${id}; acquire a new token with the claims challenge`, {
    challenge: { claims: authContextClaims(id), ...(options.authorizationUri ? { authorizationUri: options.authorizationUri } : {}) },
  });
}

/**
 * The WWW-Authenticate value of a claims challenge, as Entra-protected APIs send it:
 * `Bearer realm="...", authorization_uri="...", error="insufficient_claims", claims="..."`.
 */
export function claimsChallenge(options: { realm: string; authContext: string; authorizationUri?: string }): string {
  return formatBearerChallenge(options.realm, {
    ...(options.authorizationUri ? { authorizationUri: options.authorizationUri } : {}),
    error: 'insufficient_claims',
    claims: authContextClaims(options.authContext),
  });
}
