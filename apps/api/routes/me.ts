import type { Hono } from 'hono';
import type { BearerAuthenticator, Principal } from 'entrakit/bearer';
import { bearerAuth } from 'entrakit/bearer/hono';
import type { BearerEnv } from 'entrakit/bearer/hono';
import { API_ROLES, API_SCOPE } from '../permissions.ts';

/**
 * `GET /api/me`: the validated caller. A user needs the `user_impersonation` scope; an app (or a
 * user) may instead hold one of the API's app roles.
 */
export function meRoute(app: Hono<BearerEnv>, deps: { authenticator: BearerAuthenticator }): void {
  app.get('/api/me', bearerAuth(deps.authenticator, { scopes: [API_SCOPE], roles: [...API_ROLES] }), (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(describeCaller(c.get('principal')));
  });
}

function describeCaller(p: Principal): object {
  return {
    kind: p.kind,
    user: p.kind === 'user' ? { oid: p.objectId, name: p.name ?? null, username: p.username ?? null } : null,
    tenant: p.tenantId,
    scopes: p.scopes,
    roles: p.roles,
    // For app-only tokens oid is the calling app's service principal.
    app: { clientId: p.clientId, ...(p.kind === 'app' ? { servicePrincipalId: p.objectId } : {}) },
    tokenVersion: p.tokenVersion,
  };
}
