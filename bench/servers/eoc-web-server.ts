// The same app on Express + express-openid-connect, against the same emulator and the same demo
// web app registration (callback /auth/callback on http://localhost:5000): home, a page of the ID
// token's claims, sign-out (its GET /logout, local only, as the library's sign-out is).
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import openidConnect from 'express-openid-connect';
import { trustCaCertificate } from '../../packages/entrakit/src/core/trust-ca.ts';
import { serveFromParent } from '../lib/server-process.ts';
import { claimsPage, escapeHtml } from './claims-page.ts';
import type { WebRpInput } from './library-web-server.ts';

const { auth, requiresAuth } = openidConnect; // a CommonJS module

serveFromParent<WebRpInput, { url: string }>(async ({ authorityHost, tenantId, clientId, clientSecret, caPem }) => {
  trustCaCertificate(caPem);
  const app = express();
  app.use(
    auth({
      issuerBaseURL: `${authorityHost}/${tenantId}/v2.0`,
      baseURL: 'http://localhost:5000',
      clientID: clientId,
      clientSecret,
      secret: randomBytes(32).toString('base64url'),
      authRequired: false,
      idpLogout: false,
      routes: { callback: '/auth/callback' },
      authorizationParams: { response_type: 'code', scope: 'openid profile email' },
    }),
  );
  app.get('/', (req, res) => {
    res.send(req.oidc.isAuthenticated() ? `<p>Signed in as ${escapeHtml(String(req.oidc.user?.['name']))}</p><a href="/claims">Claims</a>` : '<a href="/login">Sign in</a>');
  });
  app.get('/claims', requiresAuth(), (req, res) => {
    res.send(claimsPage(req.oidc.idTokenClaims ?? {}, '<a href="/logout">Sign out</a>'));
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  return {
    info: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
});
