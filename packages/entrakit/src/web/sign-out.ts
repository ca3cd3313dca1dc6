/**
 * POST /auth/sign-out ends this browser's session (the user's cached tokens go with their last
 * session; the identity provider's session stays, so SSO still works). POST
 * /auth/sign-out-everywhere ends every session of the user and their tokens, then sends the browser
 * to the identity provider's end_session_endpoint, which ends its SSO session and notifies the
 * user's other apps (front-channel logout). Both need the CSRF token; a GET never signs out.
 */
import type { LoadedSession, WebCore } from './core.ts';
import { redirect } from './core.ts';
import { clearCookieLine } from './cookies.ts';
import { checkCsrf } from './csrf.ts';
import { endEverySession, endSessionByReference } from './session-end.ts';

export async function signOut(core: WebCore, request: Request, session: LoadedSession | undefined): Promise<Response> {
  await checkCsrf(request, core.settings.baseUrl, session);
  if (session) {
    const reference = core.stores.sessions.reference(session.id);
    if (reference) await endSessionByReference(core, reference, session.data.homeAccountId);
    core.events.emit('signed-out', { oid: session.data.oid, scope: 'browser', sessions: 1 });
  }
  return redirect(core.settings.afterSignOut, [clearCookieLine(core.cookies, core.sessionCookie)], 303);
}

export async function signOutEverywhere(core: WebCore, request: Request, session: LoadedSession | undefined): Promise<Response> {
  await checkCsrf(request, core.settings.baseUrl, session);
  const clear = [clearCookieLine(core.cookies, core.sessionCookie)];
  if (!session) return redirect(core.settings.afterSignOut, clear, 303);
  const idTokenHint = await currentIdToken(core, session.data.homeAccountId);
  const ended = await endEverySession(core, session.data.homeAccountId);
  core.events.emit('signed-out', { oid: session.data.oid, scope: 'everywhere', sessions: ended });
  const endSession = (await core.provider.metadata()).end_session_endpoint;
  if (!endSession) return redirect(core.settings.afterSignOut, clear, 303);
  const url = new URL(endSession);
  // Must equal a registered URI exactly.
  url.searchParams.set('post_logout_redirect_uri', core.settings.postLogoutRedirectUri);
  // That URI cannot carry a notice (it must match exactly): Entra hands `state` back to it.
  if (core.settings.signedOutState) url.searchParams.set('state', core.settings.signedOutState);
  if (idTokenHint) url.searchParams.set('id_token_hint', idTokenHint);
  else url.searchParams.set('client_id', core.settings.clientId);
  const loginHint = session.data.claims['login_hint'];
  if (typeof loginHint === 'string') url.searchParams.set('logout_hint', loginHint);
  return redirect(url.toString(), clear, 303);
}

/** The raw ID token from the user's cache (no network), for id_token_hint. */
async function currentIdToken(core: WebCore, homeAccountId: string): Promise<string | undefined> {
  try {
    const client = await core.msal.forUser(homeAccountId);
    const account = await client.getTokenCache().getAccountByHomeId(homeAccountId);
    return account?.idToken || undefined;
  } catch {
    return undefined;
  }
}
