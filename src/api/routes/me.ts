import type { Principal } from '../bearer/index.ts';
import type { DirectJsonRoute } from '../http/direct-json-route.ts';
import { API_ROLES, API_SCOPE } from '../permissions.ts';

/**
 * `GET /api/me`: the validated caller. A user needs the `user_impersonation` scope; an app (or a
 * user) may instead hold one of the API's app roles.
 */
export function meRoute(): DirectJsonRoute {
  // A cached token yields the same principal object on every hit, so its answer is built once.
  const answers = new WeakMap<Principal, string>();
  return {
    path: '/api/me',
    requirement: { scopes: [API_SCOPE], roles: [...API_ROLES] },
    answer(p) {
      let text = answers.get(p);
      if (text === undefined) {
        text = JSON.stringify(describeCaller(p));
        answers.set(p, text);
      }
      return text;
    },
  };
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
