import type { MiddlewareHandler } from 'hono';
import type { AppEnv, WebDeps } from '../context.ts';
import { clearCookie, readCookie } from './cookies.ts';

/** Loads the server-side session named by the session cookie (sliding its idle timeout). */
export function sessionLoader(deps: Pick<WebDeps, 'stores' | 'cookies'>): MiddlewareHandler<AppEnv> {
  return async function loadSession(c, next) {
    const id = readCookie(c, deps.cookies.session);
    const record = id === undefined ? undefined : await deps.stores.sessions.get(id);
    c.set('session', id !== undefined && record ? { id, data: record.data, createdAt: record.createdAt, lastSeenAt: record.lastSeenAt } : undefined);
    // A cookie for a session that timed out or was signed out elsewhere: forget it.
    if (id !== undefined && !record) clearCookie(c, deps.cookies, deps.cookies.session);
    await next();
  };
}
