import type { Hono } from 'hono';
import type { AppEnv, WebDeps } from '../context.ts';
import { revokeMySessions, takeRevocationRecord } from '../graph/revoke-sessions.ts';
import { appSessionFacts, idpSessionFacts } from '../idp/session-facts.ts';
import { csrfProtection } from '../middleware/csrf.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { render } from '../views/render.ts';
import { sessionsPage } from '../views/sessions-page.ts';
import { SIGNED_OUT_STATE } from '../auth/web-auth.ts';

/**
 * GET /sessions: the app's session and the identity provider's, side by side. Open to anyone.
 * POST /sessions/revoke (CSRF-protected): Graph's revokeSignInSessions, then the next Graph call's
 * claims challenge followed (docs/web.md); /sessions?revoked=1 shows what happened, once.
 */
export function sessionsRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/sessions', async function showSessions(c) {
    const session = c.get('session');
    const notice = c.req.query('state') === SIGNED_OUT_STATE ? 'global' : c.req.query('signedOut');
    const revocation = session && c.req.query('revoked') === '1' ? await takeRevocationRecord(deps, session.data.tid, session.data.oid) : undefined;
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
        revocation,
      }),
    );
  });
  app.post('/sessions/revoke', requireSignIn(), csrfProtection({ baseUrl: deps.config.baseUrl }), async function revokeSessions(c) {
    return revokeMySessions(deps, c, c.get('session')!);
  });
}
