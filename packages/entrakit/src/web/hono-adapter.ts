/**
 * Hono: types only from hono (erased at run time), so apps on Express never need it installed.
 * Auth routes are answered here; other requests get their session loaded, and an error asking
 * for sign-in or step-up thrown by the route becomes a redirect through sign-in.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { WebAuthInternals } from './create-web-auth.ts';

export function honoMiddleware(internals: WebAuthInternals): MiddlewareHandler {
  return async function entrakitWebAuth(c: Context, next) {
    const url = new URL(c.req.url);
    const cookie = c.req.header('cookie') ?? null;
    const session = await internals.load(cookie);
    const state = { method: c.req.method, path: `${url.pathname}${url.search}`, cookie, session };
    internals.bind(c, state);
    internals.bind(c.req.raw, state);
    if (internals.isAuthRoute(c.req.method, url.pathname)) {
      const response = await internals.handle(c.req.raw, session);
      if (response) return response;
    }
    await next();
    if (c.error) {
      const recovered = await internals.recover(c.error, state);
      if (recovered) c.res = recovered;
    }
  };
}
