import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { applicationKeysRoutes } from './application-keys.ts';
import { applicationsRoutes } from './applications.ts';
import { alternateKeyPaths } from './alternate-key.ts';
import { createGraphAuthenticator } from './authenticate.ts';
import { batchRoutes } from './batch.ts';
import { createGraphApp, requireGraphToken, withVerifiedCaller, type GraphRouteContext } from './graph-app.ts';
import { GraphError } from './graph-error.ts';
import { groupsRoutes } from './groups.ts';
import { groupWriteRoutes } from './group-writes.ts';
import { userWriteRoutes } from './user-writes.ts';
import { directoryRoleAssignmentRoutes } from './directory-role-assignments.ts';
import { meRoutes } from './me.ts';
import { memberOfRoutes } from './member-of.ts';
import { countNotSupported, isEventual, markCountOnly, wasCounted } from './odata-response.ts';
import { permissionGrantsRoutes } from './permission-grants.ts';
import { revokeSessionsRoutes } from './revoke-sessions.ts';
import { servicePrincipalsRoutes } from './service-principals.ts';
import { createSkipTokens } from './skip-token.ts';
import { usersRoutes } from './users.ts';

const VERSIONS = ['v1.0', 'beta'] as const;

/**
 * The Microsoft Graph subset under `/v1.0` and `/beta`: every request needs a valid Graph token
 * first, then routes enforce `scp`/`roles`. Unknown paths answer as Graph does (400 for an unknown
 * segment), so the catch-all must stay the last route registered here.
 */
export function graphRoutes(app: Hono, deps: Pick<EmulatorDeps, 'directory' | 'keys' | 'clock' | 'publicUrl' | 'cookieSecret'>): void {
  const authenticate = createGraphAuthenticator(deps);
  const skipTokens = createSkipTokens(deps.cookieSecret);
  // Batches, alternate keys and `$count` re-enter Graph, and only Graph, with an inner request
  // marked with the verified caller: a `..` in an inner URL cannot reach discovery, JWKS or /_admin.
  const graphOnly = createGraphApp(deps);
  const dispatch = async (request: Request): Promise<Response> => graphOnly.fetch(request);

  for (const version of VERSIONS) {
    const graph = createGraphApp(deps);
    graph.use(requireGraphToken(authenticate));
    const context: GraphRouteContext = { directory: deps.directory, clock: deps.clock, responder: { publicUrl: deps.publicUrl, version, skipTokens } };

    graph.use(alternateKeyPaths(deps.directory, dispatch));
    // `{collection}/$count`: the collection's size as plain text; Graph needs ConsistencyLevel: eventual.
    graph.use(async function countSegment(c, next) {
      const url = new URL(c.req.url);
      const match = /^(.*)\/(?:\$|%24)count$/i.exec(url.pathname);
      if (c.req.method !== 'GET' || !match?.[1]) return next();
      if (!isEventual(c)) throw countNotSupported();
      url.pathname = match[1];
      const inner = withVerifiedCaller(new Request(url, { headers: c.req.raw.headers }), c.get('caller'));
      markCountOnly(inner);
      const answer = await dispatch(inner);
      if (answer.ok && !wasCounted(inner)) throw new GraphError(400, 'BadRequest', "Resource not found for the segment '$count'.");
      return answer;
    });

    meRoutes(graph, context);
    usersRoutes(graph, context);
    userWriteRoutes(graph, context);
    memberOfRoutes(graph, context);
    groupsRoutes(graph, context);
    groupWriteRoutes(graph, context);
    directoryRoleAssignmentRoutes(graph, context);
    applicationsRoutes(graph, context);
    applicationKeysRoutes(graph, context);
    servicePrincipalsRoutes(graph, context);
    permissionGrantsRoutes(graph, context);
    revokeSessionsRoutes(graph, context);
    batchRoutes(graph, context, dispatch);

    graph.all('*', (c) => {
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
        throw new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
      }
      const segment = c.req.path.split('/').filter(Boolean).at(-1) ?? '';
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment.slice(0, 100)}'.`);
    });
    app.route(`/${version}`, graph);
    graphOnly.route(`/${version}`, graph);
  }
  graphOnly.all('*', (c) => {
    const segment = c.req.path.split('/').filter(Boolean).at(0) ?? '';
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment.slice(0, 100)}'.`);
  });
}
