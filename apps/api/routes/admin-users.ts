import type { Hono } from 'hono';
import type { BearerAuthenticator } from 'entrakit/bearer';
import { bearerAuth } from 'entrakit/bearer/hono';
import type { BearerEnv } from 'entrakit/bearer/hono';
import type { DirectoryUsers } from '../graph/graph-users.ts';
import { ADMIN_ROLE } from '../permissions.ts';

/**
 * `GET /api/admin/users`: needs the app role `Api.Admin`, held by a user or by a calling app.
 * The users are read from Microsoft Graph by the API itself, with its own app-only token.
 */
export function adminUsersRoute(app: Hono<BearerEnv>, deps: { authenticator: BearerAuthenticator; users: DirectoryUsers }): void {
  app.get('/api/admin/users', bearerAuth(deps.authenticator, { roles: [ADMIN_ROLE] }), async (c) => {
    const p = c.get('principal');
    const { users, more } = await deps.users.listUsers();
    c.header('Cache-Control', 'no-store');
    return c.json({
      caller: { kind: p.kind, oid: p.objectId, clientId: p.clientId, roles: p.roles },
      users,
      more,
    });
  });
}
