/**
 * Claims challenges (learn.microsoft.com/entra/identity-platform/claims-challenge): an API or Graph
 * answers 401 with `WWW-Authenticate: Bearer ..., error="insufficient_claims", claims="<base64>"`
 * when the token lacks an authentication context (step-up) or was issued before a critical event
 * such as revokeSignInSessions (CAE; only for clients that declared CP1). The app first asks
 * entrakit/web silently for a token with those claims (a refresh can satisfy them); when the identity provider needs the
 * user, it sends the browser through /authorize with the claims, then back to the page. Reading a
 * challenge is the library's (entrakit/web), so the app and the library accept the same ones.
 */
import { Buffer } from 'node:buffer';
import { EntrakitError, isEntrakitError } from 'entrakit';
import type { WebContext, WebDeps } from '../context.ts';

/** Thrown by a call whose resource answered with a claims challenge. */
export function claimsChallengeError(resource: string, claims: string): EntrakitError {
  return new EntrakitError('CLAIMS_CHALLENGE', `${resource} asked for more claims (insufficient_claims)`, { status: 401, details: { claims } });
}

/** The user must sign in again with these claims (a second factor, a fresh sign-in after revocation). */
export function stepUpRequired(claims: string): EntrakitError {
  return new EntrakitError('STEP_UP_REQUIRED', 'The identity provider needs the user to satisfy a claims challenge', { status: 401, details: { claims } });
}

/** Where to send the browser: the library's sign-in with the claims, then back to `returnTo`. */
export function stepUpSignInUrl(claims: string, returnTo: string): string {
  const query = new URLSearchParams({ returnTo, claims: Buffer.from(claims, 'utf8').toString('base64url') });
  return `/auth/sign-in?${query}`;
}

/**
 * Runs `call` with the user's token for `scopes`. On CLAIMS_CHALLENGE it asks for a token once more
 * with the claims (MSAL then skips its cache and refreshes, sending them); a second challenge, or
 * an identity provider that needs the user, ends in STEP_UP_REQUIRED, which entrakit/web turns
 * into a sign-in with the claims on a GET.
 */
export async function withClaimsChallenge<T>(deps: Pick<WebDeps, 'entra'>, c: WebContext, scopes: string[], call: (accessToken: string) => Promise<T>): Promise<T> {
  let claims: string;
  try {
    return await call(await deps.entra.getAccessToken(c, scopes));
  } catch (error) {
    if (!isEntrakitError(error, 'CLAIMS_CHALLENGE')) throw error;
    claims = String(error.details?.['claims']);
  }
  let token: string;
  try {
    token = await deps.entra.getAccessToken(c, scopes, { claims });
  } catch (error) {
    if (isEntrakitError(error, 'INTERACTION_REQUIRED')) throw stepUpRequired(claims);
    throw error;
  }
  try {
    return await call(token);
  } catch (error) {
    if (isEntrakitError(error, 'CLAIMS_CHALLENGE')) throw stepUpRequired(claims);
    throw error;
  }
}
