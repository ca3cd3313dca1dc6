import type { Hono } from 'hono';
import type { AppEnv, WebDeps } from '../context.ts';
import type { AppGraph } from '../graph/app-graph.ts';
import { readRegistrations } from '../graph/registrations.ts';
import { requireSignIn } from '../middleware/require-sign-in.ts';
import { adminPage } from '../views/admin-page.ts';
import { registrationsPage } from '../views/registrations-page.ts';
import { render } from '../views/render.ts';
import { requireRole, sessionRoles } from './require-role.ts';

/** The app role (its `value`) that opens the admin pages. */
export const ADMIN_ROLE = 'Admin';

/**
 * GET /admin: the local user records; GET /admin/registrations: the tenant's app registrations
 * and service principals from Graph. Both need the app role Admin in the ID token; others get 403.
 */
export function adminRoutes(app: Hono<AppEnv>, deps: Pick<WebDeps, 'stores'>, graph: AppGraph): void {
  app.get('/admin', requireSignIn(), requireRole(ADMIN_ROLE), async function showAdmin(c) {
    const users = await deps.stores.users.list();
    return render(c, 'Administration', 'admin', adminPage({ users, roles: sessionRoles(c.get('session')!) }));
  });
  app.get('/admin/registrations', requireSignIn(), requireRole(ADMIN_ROLE), async function showRegistrations(c) {
    const registrations = await readRegistrations(graph);
    return render(c, 'Registrations', 'admin', registrationsPage({ ...registrations, graphUrl: await graph.baseUrl() }));
  });
}
