/**
 * The user's delegated tokens, from entrakit/web (its encrypted cache, single-flight refresh).
 * The learning pages also say whether a call was served from the cache or refreshed: the library's
 * 'token-refreshed' event for this user during the call tells.
 */
import { decodeToken, isEntrakitError } from 'entrakit';
import type { LoadedSession, WebContext, WebDeps } from '../context.ts';

export interface UserToken {
  accessToken: string;
  /** The token's own scopes (its `scp`), for the pages that explain it. */
  scopes: string[];
  fromCache: boolean;
  expiresOn: Date | undefined;
}

export async function userToken(deps: Pick<WebDeps, 'entra'>, c: WebContext, session: LoadedSession, scopes: string[], options: { claims?: string } = {}): Promise<UserToken> {
  let refreshed = false;
  const stop = deps.entra.on('token-refreshed', (event) => {
    if (event.homeAccountId === session.data.homeAccountId) refreshed = true;
  });
  let accessToken: string;
  try {
    accessToken = await deps.entra.getAccessToken(c, scopes, options);
  } finally {
    stop();
  }
  const claims = readClaims(accessToken);
  return {
    accessToken,
    scopes: typeof claims['scp'] === 'string' ? claims['scp'].split(' ') : scopes,
    fromCache: !refreshed,
    expiresOn: typeof claims['exp'] === 'number' ? new Date(claims['exp'] * 1000) : undefined,
  };
}

/** The token's claims for display (it came from the token endpoint over TLS); empty for an opaque token. */
function readClaims(token: string): Record<string, unknown> {
  try {
    return decodeToken(token, { maxTokenBytes: 65_536 }).payload;
  } catch {
    return {};
  }
}

export type ApiAccess =
  | { kind: 'token'; result: UserToken }
  /** The user has not consented to the API yet: send them through /authorize once. */
  | { kind: 'consent'; redirect: string }
  | { kind: 'problem'; message: string; detail?: string };

/** Starts a sign-in that asks for the API scope (Entra takes one resource's scopes per request). */
export const API_SIGN_IN_PATH = '/auth/sign-in/api';

export function apiSignInUrl(returnTo: string): string {
  return `${API_SIGN_IN_PATH}?returnTo=${encodeURIComponent(returnTo)}`;
}

/**
 * A token for the API scope, silently; or where to send the user for consent. A session that
 * already asked for the API scope is not sent round again (no consent loop).
 */
export async function apiAccess(deps: Pick<WebDeps, 'entra' | 'config'>, c: WebContext, session: LoadedSession, returnTo: string): Promise<ApiAccess> {
  const { apiScope } = deps.config;
  if (!apiScope) return { kind: 'problem', message: 'API_SCOPE is not configured, so the app cannot ask for a token for the API.' };
  try {
    return { kind: 'token', result: await userToken(deps, c, session, [apiScope]) };
  } catch (error) {
    if (!isEntrakitError(error, 'INTERACTION_REQUIRED')) throw error;
    const askedForApi = session.data.scopes.includes(apiScope);
    // The refresh token is revoked or expired: sign in again (silently when the IdP session
    // exists), asking for the API again when this session's sign-in did.
    if (error.details?.['reason'] === 'grant') {
      return { kind: 'consent', redirect: askedForApi ? apiSignInUrl(returnTo) : `/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}` };
    }
    // This session came from a sign-in that asked for the API already: do not loop through /authorize.
    if (askedForApi) {
      return { kind: 'problem', message: 'The identity provider still requires interaction for the API scope after consent was asked for.', detail: error.message };
    }
    return { kind: 'consent', redirect: apiSignInUrl(returnTo) };
  }
}
