import type { Hono } from 'hono';
import type { AppEnv, WebDeps } from '../context.ts';
import { idpSessionFacts } from '../idp/session-facts.ts';
import { homePage } from '../views/home-page.ts';
import { render } from '../views/render.ts';
import { SIGNED_OUT_STATE } from '../auth/web-auth.ts';

/** GET /: what the app demonstrates, and "Sign in". */
export function homeRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/', async function showHome(c) {
    const session = c.get('session');
    const signedInAs = session ? (session.data.name ?? session.data.username) : null;
    const notice = c.req.query('state') === SIGNED_OUT_STATE ? 'global' : c.req.query('signedOut');
    const idp = await idpSessionFacts(deps, session, false);
    return render(c, 'Home', 'home', homePage({ signedInAs, notice, verdict: session ? idp.verdict : undefined, idpHost: idp.host, demoAccounts: idp.provider === 'emulator' }));
  });
}
