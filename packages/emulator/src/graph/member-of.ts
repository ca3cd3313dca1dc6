import type { Context, Hono } from 'hono';
import type { User } from '../directory/types.ts';
import { findUser, groupsById } from './directory-lookup.ts';
import { GROUP_SHAPE, toItem } from './entity-shapes.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { GraphError } from './graph-error.ts';
import { signedInUser } from './me.ts';
import { collectionResponse, contextUrl, type CollectionSpec } from './odata-response.ts';
import { canListUsers, canReadGroups, groupAccess, requireAllowed, userAccess } from './permissions.ts';

type GraphContext = Context<GraphEnv>;

const RELATIONS = ['memberOf', 'transitiveMemberOf'] as const;

async function securityEnabledOnly(c: GraphContext): Promise<boolean> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new GraphError(400, 'Request_BadRequest', 'The request body is not valid JSON.');
  }
  const value = (body as { securityEnabledOnly?: unknown } | null)?.securityEnabledOnly;
  if (typeof value !== 'boolean') throw new GraphError(400, 'Request_BadRequest', "The request body must contain 'securityEnabledOnly' (true or false).");
  return value;
}

/**
 * A user's group memberships, for `/me` and `/users/{id}`: `memberOf` (direct),
 * `transitiveMemberOf` (nested groups resolved), the `microsoft.graph.group` casts, and the
 * `getMemberObjects`/`getMemberGroups` actions apps use to resolve a groups overage.
 */
export function memberOfRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder } = context;
  const subjects: Array<[string, (c: GraphContext) => User]> = [
    ['/me', (c) => signedInUser(context, c.get('caller'))],
    [
      '/users/:id',
      (c) => {
        const caller = c.get('caller');
        requireAllowed(canListUsers(caller) || canReadGroups(caller) || userAccess(caller, caller.objectId) !== undefined);
        return findUser(directory, caller.tenantId, c.req.param('id') ?? '');
      },
    ],
  ];

  for (const [base, subject] of subjects) {
    for (const relation of RELATIONS) {
      const list = (cast: boolean) => (c: GraphContext) => {
        const caller = c.get('caller');
        const user = subject(c);
        // Without group permissions Graph still lists the groups, with only id and type ("limited information").
        requireAllowed(userAccess(caller, user.id) !== undefined || canReadGroups(caller));
        const ids = relation === 'memberOf' ? directory.memberships.directGroupIds(user.id) : directory.memberships.transitiveGroupIds(user.id);
        const items = groupsById(directory, caller.tenantId, ids).map((group) => toItem(GROUP_SHAPE, group, groupAccess(caller)));
        const spec: CollectionSpec = cast
          ? { items, shapes: [GROUP_SHAPE], typeName: GROUP_SHAPE.typeName, entitySet: 'groups', withType: false }
          : { items, shapes: [GROUP_SHAPE], typeName: 'microsoft.graph.directoryObject', entitySet: 'directoryObjects', withType: true };
        return collectionResponse(c, spec, responder);
      };
      graph.get(`${base}/${relation}`, list(false));
      // Kiota SDKs send the `graph.` namespace alias; Graph answers both spellings.
      graph.get(`${base}/${relation}/microsoft.graph.group`, list(true));
      graph.get(`${base}/${relation}/graph.group`, list(true));
    }

    for (const action of ['getMemberObjects', 'getMemberGroups']) {
      graph.post(`${base}/${action}`, async (c) => {
        const caller = c.get('caller');
        const user = subject(c);
        const self = caller.kind === 'delegated' && user.id === caller.objectId.toLowerCase();
        // IDs only, so no limited-information fallback: reading the user's groups needs group permissions.
        requireAllowed(userAccess(caller, user.id) !== undefined && (self || canReadGroups(caller)));
        const onlySecurity = await securityEnabledOnly(c);
        const groups = groupsById(directory, caller.tenantId, directory.memberships.transitiveGroupIds(user.id));
        const value = groups.filter((group) => !onlySecurity || group.securityEnabled).map((group) => group.id);
        return c.json({ '@odata.context': contextUrl(responder, 'Collection(Edm.String)'), value });
      });
    }
  }
}
