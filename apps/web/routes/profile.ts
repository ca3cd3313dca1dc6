import type { Hono } from 'hono';
import { fetchGraphMe } from '../auth/graph-me.ts';
import type { AppEnv, WebDeps } from '../context.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { profilePage } from '../views/profile-page.ts';
import { render } from '../views/render.ts';

/** GET /profile: the user's Graph /v1.0/me, read with their delegated token (entra.graph). */
export function profileRoute(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/profile', requireSignIn(), async function showProfile(c) {
    const session = c.get('session')!;
    const me = await fetchGraphMe(deps, c);
    const graphUrl = await deps.provider.graphBaseUrl();
    const user = await deps.stores.users.get(session.data.tid, session.data.oid);
    return render(c, 'Profile', 'profile', profilePage({ me, graphUrl, user }));
  });
}
