import type { MiddlewareHandler } from 'hono';
import type { Principal } from '../../core/tokens/principal.ts';
import type { BearerAuthenticator } from './authenticate.ts';
import { bearerErrorResponse } from './bearer-error-response.ts';
import { parseRouteRequirement } from './bearer-policy.ts';
import type { RouteRequirement } from './bearer-policy.ts';

/** Hono environment of routes behind bearerAuth: `c.get('principal')` is the verified caller. */
export interface BearerEnv {
  Variables: { principal: Principal };
}

/**
 * Hono middleware: authenticates the request with `authenticator`, enforces `requirement`, and
 * answers failures itself (400/401/403 JSON `{error, error_description}` plus WWW-Authenticate,
 * or 5xx when keys cannot be loaded). Errors thrown by later handlers are not touched.
 */
export function bearerAuth(authenticator: BearerAuthenticator, requirement?: RouteRequirement): MiddlewareHandler<BearerEnv> {
  if (typeof authenticator !== 'function') {
    throw new TypeError('bearerAuth: "authenticator" must come from createBearerAuthenticator');
  }
  // Checked once here, so a typo in a route's requirement fails at start-up, not per request.
  const route = parseRouteRequirement(requirement);
  const realm = authenticator.realm;

  return async function bearerAuthMiddleware(c, next) {
    let principal: Principal;
    try {
      principal = await authenticator(c.req.raw, route);
    } catch (error) {
      const answer = bearerErrorResponse(error, realm);
      for (const [name, value] of Object.entries(answer.headers)) c.header(name, value);
      c.header('Cache-Control', 'no-store');
      return c.json(answer.body, answer.status as 400 | 401 | 403 | 500 | 502 | 503);
    }
    c.set('principal', principal);
    await next();
  };
}
