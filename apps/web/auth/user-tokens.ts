import { AuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import type { AuthenticationResult } from '@azure/msal-node';
import { EntrakitError, isEntrakitError } from 'entrakit';
import type { LoadedSession, WebDeps } from '../context.ts';
import type { MsalClient } from '../msal/msal-clients.ts';

/**
 * An access token for the signed-in user from their (encrypted) MSAL cache. A cached token is
 * served at once. A refresh runs under the user's refresh lock (in-process and in the shared
 * store), so concurrent requests of one user, in one or several browsers and app instances,
 * redeem the refresh token once: the others wait, then find the new token in the cache. (With
 * refresh-token rotation, a second redemption of the same token is reuse, which revokes the
 * sign-in at identity providers that detect it.)
 *
 * INTERACTION_REQUIRED means the user must go through /authorize again. details.reason says why:
 * 'grant' (the refresh token is revoked, expired or gone: a plain sign-in fixes it) or 'consent'
 * (the identity provider wants consent, MFA or another prompt for these scopes).
 */
export async function userAccessToken(deps: Pick<WebDeps, 'msal' | 'stores'>, session: LoadedSession, scopes: string[], options: { claims?: string } = {}): Promise<AuthenticationResult> {
  const { homeAccountId } = session.data;
  // A claims request (from a claims challenge) needs a new token: MSAL refreshes, sending the claims.
  if (options.claims !== undefined) {
    const claims = options.claims;
    return deps.stores.refreshLock.run(homeAccountId, async () => acquire(await deps.msal.forUser(homeAccountId), homeAccountId, scopes, claims));
  }
  const probe = await deps.msal.forUserCacheOnly(homeAccountId);
  try {
    return await acquire(probe.client, homeAccountId, scopes);
  } catch (error) {
    if (!probe.neededNetwork()) throw error;
  }
  return deps.stores.refreshLock.run(homeAccountId, async () => acquire(await deps.msal.forUser(homeAccountId), homeAccountId, scopes));
}

async function acquire(client: MsalClient, homeAccountId: string, scopes: string[], claims?: string): Promise<AuthenticationResult> {
  // Read from the store on every call: another request may have refreshed meanwhile.
  const account = await client.getTokenCache().getAccountByHomeId(homeAccountId);
  if (!account) throw interactionRequired(scopes, 'grant', 'The token cache has no account for this session');
  try {
    const result = await client.acquireTokenSilent({ account, scopes, ...(claims !== undefined ? { claims } : {}) });
    if (!result?.accessToken) throw interactionRequired(scopes, 'grant', 'MSAL returned no access token');
    return result;
  } catch (error) {
    if (isEntrakitError(error)) throw error;
    if (error instanceof InteractionRequiredAuthError) {
      const consent = error.errorCode === 'consent_required' || error.subError === 'consent_required';
      const reason = !consent && isGrantProblem(error.errorCode, error.subError) ? 'grant' : 'consent';
      throw interactionRequired(scopes, reason, `The identity provider requires the user: ${error.errorCode}`, error.errorMessage);
    }
    // Entra answers a revoked, expired or reused refresh token with invalid_grant, with or without
    // a suberror; MSAL raises ServerError for it unless the suberror is one it knows.
    if (error instanceof ServerError && error.errorCode === 'invalid_grant') {
      throw interactionRequired(scopes, 'grant', 'The refresh token was refused (invalid_grant)', error.errorMessage);
    }
    // The token endpoint could not be reached at all (connection refused, DNS, TLS): as with a 5xx,
    // nothing was redeemed, so the user is still signed in and must not be sent to sign-in.
    if (error instanceof AuthError && error.errorCode === 'network_error') {
      const why = /error\.message:(.+)$/.exec(error.errorMessage)?.[1]?.trim();
      throw new EntrakitError('IDP_UNAVAILABLE', `The identity provider's token endpoint could not be reached${why && why !== 'undefined' ? ` (${why.slice(0, 300)})` : ''}`, {
        status: 503,
        cause: error,
        details: { error: 'network_error' },
      });
    }
    // The identity provider is down or overloaded: the refresh token is untouched (nothing was
    // redeemed), so the session stays as it is and the same request works once it is back.
    if (error instanceof ServerError && ((error.status ?? 0) >= 500 || error.errorCode === 'temporarily_unavailable' || error.errorCode === 'server_error' || error.errorCode === 'service_unavailable')) {
      // MSAL does not always pass the HTTP status on; the OAuth error code says the same.
      const answered = error.status === undefined ? 'a server error' : `HTTP ${error.status}`;
      throw new EntrakitError('IDP_UNAVAILABLE', `The identity provider's token endpoint answered ${answered} (${error.errorCode})`, {
        status: 503,
        cause: error,
        details: { error: error.errorCode, errorDescription: error.errorMessage },
      });
    }
    if (error instanceof ServerError) {
      throw new EntrakitError('TOKEN_ACQUISITION_FAILED', `The token endpoint answered ${error.errorCode}`, {
        status: 502,
        cause: error,
        details: { error: error.errorCode, errorDescription: error.errorMessage },
      });
    }
    throw new EntrakitError('TOKEN_ACQUISITION_FAILED', 'MSAL could not get an access token', { status: 502, cause: error });
  }
}

/** MSAL's codes for "there is no usable refresh token": the grant, not consent, is the problem. */
function isGrantProblem(errorCode: string, subError: string): boolean {
  return errorCode === 'invalid_grant' || errorCode === 'no_tokens_found' || errorCode === 'refresh_token_expired' || errorCode === 'bad_token' || subError === 'bad_token';
}

function interactionRequired(scopes: string[], reason: 'grant' | 'consent', message: string, errorDescription?: string): EntrakitError {
  return new EntrakitError('INTERACTION_REQUIRED', message, {
    status: 401,
    details: { scopes, reason, ...(errorDescription ? { errorDescription } : {}) },
  });
}
