import type { Context, Hono, Next } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { parseFaultRule } from '../faults.ts';
import { adminWriteIsJson, crossSiteAdminWrite } from './admin-writes.ts';
import { isAdmin, requestLogRoutes } from '../request-log/admin-routes.ts';
import { clockRoutes } from '../admin/clock-routes.ts';
import { testControlRoutes } from '../admin/test-control-routes.ts';

/** Admin endpoints for tests and demos: key rotation, fault injection and the request log. */
export function adminEndpoints(app: Hono, deps: Pick<EmulatorDeps, 'keys' | 'faults' | 'adminKey' | 'requestLog' | 'cookieSecret' | 'time' | 'publicUrl' | 'directory' | 'clock' | 'state'>): void {
  // Every /_admin route, present and future, passes here: cross-site writes, then the key, then JSON.
  const requireAdmin = async (c: Context, next: Next) => {
    const crossSite = crossSiteAdminWrite(c, deps.publicUrl);
    if (crossSite) return c.json({ error: 'forbidden', error_description: `Admin writes are accepted from the emulator's own pages and from tools only: ${crossSite}.` }, 403);
    // The sign-in page is where a browser proves it knows the key (a form post).
    if (c.req.path === '/_admin/sign-in') return next();
    if (!isAdmin(c, deps)) {
      if (c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html')) return c.redirect('/_admin/sign-in', 303);
      return c.json({ error: 'unauthorized', error_description: 'x-entrakit-admin header missing or wrong (see emulator.adminKey in dev.json)' }, 401);
    }
    if (!adminWriteIsJson(c)) return c.json({ error: 'invalid_request', error_description: 'Admin writes take Content-Type: application/json.' }, 415);
    await next();
  };
  app.use('/_admin/*', requireAdmin);
  requestLogRoutes(app, deps);
  clockRoutes(app, deps);
  testControlRoutes(app, deps);
  // The new key is published at once and signs after the lead time (ENTRAKIT_EMULATOR_KEY_LEAD_SEC).
  app.post('/_admin/rotate-keys', async (c) => {
    const rotation = await deps.keys.rotate();
    return c.json({ kid: rotation.kid, activatesAt: new Date(rotation.activatesAt).toISOString(), signingKid: rotation.signingKid });
  });
  app.get('/_admin/faults', (c) => c.json({ faults: deps.faults.list() }));
  app.post('/_admin/faults', async (c) => {
    let rule;
    try {
      rule = parseFaultRule(await c.req.json());
    } catch (error) {
      return c.json({ error: 'invalid_request', error_description: error instanceof Error ? error.message : 'invalid JSON' }, 400);
    }
    deps.faults.add(rule);
    return c.json({ faults: deps.faults.list() }, 201);
  });
  app.delete('/_admin/faults', (c) => {
    deps.faults.clear();
    return c.body(null, 204);
  });
}
