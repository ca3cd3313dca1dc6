import { randomUUID } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import type { Directory } from '../directory/directory.ts';
import { GRAPH_APP_ID } from '../protocol/microsoft-resources.ts';
import type { GraphAuthenticator, GraphCaller } from './authenticate.ts';
import { graphErrorBody, GraphError } from './graph-error.ts';
import { explain } from '../request-log/record-requests.ts';
import type { ODataResponder } from './odata-response.ts';

export type GraphEnv = { Variables: { caller: GraphCaller; requestId: string; clientRequestId: string } };

/** What the route files share. */
export interface GraphRouteContext {
  directory: Directory;
  responder: ODataResponder;
  clock: () => number;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * A Hono app speaking Graph's conventions: `request-id`/`client-request-id` headers on every
 * answer and `{"error":{code,message,innerError}}` bodies, whatever path it is mounted on.
 */
export function createGraphApp(deps: Pick<EmulatorDeps, 'clock' | 'publicUrl'>): Hono<GraphEnv> {
  const graph = new Hono<GraphEnv>();
  const challenge = `Bearer realm="", authorization_uri="${deps.publicUrl}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`;

  graph.use(async function graphRequestIds(c, next) {
    const requestId = randomUUID();
    const sent = c.req.header('client-request-id');
    const clientRequestId = sent && CLIENT_REQUEST_ID.test(sent) ? sent : requestId;
    c.set('requestId', requestId);
    c.set('clientRequestId', clientRequestId);
    c.header('request-id', requestId);
    c.header('client-request-id', clientRequestId);
    c.header('Cache-Control', 'no-store');
    await next();
  });

  graph.onError((error, c) => {
    const ids = { now: deps.clock(), requestId: c.get('requestId') ?? randomUUID(), clientRequestId: c.get('clientRequestId') ?? randomUUID() };
    if (error instanceof GraphError) {
      if (error.status === 401) c.header('WWW-Authenticate', error.challenge ?? challenge);
      return c.json(graphErrorBody(error.code, error.message, ids, error.details), error.status as 400);
    }
    // Reaching here is a bug; details stay in the server log.
    console.error('entrakit emulator: unexpected Graph error', error);
    return c.json(graphErrorBody('generalException', 'An unexpected error occurred.', ids), 500);
  });
  return graph;
}

/** Inner requests Graph itself made ($batch parts, alternate keys, $count) and the caller it already verified. */
const verifiedCallers = new WeakMap<Request, GraphCaller>();

/** Marks a request Graph re-dispatches so the caller verified for the outer request carries over (no second token check). */
export function withVerifiedCaller(request: Request, caller: GraphCaller): Request {
  verifiedCallers.set(request, caller);
  return request;
}

/** Middleware that verifies the bearer token and makes the caller available as `c.get('caller')`. */
export function requireGraphToken(authenticate: GraphAuthenticator): MiddlewareHandler<GraphEnv> {
  return async function graphBearerAuth(c, next) {
    try {
      c.set('caller', verifiedCallers.get(c.req.raw) ?? (await authenticate(c.req.header('authorization'))));
    } catch (error) {
      if (error instanceof GraphError && error.why) explain(c, error.why);
      throw error;
    }
    await next();
  };
}
