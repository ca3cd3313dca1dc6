import type { Hono } from 'hono';
import type { AppEnv, WebDeps } from '../context.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { signOutPage } from '../views/sign-out-page.ts';

/**
 * GET /sign-out: the two choices, explained. Nothing is destroyed by a GET: the forms post to
 * entrakit/web's sign-out routes (this browser, or everywhere through the identity provider).
 */
export function signOutPageRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/sign-out', requireSignIn(), function showSignOut(c) {
    return render(c, 'Sign out', 'sign-out', signOutPage({ csrf: c.get('session')!.data.csrf, idpHost: new URL(deps.config.instance).host }));
  });
}
