import type { Hono } from 'hono';
import type { GraphCaller } from './authenticate.ts';
import type { User } from '../directory/types.ts';
import { toItem, USER_SHAPE } from './entity-shapes.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { GraphError, resourceNotFound } from './graph-error.ts';
import { entityBody } from './odata-response.ts';
import { denied, userAccess } from './permissions.ts';

/** The signed-in user of a delegated token; `/me` means nothing to an app-only token. */
export function signedInUser(context: GraphRouteContext, caller: GraphCaller): User {
  if (caller.kind !== 'delegated') throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  const stored = context.directory.objects.get('user', caller.objectId.toLowerCase());
  if (stored?.tenantId !== caller.tenantId) throw resourceNotFound(caller.objectId);
  return stored.value;
}

/** `GET /v1.0/me` (User.Read), with `$select`. */
export function meRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  graph.get('/me', (c) => {
    const caller = c.get('caller');
    const access = userAccess(caller, caller.objectId);
    if (caller.kind === 'delegated' && !access) throw denied();
    const user = signedInUser(context, caller);
    return c.json(entityBody(new URL(c.req.url), toItem(USER_SHAPE, user, access ?? 'limited'), context.responder));
  });
}
