import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';

/** Pages that need a user send anonymous visitors through sign-in and back. */
export function requireSignIn(): MiddlewareHandler<AppEnv> {
  return async function ensureSignedIn(c, next) {
    if (c.get('session')) return next();
    const url = new URL(c.req.url);
    return c.redirect(`/auth/sign-in?returnTo=${encodeURIComponent(url.pathname + url.search)}`, 302);
  };
}
