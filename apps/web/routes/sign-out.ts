import type { Hono } from 'hono';
import { endAppSession } from '../auth/end-session.ts';
import type { AppEnv, WebDeps } from '../context.ts';
import { clearCookie } from '../middleware/cookies.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { signOutPage } from '../views/sign-out-page.ts';

/** GET /sign-out: the two choices, explained. Nothing is destroyed by a GET. */
export function signOutPageRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/sign-out', requireSignIn(), function showSignOut(c) {
    return render(c, 'Sign out', 'sign-out', signOutPage({ csrf: c.get('session')!.data.csrf, idpHost: new URL(deps.config.instance).host }));
  });
  // Old links and prefetchers may GET the POST endpoints: show the page instead of acting.
  app.get('/auth/sign-out/*', (c) => c.redirect('/sign-out', 302));
}

/** POST /auth/sign-out/local: ends this browser's app session (the user's cached tokens with their
 * last session); other browsers stay signed in and the IdP session remains (SSO). */
export function signOutLocalRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.post('/auth/sign-out/local', csrfProtection({ baseUrl: deps.config.baseUrl }), async function signOutLocally(c) {
    const session = c.get('session');
    if (session) await endAppSession(deps, session, 'local');
    clearCookie(c, deps.cookies, deps.cookies.session);
    return c.redirect(session ? '/?signedOut=local' : '/', 303);
  });
}
