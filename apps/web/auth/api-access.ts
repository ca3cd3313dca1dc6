import { isEntrakitError } from 'entrakit';
import type { AuthenticationResult } from '@azure/msal-node';
import type { LoadedSession, WebDeps } from '../context.ts';
import { userAccessToken } from './user-tokens.ts';

export type ApiAccess =
  | { kind: 'token'; result: AuthenticationResult }
  /** The user has not consented to the API yet: send them through /authorize once. */
  | { kind: 'consent'; redirect: string }
  | { kind: 'problem'; message: string; detail?: string };

/**
 * A token for the API scope, silently; or where to send the user for consent. A session that
 * already asked for the API scope is not sent round again (no consent loop).
 */
export async function apiAccess(deps: WebDeps, session: LoadedSession, returnTo: string): Promise<ApiAccess> {
  const { apiScope } = deps.config;
  if (!apiScope) return { kind: 'problem', message: 'API_SCOPE is not configured, so the app cannot ask for a token for the API.' };
  try {
    return { kind: 'token', result: await userAccessToken(deps, session, [apiScope]) };
  } catch (error) {
    if (!isEntrakitError(error, 'INTERACTION_REQUIRED')) throw error;
    const askedForApi = session.data.scopes.includes(apiScope);
    // The refresh token is revoked or expired: sign in again (silently when the IdP session
    // exists), asking for the API again when this session's sign-in did.
    if (error.details?.['reason'] === 'grant') {
      return { kind: 'consent', redirect: `/auth/sign-in?${askedForApi ? 'consent=api&' : ''}returnTo=${encodeURIComponent(returnTo)}` };
    }
    // This session came from a sign-in that asked for the API already: do not loop through /authorize.
    if (askedForApi) {
      return { kind: 'problem', message: 'The identity provider still requires interaction for the API scope after consent was asked for.', detail: error.message };
    }
    return { kind: 'consent', redirect: `/auth/sign-in?consent=api&returnTo=${encodeURIComponent(returnTo)}` };
  }
}

/** The raw ID token from the user's MSAL cache (no network); undefined when there is none. */
export async function cachedIdToken(deps: Pick<WebDeps, 'msal'>, session: LoadedSession): Promise<string | undefined> {
  const client = await deps.msal.forUser(session.data.homeAccountId);
  const account = await client.getTokenCache().getAccountByHomeId(session.data.homeAccountId);
  return account?.idToken || undefined;
}
