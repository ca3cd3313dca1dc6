import type { Context, Hono } from 'hono';
import { findUser } from './directory-lookup.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { signedInUser } from './me.ts';
import { contextUrl } from './odata-response.ts';
import { requireSessionRevocation } from './write-permissions.ts';

/**
 * `POST /users/{id}/revokeSignInSessions` and `/me/revokeSignInSessions`: records the time on the
 * user (`directory.revokedAt`); refresh tokens and SSO sessions issued before it stop counting.
 */
export function revokeSessionsRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder, clock } = context;
  const revoke = (c: Context<GraphEnv>, userId: string) => {
    requireSessionRevocation(directory, c.get('caller'), userId);
    directory.revokeSignInSessions(userId, clock());
    return c.json({ '@odata.context': contextUrl(responder, 'Edm.Boolean'), value: true }, 200);
  };
  graph.post('/me/revokeSignInSessions', (c) => revoke(c, signedInUser(context, c.get('caller')).id));
  graph.post('/users/:id/revokeSignInSessions', (c) => revoke(c, findUser(directory, c.get('caller').tenantId, c.req.param('id')).id));
}
