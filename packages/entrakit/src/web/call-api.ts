/**
 * Calls an API (Graph or the app's own) with the user's token and follows a claims challenge:
 * first a silent retry with the claims (a refresh can satisfy a CAE challenge), then STEP_UP_REQUIRED,
 * which the adapters turn into a sign-in with those claims and back to the page. Each send waits
 * out throttling as the settings allow (throttling.ts).
 */
import { EntrakitError, isEntrakitError } from '../core/errors.ts';
import { acquireUserToken } from './access-token.ts';
import { readClaimsChallenge } from './claims-request.ts';
import type { LoadedSession, WebCore } from './core.ts';
import { withThrottlingRetries } from './throttling.ts';

export async function callApi(core: WebCore, session: LoadedSession, url: string, scopes: string[], init: RequestInit = {}): Promise<Response> {
  const deps = { msal: core.msal, refreshLock: core.stores.refreshLock, events: core.events };
  const send = (token: string): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return withThrottlingRetries(core, url, init, () => core.settings.fetch(url, { ...init, headers }));
  };
  const first = await send((await acquireUserToken(deps, session.data.homeAccountId, scopes)).accessToken);
  const claims = readClaimsChallenge(first);
  if (claims === undefined) return first;
  const resource = new URL(url).host;
  let token: string;
  try {
    token = (await acquireUserToken(deps, session.data.homeAccountId, scopes, claims)).accessToken;
  } catch (error) {
    if (!isEntrakitError(error, 'INTERACTION_REQUIRED')) throw error;
    core.events.emit('claims-challenge', { homeAccountId: session.data.homeAccountId, resource, claims, resolved: 'sign-in' });
    throw stepUpRequired(claims, 'interaction-required');
  }
  const second = await send(token);
  if (readClaimsChallenge(second) !== undefined) {
    core.events.emit('claims-challenge', { homeAccountId: session.data.homeAccountId, resource, claims, resolved: 'sign-in' });
    throw stepUpRequired(claims, 'challenged-again');
  }
  core.events.emit('claims-challenge', { homeAccountId: session.data.homeAccountId, resource, claims, resolved: 'silently' });
  return second;
}

/**
 * `reason`: the silent refresh with the claims needed the user ('interaction-required', e.g. its
 * refresh token was revoked), or its new token was challenged again ('challenged-again').
 */
export function stepUpRequired(claims: string, reason: 'interaction-required' | 'challenged-again'): EntrakitError {
  return new EntrakitError('STEP_UP_REQUIRED', 'The identity provider needs the user to satisfy a claims challenge', { details: { claims, reason } });
}
