/**
 * `entrakit/bearer/express`: bearer authentication for Express 4 and 5. The verified caller is
 * `req.auth`; a failure goes to `next(err)` as a `BearerAuthError` carrying the status, the
 * headers (the RFC 6750 challenge) and the JSON body, as express-jwt's UnauthorizedError does.
 * `bearerErrorHandler()` renders it; without it Express's final handler still sends the status
 * and headers. Express itself is not imported: nothing here depends on its version.
 */
import { isEntrakitError, isLibraryError } from '../core/errors.ts';
import type { Principal } from '../core/tokens/principal.ts';
import type { BearerAuthenticator } from './authenticate.ts';
import { adapterCheck } from './adapter-check.ts';
import type { RouteRequirement } from './bearer-policy.ts';
import { BearerAuthError, bearerProblem } from './problem.ts';
import { authorizationFromRawHeaders } from './read-bearer-token.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified caller, set by entrakit's bearerAuth. */
      auth?: Principal;
    }
  }
}

/** The parts of Express's request and response the adapter uses. */
export interface BearerExpressRequest {
  rawHeaders: string[];
  auth?: Principal;
}
interface ExpressResponseLike {
  headersSent: boolean;
  status(code: number): ExpressResponseLike;
  set(headers: Record<string, string>): ExpressResponseLike;
  json(body: unknown): unknown;
}
type Next = (error?: unknown) => void;

/**
 * Express middleware: authenticates with `authenticator`, enforces `requirement` and sets
 * `req.auth`. Never rejects: every failure is `next(new BearerAuthError(...))`, whose `cause` is
 * the LibraryError.
 */
export function bearerAuth(authenticator: BearerAuthenticator, requirement?: RouteRequirement): (req: BearerExpressRequest, res: unknown, next: Next) => void {
  const check = adapterCheck(authenticator, requirement);
  return function bearerAuthMiddleware(req, _res, next) {
    // Node's req.headers keeps only the first of repeated Authorization headers; the raw list has
    // them all, so a second token is refused (400) instead of hidden.
    check.run(
      authorizationFromRawHeaders(req.rawHeaders),
      (principal) => {
        req.auth = principal;
        next();
      },
      // The authenticator only rejects with LibraryErrors (bugs become BEARER_INTERNAL_ERROR).
      (error) => next(isLibraryError(error) ? new BearerAuthError(error, check.realm) : error),
    );
  };
}

/**
 * Express error middleware rendering BearerAuthError as the JSON answer every entrakit adapter
 * gives (`{error, error_description}` plus WWW-Authenticate and `Cache-Control: no-store`). With
 * `realm`, EntrakitErrors thrown by handlers (e.g. `requireAuthContext`'s step-up challenge)
 * render the same way. Any other error is passed on.
 */
export function bearerErrorHandler(options: { realm?: string } = {}): (error: unknown, req: unknown, res: ExpressResponseLike, next: Next) => void {
  const { realm } = options;
  return function bearerErrorMiddleware(error, _req, res, next) {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof BearerAuthError) {
      res.status(error.status).set({ ...error.headers }).json(error.body);
      return;
    }
    if (realm !== undefined && isEntrakitError(error)) {
      const problem = bearerProblem(error, realm);
      res.status(problem.status).set(problem.headers).json(problem.body);
      return;
    }
    next(error);
  };
}

export { BearerAuthError };
