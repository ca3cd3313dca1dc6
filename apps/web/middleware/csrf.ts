import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { EntrakitError } from 'entrakit';
import { CSRF_FIELD } from 'entrakit/web';
import type { AppEnv } from '../context.ts';

/**
 * The app's own state-changing POSTs (the sign-out forms are the library's, checked the same way):
 * the browser must say the request comes from our origin (Origin, or Sec-Fetch-Site when Origin is
 * absent), and the form must carry the session's synchronizer token (entra.csrfToken). Without a
 * session there is nothing to protect; the route decides what to do.
 */
export function csrfProtection(options: { baseUrl: string }): MiddlewareHandler<AppEnv> {
  const origin = new URL(options.baseUrl).origin;
  return async function checkCsrf(c, next) {
    const sentOrigin = c.req.header('origin');
    const fetchSite = c.req.header('sec-fetch-site');
    if (sentOrigin !== undefined ? sentOrigin !== origin : fetchSite !== undefined && fetchSite !== 'same-origin') {
      throw new EntrakitError('CSRF_ORIGIN_MISMATCH', 'The request did not come from this app', { status: 403 });
    }
    const session = c.get('session');
    if (session) {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const token = form[CSRF_FIELD];
      if (typeof token !== 'string' || !sameToken(token, session.data.csrf)) {
        throw new EntrakitError('CSRF_TOKEN_INVALID', 'The form was missing its anti-forgery token or it did not match', { status: 403 });
      }
    }
    await next();
  };
}

/**
 * Constant time whatever was sent: timingSafeEqual needs equal lengths, so both sides are compared
 * as SHA-256 digests (32 bytes each), and a token of another length costs the same as a wrong one.
 */
function sameToken(sent: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(sent).digest(), createHash('sha256').update(expected).digest());
}
