import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import { bearerAuth } from '../bearer/index.ts';
import type { BearerAuthenticator, BearerEnv, Principal, RouteRequirement } from '../bearer/index.ts';

/**
 * A GET route whose 200 answer is JSON computed synchronously from the verified caller (or from
 * nothing, for a public route). Such a route is mounted on the Hono app like any other, and the
 * Node listener can also answer it straight from Node's request and response objects when the
 * caller's token is already in the verified-token cache: no Request, Context or Response object
 * is built. Everything else (cache misses, every failure, other methods, query strings) goes to
 * the Hono app, so there is one implementation of each check and of each error answer.
 */
export type DirectJsonRoute =
  | { readonly path: string; readonly requirement: 'public'; readonly answer: () => string }
  | { readonly path: string; readonly requirement: RouteRequirement; readonly answer: (principal: Principal) => string };

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } as const;
/** The app adds nosniff to all its answers; a direct answer carries it itself. */
const DIRECT_HEADERS = { ...JSON_HEADERS, 'X-Content-Type-Options': 'nosniff' } as const;

/** Mounts `route` on `app` (bearer check first when the route is protected). */
export function mountDirectJsonRoute(app: Hono<BearerEnv>, route: DirectJsonRoute, authenticator: BearerAuthenticator): void {
  if (route.requirement === 'public') {
    const { answer } = route;
    app.get(route.path, (c) => c.body(answer(), 200, JSON_HEADERS));
    return;
  }
  const { answer } = route;
  app.get(route.path, bearerAuth(authenticator, route.requirement), (c) => c.body(answer(c.get('principal')), 200, JSON_HEADERS));
}

/**
 * A Node request listener that answers `routes` directly when it can and hands every other
 * request to `fallback` (the Hono app's listener). A protected route is answered directly only on
 * a verified-token cache hit that meets the route's requirement; a failed check falls back too,
 * so the app renders the error exactly as it does without this listener.
 */
export function directJsonListener(routes: readonly DirectJsonRoute[], authenticator: BearerAuthenticator, fallback: RequestListener): RequestListener {
  const byPath = new Map<string, DirectJsonRoute>();
  for (const route of routes) {
    if (!route.path.startsWith('/') || route.path.includes('?')) throw new TypeError(`directJsonListener: "${route.path}" is not a plain path`);
    if (byPath.has(route.path)) throw new TypeError(`directJsonListener: "${route.path}" is listed twice`);
    byPath.set(route.path, route);
  }

  // Any throw (a failed check, or a bug in `answer`) hands the request to the app, which answers
  // failures and reports bugs as 500: nothing thrown here can reach Node's listener.
  const directBody = (route: DirectJsonRoute, request: IncomingMessage): string | undefined => {
    try {
      if (route.requirement === 'public') return route.answer();
      // Node's own header object (it builds it for every request anyway): duplicates of
      // Authorization are dropped there, the same for both paths.
      const principal = authenticator.cachedPrincipal(request.headers.authorization ?? null, route.requirement);
      return principal ? route.answer(principal) : undefined;
    } catch {
      return undefined;
    }
  };

  return function directJsonOrApp(request: IncomingMessage, response: ServerResponse): void {
    // Exact match on the request target: `/api/me?x` or `/api/me/` take the app's path.
    const route = request.method === 'GET' && request.url !== undefined ? byPath.get(request.url) : undefined;
    const body = route ? directBody(route, request) : undefined;
    if (body === undefined) {
      fallback(request, response);
      return;
    }
    response.writeHead(200, { ...DIRECT_HEADERS, 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  };
}
