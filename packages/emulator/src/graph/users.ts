import type { Hono } from 'hono';
import { toItem, USER_SHAPE } from './entity-shapes.ts';
import { findUser } from './directory-lookup.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { collectionResponse, entityBody } from './odata-response.ts';
import { canListUsers, denied, requireAllowed, userAccess } from './permissions.ts';

/** `GET /v1.0/users` and `/v1.0/users/{id | userPrincipalName}`. */
export function usersRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder } = context;

  graph.get('/users', (c) => {
    const caller = c.get('caller');
    requireAllowed(canListUsers(caller));
    const items = directory.objects.list('user', caller.tenantId).map((user) => toItem(USER_SHAPE, user, userAccess(caller, user.id) ?? 'limited'));
    return collectionResponse(c, { items, shapes: [USER_SHAPE], typeName: USER_SHAPE.typeName, entitySet: 'users', withType: false }, responder);
  });

  graph.get('/users/:id', (c) => {
    const caller = c.get('caller');
    // Without any user permission the answer is 403 whether or not the user exists.
    requireAllowed(canListUsers(caller) || userAccess(caller, caller.objectId) !== undefined);
    const user = findUser(directory, caller.tenantId, c.req.param('id'));
    const access = userAccess(caller, user.id);
    if (!access) throw denied();
    return c.json(entityBody(new URL(c.req.url), toItem(USER_SHAPE, user, access), responder));
  });
}
