import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';

/**
 * Strict headers on every response. The only inline content is the stylesheet, allowed by a
 * per-response nonce; there is no script at all. Forms may post to the app and be redirected to
 * the identity provider (sign-out everywhere), so form-action names both.
 */
export function securityHeaders(options: { idpOrigin: string }): MiddlewareHandler<AppEnv> {
  const idpOrigin = new URL(options.idpOrigin).origin;
  return async function applySecurityHeaders(c, next) {
    const nonce = randomBytes(16).toString('base64');
    c.set('cspNonce', nonce);
    c.set('frameAncestors', "'none'");
    await next();
    const frameAncestors = c.get('frameAncestors');
    // Pages entrakit/web answers itself (the front-channel logout page, the app's error page it
    // renders) carry their own policy, made with the page.
    const ownPolicy = c.res.headers.has('Content-Security-Policy');
    if (!ownPolicy) c.header(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        "script-src 'none'",
        `style-src 'nonce-${nonce}'`,
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        `form-action 'self' ${idpOrigin}`,
        `frame-ancestors ${frameAncestors}`,
      ].join('; '),
    );
    if (!ownPolicy && frameAncestors === "'none'") c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    // Page URLs never leak to other sites. Not 'no-referrer': Chromium then sends `Origin: null`
    // on same-origin form posts, which the CSRF check would (rightly) refuse.
    c.header('Referrer-Policy', 'same-origin');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cache-Control', 'no-store');
  };
}
