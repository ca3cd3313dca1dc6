import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { homePage } from '../views/home-page.ts';
import { render } from '../views/render.ts';
import { SIGNED_OUT_STATE } from './sign-out-global.ts';

/** GET /: what the app demonstrates, and "Sign in". */
export function homeRoute(app: Hono<AppEnv>): void {
  app.get('/', function showHome(c) {
    const session = c.get('session');
    const signedInAs = session ? (session.data.name ?? session.data.username) : null;
    const notice = c.req.query('state') === SIGNED_OUT_STATE ? 'global' : c.req.query('signedOut');
    return render(c, 'Home', 'home', homePage({ signedInAs, notice }));
  });
}
