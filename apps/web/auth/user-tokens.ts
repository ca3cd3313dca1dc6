import { InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import type { AuthenticationResult } from '@azure/msal-node';
import { EntrakitError, isEntrakitError } from 'entrakit';
import type { LoadedSession, WebDeps } from '../context.ts';

/**
 * An access token for the signed-in user from their (encrypted) MSAL cache: MSAL returns a cached
 * token or silently redeems the refresh token. INTERACTION_REQUIRED means the user must go
 * through /authorize again (consent, MFA, expired refresh token, or a wiped cache).
 */
export async function userAccessToken(deps: Pick<WebDeps, 'msal'>, session: LoadedSession, scopes: string[]): Promise<AuthenticationResult> {
  const { homeAccountId } = session.data;
  const client = await deps.msal.forUser(homeAccountId);
  const account = await client.getTokenCache().getAccountByHomeId(homeAccountId);
  if (!account) throw interactionRequired(scopes, 'The token cache has no account for this session');
  try {
    const result = await client.acquireTokenSilent({ account, scopes });
    if (!result?.accessToken) throw interactionRequired(scopes, 'MSAL returned no access token');
    return result;
  } catch (error) {
    if (isEntrakitError(error)) throw error;
    if (error instanceof InteractionRequiredAuthError) {
      throw interactionRequired(scopes, `The identity provider requires the user: ${error.errorCode}`, error.errorMessage);
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

function interactionRequired(scopes: string[], message: string, errorDescription?: string): EntrakitError {
  return new EntrakitError('INTERACTION_REQUIRED', message, {
    status: 401,
    details: { scopes, ...(errorDescription ? { errorDescription } : {}) },
  });
}
