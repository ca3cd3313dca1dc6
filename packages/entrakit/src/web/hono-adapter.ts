/**
 * Hono, typed structurally (no import of hono, not even of its types), so apps on Express never
 * need it installed, at run time or to type-check.
 * Auth routes are answered here; other requests get their session loaded, and an error asking
 * for sign-in or step-up thrown by the route becomes a redirect through sign-in.
 */
import type { WebAuthInternals } from './create-web-auth.ts';

/** The part of Hono's Context used here (Hono's own Context satisfies it). */
export interface HonoContextLike {
  req: { raw: Request; url: string; method: string; header(name: string): string | undefined };
  error?: unknown;
  res: Response;
}
export type HonoNext = () => Promise<void>;
export type HonoMiddleware = (c: HonoContextLike, next: HonoNext) => Promise<Response | void>;

export function honoMiddleware(internals: WebAuthInternals): HonoMiddleware {
  return async function entrakitWebAuth(c, next) {
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
