/**
 * An access token for the signed-in user from their encrypted MSAL cache. A cached token is served
 * at once, without the lock. A refresh runs under the user's refresh lock (in-process and in the
 * shared store), so concurrent requests of one user, in one or several browsers and instances,
 * redeem the refresh token once: the others wait, then find the new token in the cache. (Under
 * refresh-token rotation with reuse detection a second redemption would revoke the sign-in.)
 */
import { randomUUID } from 'node:crypto';
import { AuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import type { AuthenticationResult } from '@azure/msal-node';
import { EntrakitError, isEntrakitError } from '../core/errors.ts';
import type { KeyedLock } from '../store/keyed-lock.ts';
import type { EventHub } from './events.ts';
import type { MsalClient, MsalClients } from './msal-clients.ts';

export interface TokenDeps {
  msal: MsalClients;
  refreshLock: KeyedLock;
  events: EventHub;
}

/**
 * INTERACTION_REQUIRED (401) when the user must go through /authorize again (details.reason:
 * 'grant' when the refresh token is gone or refused, 'consent' when the identity provider wants
 * a prompt); IDP_UNAVAILABLE (503) when the token endpoint is unreachable, too slow or answers a
 * 5xx (details.error: 'network_error', 'timeout' or the OAuth error; the session is unchanged).
 */
export async function acquireUserToken(deps: TokenDeps, homeAccountId: string, scopes: string[], claims?: string): Promise<AuthenticationResult> {
  // A claims request needs a new token: MSAL skips its cache and refreshes, sending the claims.
  if (claims === undefined) {
    const probe = await deps.msal.forUserCacheOnly(homeAccountId);
    try {
      return await acquire(probe.client, homeAccountId, scopes);
    } catch (error) {
      if (!probe.neededNetwork()) throw error;
    }
  }
  return deps.refreshLock.run(homeAccountId, async () => {
    // Under the lock, the cache first: the request that held it before may have refreshed already.
    if (claims === undefined) {
      const probe = await deps.msal.forUserCacheOnly(homeAccountId);
      try {
        return await acquire(probe.client, homeAccountId, scopes);
      } catch (error) {
        if (!probe.neededNetwork()) throw error;
      }
    }
    // Sent as client-request-id: the refresh's 'http-call' event and the identity provider's log carry it too.
    const correlationId = randomUUID();
    const result = await acquire(await deps.msal.forUser(homeAccountId), homeAccountId, scopes, claims, correlationId);
    deps.events.emit('token-refreshed', { homeAccountId, scopes, withClaims: claims !== undefined, correlationId });
    return result;
  });
}

async function acquire(client: MsalClient, homeAccountId: string, scopes: string[], claims?: string, correlationId?: string): Promise<AuthenticationResult> {
  const account = await client.getTokenCache().getAccountByHomeId(homeAccountId);
  if (!account) throw interactionRequired(scopes, 'grant', 'The token cache has no account for this session');
  try {
    const result = await client.acquireTokenSilent({ account, scopes, ...(claims !== undefined ? { claims } : {}), ...(correlationId ? { correlationId } : {}) });
    if (!result?.accessToken) throw interactionRequired(scopes, 'grant', 'MSAL returned no access token');
    return result;
  } catch (error) {
    throw tokenError(error, scopes);
  }
}

function tokenError(error: unknown, scopes: string[]): EntrakitError {
  // The token endpoint could not be reached or did not answer in time (MSAL wraps the network
  // client's IDP_UNREACHABLE as its network_error): the user is still signed in, not sent to sign-in.
  if (isEntrakitError(error, 'IDP_UNREACHABLE') || (error instanceof AuthError && !(error instanceof ServerError) && error.errorCode === 'network_error')) {
    const timeout = isEntrakitError(error) ? error.details?.['timeout'] === true : /did not answer in time/.test(error instanceof Error ? error.message : '');
    return new EntrakitError('IDP_UNAVAILABLE', `The identity provider's token endpoint ${timeout ? 'did not answer in time' : 'could not be reached'}`, {
      cause: error,
      details: { error: timeout ? 'timeout' : 'network_error' },
    });
  }
  if (isEntrakitError(error)) return error;
  if (error instanceof InteractionRequiredAuthError) {
    const consent = error.errorCode === 'consent_required' || error.subError === 'consent_required';
    const grant = !consent && ['invalid_grant', 'no_tokens_found', 'refresh_token_expired', 'bad_token'].some((code) => code === error.errorCode || code === error.subError);
    return interactionRequired(scopes, grant ? 'grant' : 'consent', `The identity provider requires the user: ${error.errorCode}`);
  }
  // Entra answers a revoked, expired or reused refresh token with invalid_grant.
  if (error instanceof ServerError && error.errorCode === 'invalid_grant') return interactionRequired(scopes, 'grant', 'The refresh token was refused (invalid_grant)');
  if (error instanceof ServerError && ((error.status ?? 0) >= 500 || ['temporarily_unavailable', 'server_error', 'service_unavailable'].includes(error.errorCode))) {
    // Nothing was redeemed: the session and refresh token stay as they are.
    return new EntrakitError('IDP_UNAVAILABLE', `The identity provider's token endpoint answered ${error.errorCode}`, { cause: error, details: { error: error.errorCode } });
  }
  const code = error instanceof ServerError ? error.errorCode : 'unknown';
  return new EntrakitError('TOKEN_ACQUISITION_FAILED', `MSAL could not get an access token (${code})`, { cause: error });
}

function interactionRequired(scopes: string[], reason: 'grant' | 'consent', message: string): EntrakitError {
  return new EntrakitError('INTERACTION_REQUIRED', message, { details: { scopes, reason } });
}
