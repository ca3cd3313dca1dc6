import type { Hono } from 'hono';
import { bearerAuth } from '../bearer/index.ts';
import type { BearerAuthenticator, BearerEnv } from '../bearer/index.ts';
import { API_ROLES, API_SCOPE } from '../permissions.ts';

/**
 * `GET /api/me`: the validated caller. A user needs the `user_impersonation` scope; an app (or a
 * user) may instead hold one of the API's app roles.
 */
export function meRoute(app: Hono<BearerEnv>, deps: { authenticator: BearerAuthenticator }): void {
  app.get('/api/me', bearerAuth(deps.authenticator, { scopes: [API_SCOPE], roles: [...API_ROLES] }), (c) => {
    const p = c.get('principal');
    c.header('Cache-Control', 'no-store');
    return c.json({
      kind: p.kind,
      user: p.kind === 'user' ? { oid: p.objectId, name: p.name ?? null, username: p.username ?? null } : null,
      tenant: p.tenantId,
      scopes: p.scopes,
      roles: p.roles,
      // For app-only tokens oid is the calling app's service principal.
      app: { clientId: p.clientId, ...(p.kind === 'app' ? { servicePrincipalId: p.objectId } : {}) },
      tokenVersion: p.tokenVersion,
    });
  });
}
