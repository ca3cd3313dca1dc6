import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { createGraphAuthenticator } from './authenticate.ts';
import { createGraphApp, requireGraphToken, type GraphRouteContext } from './graph-app.ts';
import { GraphError } from './graph-error.ts';
import { groupsRoutes } from './groups.ts';
import { meRoutes } from './me.ts';
import { memberOfRoutes } from './member-of.ts';
import { createSkipTokens } from './skip-token.ts';
import { usersRoutes } from './users.ts';

/**
 * The Microsoft Graph subset under `/v1.0`: every request needs a valid Graph token first, then
 * routes enforce `scp`/`roles`. Unknown paths answer as Graph does (400 for an unknown segment),
 * so the catch-all must stay the last route registered here.
 */
export function graphRoutes(app: Hono, deps: Pick<EmulatorDeps, 'directory' | 'keys' | 'clock' | 'publicUrl' | 'cookieSecret'>): void {
  const graph = createGraphApp(deps);
  graph.use(requireGraphToken(createGraphAuthenticator(deps)));
  const context: GraphRouteContext = {
    directory: deps.directory,
    responder: { publicUrl: deps.publicUrl, skipTokens: createSkipTokens(deps.cookieSecret) },
  };
  meRoutes(graph, context);
  usersRoutes(graph, context);
  memberOfRoutes(graph, context);
  groupsRoutes(graph, context);

  graph.all('*', (c) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      throw new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    }
    const segment = c.req.path.split('/').filter(Boolean).at(-1) ?? '';
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment.slice(0, 100)}'.`);
  });
  app.route('/v1.0', graph);
}
