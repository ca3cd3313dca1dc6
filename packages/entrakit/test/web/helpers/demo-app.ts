/**
 * The Hono example's app (examples/hono-web/server.ts) in-process, built on createWebAuth from the
 * library's sources, against the real emulator over HTTPS.
 */
import { Hono } from 'hono';
import type { CreatedWebAuth, WebAuthOptions } from '../../../src/web/index.ts';
import type { RunningEmulator } from '../../../../emulator/src/server.ts';

export const APP_ORIGIN = 'http://localhost:5000';

export function demoSettings(emulator: RunningEmulator): WebAuthOptions {
  const web = emulator.devJson.apps.web;
  return { tenantId: emulator.devJson.tenantId, clientId: web.clientId, clientSecret: web.clientSecret, authorityHost: emulator.url, baseUrl: APP_ORIGIN, env: {} };
}

export function createDemoApp(entra: CreatedWebAuth): Hono {
  const app = new Hono();
  app.use(entra.hono());
  app.get('/', (c) => c.text(entra.user(c) ? `signed in as ${entra.user(c)!.username}` : 'public'));
  app.get('/profile', entra.requireSignIn(), async (c) => {
    const user = entra.user(c)!;
    const me = (await (await entra.graph(c, '/me')).json()) as { displayName?: string };
    return c.json({ name: user.name, username: user.username, displayName: me.displayName, csrf: entra.csrfToken(c) });
  });
  app.get('/secure', entra.requireAuthContext('c1'), (c) => c.json({ authContexts: entra.user(c)!.authContexts }));
  return app;
}
