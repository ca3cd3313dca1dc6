/**
 * `entrakit/bearer/hono`: bearer authentication as Hono middleware. Failures are thrown as Hono's
 * `HTTPException` carrying the RFC 6750 answer and the library error as its `cause` (as
 * `hono/jwk` does), so `app.onError` sees them; without an onError, Hono sends that answer.
 */
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Principal } from '../core/tokens/principal.ts';
import type { BearerAuthenticator } from './authenticate.ts';
import { adapterCheck } from './adapter-check.ts';
import type { RouteRequirement } from './bearer-policy.ts';
import { bearerProblem, problemResponse } from './problem.ts';
import { authorizationFromRawHeaders } from './read-bearer-token.ts';

type HttpExceptionStatus = ConstructorParameters<typeof HTTPException>[0];

/** Hono environment of routes behind bearerAuth: `c.get('principal')` is the verified caller. */
export interface BearerEnv {
  Variables: { principal: Principal };
}

/**
 * Hono middleware: authenticates the request with `authenticator` and enforces `requirement`.
 * A failure throws `HTTPException` (status 400/401/403 with WWW-Authenticate, 5xx when keys cannot
 * be loaded, 500 on a bug); `exception.getResponse()` is the JSON answer, `exception.cause` the
 * LibraryError. Errors thrown by later handlers are not touched.
 */
export function bearerAuth(authenticator: BearerAuthenticator, requirement?: RouteRequirement): MiddlewareHandler<BearerEnv> {
  const check = adapterCheck(authenticator, requirement);
  const realm = check.realm;

  const fail = (error: unknown): never => {
    const problem = bearerProblem(error, realm);
    throw new HTTPException(problem.status as HttpExceptionStatus, { res: problemResponse(problem), cause: error });
  };

  // Not async on purpose: a token validated before is checked synchronously, so the common case
  // adds no promise and no microtask to the request (Hono's dispatcher catches a synchronous throw).
  return function bearerAuthMiddleware(c, next) {
    // Repeated Authorization headers arrive joined by ", " (fetch Headers; @hono/node-server
    // joins Node's raw headers the same way, where Node's own req.headers would keep only the
    // first), which is never a cache hit and fails the one-token syntax check: 400
    // invalid_request. On @hono/node-server the raw header list (its `incoming` binding) is read
    // directly, joined the same way, so a request whose handlers never read headers does not
    // build a Headers object for this one value; elsewhere, through c.req.
    const raw = (c.env as { incoming?: { rawHeaders?: unknown } } | undefined)?.incoming?.rawHeaders;
    const header = Array.isArray(raw) ? authorizationFromRawHeaders(raw as string[]) : (c.req.header('authorization') ?? null);
    let cached: Principal | undefined;
    try {
      cached = check.cached(header);
    } catch (error) {
      return fail(error);
    }
    if (cached) {
      c.set('principal', cached);
      return next();
    }
    return check.verify(header).then((principal) => {
      c.set('principal', principal);
      return next();
    }, fail);
  };
}
