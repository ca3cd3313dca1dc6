import type { MiddlewareHandler } from 'hono';
import type { JsonObject } from 'entrakit/store';
import type { CreatedWebAuth } from 'entrakit/web';
import type { AppEnv, SignInFacts } from '../context.ts';

/**
 * The pages' view of the signed-in user, from entrakit/web's user(c), session(c) and csrfToken(c)
 * (the library loaded the session before this runs), with what onSignIn kept for the learning pages.
 */
export function sessionView(entra: CreatedWebAuth): MiddlewareHandler<AppEnv> {
  return async function viewSession(c, next) {
    const user = entra.user(c);
    const times = entra.session(c);
    if (!user || !times) {
      c.set('session', undefined);
      return next();
    }
    const facts = (user.app ?? {}) as Partial<SignInFacts>;
    const claims = user.claims as JsonObject;
    c.set('session', {
      createdAt: times.createdAt,
      lastSeenAt: times.lastSeenAt,
      idleExpiresAt: times.idleExpiresAt,
      absoluteExpiresAt: times.absoluteExpiresAt,
      data: {
        homeAccountId: facts.homeAccountId ?? '',
        tid: user.tid,
        oid: user.oid,
        sid: typeof claims['sid'] === 'string' ? claims['sid'] : null,
        name: user.name,
        username: user.username,
        csrf: entra.csrfToken(c),
        traceId: facts.traceId ?? '',
        correlationId: facts.correlationId ?? '',
        idToken: { header: facts.header ?? {}, claims, checks: facts.checks ?? [] },
        signInCount: facts.signInCount ?? 1,
        changedClaims: facts.changedClaims ?? [],
        scopes: user.scopes,
      },
    });
    return next();
  };
}
