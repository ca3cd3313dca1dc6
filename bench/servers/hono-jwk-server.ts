// A bare Hono app with Hono's own hono/jwk middleware: by jwks_uri (as documented), or with the keys preloaded once.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { jwk } from 'hono/jwk';
import { trustCaCertificate } from '../../packages/entrakit/src/core/trust-ca.ts';
import { serveFromParent } from '../lib/server-process.ts';
import type { VerifierInput } from './express-jwt-server.ts';

serveFromParent<VerifierInput & { preloadKeys: boolean }, { url: string }>(async ({ jwksUri, issuer, audience, caPem, preloadKeys }) => {
  trustCaCertificate(caPem);
  // hono/jwk fetches jwks_uri on every request; preloading shows the verification cost alone.
  const keys = preloadKeys ? ((await (await fetch(jwksUri)).json()) as { keys: Parameters<typeof jwk>[0]['keys'] & object[] }).keys : undefined;
  const app = new Hono<{ Variables: { jwtPayload: Record<string, unknown> } }>();
  app.get('/api/me', jwk({ ...(keys ? { keys } : { jwks_uri: jwksUri }), alg: ['RS256'], verification: { iss: issuer, aud: audience } }), (c) => {
    const claims = c.get('jwtPayload');
    return c.json({ oid: claims['oid'], tid: claims['tid'], scp: claims['scp'] });
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    info: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
