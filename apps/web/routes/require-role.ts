import type { MiddlewareHandler } from 'hono';
import type { AppEnv, LoadedSession } from '../context.ts';
import { forbiddenPage } from '../views/forbidden-page.ts';
import { render } from '../views/render.ts';

/** The app roles in the session's validated ID token (`roles` claim). */
export function sessionRoles(session: LoadedSession): string[] {
  const roles = session.data.idToken.claims['roles'];
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

/**
 * Pages for holders of one of the app's own app roles. Entra puts the roles assigned to the user
 * (directly or through a group) in the ID token it issues to this app; without the role the
 * answer is 403 with a page naming the missing role. Use after requireSignIn().
 */
export function requireRole(role: string): MiddlewareHandler<AppEnv> {
  if (typeof role !== 'string' || role === '') throw new TypeError('requireRole: "role" must be a non-empty string');
  return async function ensureRole(c, next) {
    const session = c.get('session')!;
    const held = sessionRoles(session);
    if (held.includes(role)) return next();
    c.header('X-Entrakit-Error', 'ROLE_REQUIRED');
    return render(c, 'Not allowed', 'none', forbiddenPage({ role, held, path: c.req.path }), 403);
  };
}
