import type { Hono } from 'hono';
import { endAppSession, endEverySession } from '../auth/end-session.ts';
import type { AppEnv, LoadedSession, WebDeps } from '../context.ts';
import { clearCookie } from '../middleware/cookies.ts';
import { csrfProtection } from '../middleware/csrf.ts';

/** Returned by the identity provider to post_logout_redirect_uri; the home page shows a notice for it. */
export const SIGNED_OUT_STATE = 'signed-out-everywhere';

/**
 * POST /auth/sign-out/global: ends every app session of the user and their cached tokens, then sends the browser to
 * the identity provider's end_session_endpoint, which ends its SSO session, notifies the other
 * apps (front-channel logout) and returns to the registered post_logout_redirect_uri.
 */
export function signOutGlobalRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.post('/auth/sign-out/global', csrfProtection({ baseUrl: deps.config.baseUrl }), async function signOutEverywhere(c) {
    const session = c.get('session');
    if (!session) return c.redirect('/', 303);
    const idTokenHint = await currentIdToken(deps, session);
    await endAppSession(deps, session, 'global');
    // Everywhere means every browser of this user too, and their cached tokens.
    const others = await endEverySession(deps, session.data.homeAccountId);
    deps.logger.info({ event: 'sign-out.everywhere', otherSessions: others }, 'every session of the user ended');
    clearCookie(c, deps.cookies, deps.cookies.session);

    const endSession = (await deps.provider.metadata()).end_session_endpoint;
    if (!endSession) return c.redirect('/?signedOut=local', 303);
    const url = new URL(endSession);
    // Must equal a registered URI exactly, so the "signed out" notice travels in state instead.
    url.searchParams.set('post_logout_redirect_uri', deps.config.postLogoutRedirectUri);
    url.searchParams.set('state', SIGNED_OUT_STATE);
    if (idTokenHint) url.searchParams.set('id_token_hint', idTokenHint);
    else url.searchParams.set('client_id', deps.config.clientId);
    const loginHint = session.data.idToken.claims['login_hint'];
    if (typeof loginHint === 'string') url.searchParams.set('logout_hint', loginHint);
    return c.redirect(url.toString(), 303);
  });
}

/** The raw ID token from the user's cache (no network), for id_token_hint; undefined when unavailable. */
async function currentIdToken(deps: WebDeps, session: LoadedSession): Promise<string | undefined> {
  try {
    const client = await deps.msal.forUser(session.data.homeAccountId);
    const account = await client.getTokenCache().getAccountByHomeId(session.data.homeAccountId);
    return account?.idToken || undefined;
  } catch {
    return undefined;
  }
}
