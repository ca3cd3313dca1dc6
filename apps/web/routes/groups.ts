import type { Hono } from 'hono';
import type { AppEnv, WebDeps } from '../context.ts';
import type { AppGraph } from '../graph/app-graph.ts';
import { groupsClaim, readUserGroups } from '../graph/group-memberships.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { groupsPage } from '../views/groups-page.ts';
import { render } from '../views/render.ts';

/**
 * GET /groups: the signed-in user's nested groups from Graph (app-only token), beside the ID
 * token's `groups` claim, or its overage pointer, which this page resolves through Graph.
 */
export function groupsRoute(app: Hono<AppEnv>, deps: Pick<WebDeps, 'logger'>, graph: AppGraph): void {
  app.get('/groups', requireSignIn(), async function showGroups(c) {
    const session = c.get('session')!;
    const claims = session.data.idToken.claims as Record<string, unknown>;
    // Only the session's own oid: app-only access could read anyone's groups.
    const userId = session.data.oid;
    const claim = groupsClaim(claims);
    const groups = await readUserGroups(graph, userId);
    if (claim.kind === 'overage') deps.logger.info({ event: 'groups.overage-resolved', groups: groups.memberships.length, pages: groups.pages }, 'groups overage resolved through Graph');
    return render(
      c,
      'Groups',
      'groups',
      groupsPage({ userName: session.data.name ?? session.data.username ?? userId, userId, graphUrl: await graph.baseUrl(), ...groups, claim }),
    );
  });
}
