import type { Context, MiddlewareHandler } from 'hono';
import type { Principal } from '../core/tokens/principal.ts';
import { cachedPrincipalOf, type BearerAuthenticator } from './authenticate.ts';
import { httpProblem } from '../core/http-problem.ts';
import { parseRouteRequirement } from './bearer-policy.ts';
import type { RouteRequirement } from './bearer-policy.ts';

/** Hono environment of routes behind bearerAuth: `c.get('principal')` is the verified caller. */
export interface BearerEnv {
  Variables: { principal: Principal };
}

/**
 * Hono middleware: authenticates the request with `authenticator`, enforces `requirement`, and
 * answers failures itself through `httpProblem` (400/401/403 JSON `{error, error_description}`
 * plus WWW-Authenticate, 5xx when keys cannot be loaded, 500 on a bug). Errors thrown by later handlers are not touched.
 */
export function bearerAuth(authenticator: BearerAuthenticator, requirement?: RouteRequirement): MiddlewareHandler<BearerEnv> {
  if (typeof authenticator !== 'function') {
    throw new TypeError('bearerAuth: "authenticator" must come from createBearerAuthenticator');
  }
  // Checked once here, so a typo in a route's requirement fails at start-up, not per request.
  const route = parseRouteRequirement(requirement);
  const realm = authenticator.realm;
  const cachedPrincipal = cachedPrincipalOf(authenticator);
  if (!cachedPrincipal) throw new TypeError('bearerAuth: "authenticator" must come from createBearerAuthenticator');

  const answer = (c: Context<BearerEnv>, error: unknown): Response => {
    const { status, headers, body } = httpProblem(error, { realm });
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    c.header('Cache-Control', 'no-store');
    return c.json(body, status as 400 | 401 | 403 | 500 | 502 | 503);
  };

  // Not async on purpose: a token validated before is checked synchronously, so the common case
  // adds no promise and no microtask to the request.
  return function bearerAuthMiddleware(c, next) {
    // Through c.req, as on any runtime. Repeated Authorization headers arrive joined by ", "
    // (fetch Headers; @hono/node-server joins Node's raw headers the same way, where Node's own
    // req.headers would keep only the first), which is never a cache hit and fails the one-token
    // syntax check: 400 invalid_request.
    const header = c.req.header('authorization') ?? null;
    let cached: Principal | undefined;
    try {
      cached = cachedPrincipal(header, route);
    } catch (error) {
      return Promise.resolve(answer(c, error));
    }
    if (cached) {
      c.set('principal', cached);
      return next();
    }
    return authenticator.fromAuthorizationHeader(header, route).then(
      (principal) => {
        c.set('principal', principal);
        return next();
      },
      (error: unknown) => answer(c, error),
    );
  };
}
