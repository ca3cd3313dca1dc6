// What a user of the library writes: a plain Hono app on @hono/node-server, `bearerAuth` from
// entrakit/bearer on one route, and the very same handler on a route without it.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { trustCaCertificate } from 'entrakit';
import { createBearerAuthenticator } from 'entrakit/bearer';
import { bearerAuth, type BearerEnv } from 'entrakit/bearer/hono';
import { serveFromParent } from '../lib/server-process.ts';

export interface BearerAppInput {
  /** `{emulator}/{tenantId}` */
  authority: string;
  tenantId: string;
  /** The API's client id: tokens must be issued for it. */
  audience: string;
  caPem: string;
}

serveFromParent<BearerAppInput, { url: string }>(async ({ authority, tenantId, audience, caPem }) => {
  trustCaCertificate(caPem);
  const authenticator = createBearerAuthenticator({
    discoveryUrls: [`${authority}/v2.0/.well-known/openid-configuration`],
    audiences: [audience, `api://${audience}`],
    allowedTenants: [tenantId],
  });
  // A delegated scope or an app role, as an API that serves users and daemons asks for.
  const requirement = { scopes: ['user_impersonation'], roles: ['Api.Admin'] };
  // One handler for both routes; without bearerAuth there is no principal and it answers null.
  const me = (c: Context<BearerEnv>) => {
    const principal = c.var.principal as BearerEnv['Variables']['principal'] | undefined;
    return c.json({ oid: principal?.objectId ?? null, kind: principal?.kind ?? null });
  };
  const app = new Hono<BearerEnv>();
  app.get('/api/me', bearerAuth(authenticator, requirement), me);
  app.get('/open/me', me);
  // For reading the numbers only: what any middleware at all costs on this stack (a handler
  // alone is called directly by Hono; one middleware in front makes it compose and await).
  app.get('/noop/me', (_c, next) => next(), me);

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    info: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
});
