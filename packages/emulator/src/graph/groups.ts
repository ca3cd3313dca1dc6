import type { Context, Hono } from 'hono';
import { directoryItems, findGroup, transitiveMemberIds } from './directory-lookup.ts';
import { GROUP_SHAPE, SERVICE_PRINCIPAL_SHAPE, toItem, USER_SHAPE, type DirectoryItem } from './entity-shapes.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { collectionResponse, entityBody, type CollectionSpec } from './odata-response.ts';
import { canReadGroups, requireAllowed } from './permissions.ts';

const CASTS = { 'microsoft.graph.user': USER_SHAPE, 'microsoft.graph.group': GROUP_SHAPE } as const;

/** `GET /v1.0/groups`, `/groups/{id}`, `/groups/{id}/members` and `/transitiveMembers` (with type casts). */
export function groupsRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder } = context;

  graph.get('/groups', (c) => {
    const caller = c.get('caller');
    requireAllowed(canReadGroups(caller));
    const items = directory.objects.list('group', caller.tenantId).map((group) => toItem(GROUP_SHAPE, group, 'full'));
    return collectionResponse(c, { items, shapes: [GROUP_SHAPE], typeName: GROUP_SHAPE.typeName, entitySet: 'groups', withType: false }, responder);
  });

  graph.get('/groups/:id', (c) => {
    const caller = c.get('caller');
    requireAllowed(canReadGroups(caller));
    const group = findGroup(directory, caller.tenantId, c.req.param('id'));
    return c.json(entityBody(new URL(c.req.url), toItem(GROUP_SHAPE, group, 'full'), responder));
  });

  for (const relation of ['members', 'transitiveMembers'] as const) {
    const list = (cast: keyof typeof CASTS | undefined) => (c: Context<GraphEnv>) => {
      const caller = c.get('caller');
      requireAllowed(canReadGroups(caller));
      const group = findGroup(directory, caller.tenantId, c.req.param('id') ?? '');
      const ids = relation === 'members' ? directory.memberships.memberIds(group.id) : transitiveMemberIds(directory, group.id);
      const items: DirectoryItem[] = directoryItems(directory, caller, ids);
      const shape = cast ? CASTS[cast] : undefined;
      const spec: CollectionSpec = shape
        ? { items: items.filter((item) => item.shape.odataType === shape.odataType), shapes: [shape], typeName: shape.typeName, entitySet: shape.entitySet, withType: false }
        : { items, shapes: [USER_SHAPE, GROUP_SHAPE, SERVICE_PRINCIPAL_SHAPE], typeName: 'microsoft.graph.directoryObject', entitySet: 'directoryObjects', withType: true };
      return collectionResponse(c, spec, responder);
    };
    graph.get(`/groups/:id/${relation}`, list(undefined));
    for (const cast of Object.keys(CASTS) as Array<keyof typeof CASTS>) {
      graph.get(`/groups/:id/${relation}/${cast}`, list(cast));
      // The `graph.` namespace alias (Kiota SDKs) names the same cast.
      graph.get(`/groups/:id/${relation}/${cast.replace(/^microsoft\./, '')}`, list(cast));
    }
  }
}
