import type { Hono } from 'hono';
import type { AppEnv, WebDeps } from '../context.ts';
import { appSessionFacts, idpSessionFacts } from '../idp/session-facts.ts';
import { render } from '../views/render.ts';
import { sessionsPage } from '../views/sessions-page.ts';
import { SIGNED_OUT_STATE } from './sign-out-global.ts';

/** GET /sessions: the app's session and the identity provider's, side by side. Open to anyone. */
export function sessionsRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/sessions', async function showSessions(c) {
    const session = c.get('session');
    const notice = c.req.query('state') === SIGNED_OUT_STATE ? 'global' : c.req.query('signedOut');
    return render(
      c,
      'Sessions',
      'sessions',
      sessionsPage({
        now: deps.clock(),
        app: session ? appSessionFacts(deps, session) : undefined,
        idp: await idpSessionFacts(deps, session, true),
        csrf: session?.data.csrf,
        notice,
      }),
    );
  });
}
