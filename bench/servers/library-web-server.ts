// The Express example on entrakit/web (createWebAuth, memory store) in its own process, against
// the emulator's demo web app: home, a page of the ID token's claims, POST sign-out with the
// form's CSRF token. Registered as in dev.json: http://localhost:5000.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createWebAuth } from 'entrakit/web';
import { trustCaCertificate } from '../../packages/entrakit/src/core/trust-ca.ts';
import { serveFromParent } from '../lib/server-process.ts';
import { claimsPage, escapeHtml } from './claims-page.ts';

export interface WebRpInput {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caPem: string;
}

serveFromParent<WebRpInput, { url: string }>(async ({ authorityHost, tenantId, clientId, clientSecret, caPem }) => {
  trustCaCertificate(caPem);
  const entra = createWebAuth({ tenantId, clientId, clientSecret, authorityHost, baseUrl: 'http://localhost:5000', env: {} });
  const app = express();
  app.use(entra.express());
  app.get('/', (req, res) => {
    const user = entra.user(req);
    res.send(user ? `<p>Signed in as ${escapeHtml(String(user.name))}</p><a href="/claims">Claims</a>` : '<a href="/claims">Sign in</a>');
  });
  app.get('/claims', entra.requireSignIn(), (req, res) => {
    const form = `<form method="post" action="/auth/sign-out"><input type="hidden" name="csrf" value="${escapeHtml(entra.csrfToken(req))}"><button>Sign out</button></form>`;
    res.send(claimsPage(entra.user(req)!.claims, form));
  });
  app.use(entra.expressErrors());
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  return {
    info: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await entra.close();
    },
  };
});
