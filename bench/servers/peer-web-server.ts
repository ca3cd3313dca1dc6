// The peer web app: Express 5 with express-openid-connect (code flow with PKCE) against
// node-oidc-provider; a home page, a profile page (the provider's userinfo with the access token)
// and a story page, like the reference web app's.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import openidConnect from 'express-openid-connect';
import { trustCaCertificate } from '../../packages/entrakit/src/core/trust-ca.ts';
import { serveFromParent } from '../lib/server-process.ts';

export interface PeerWebInput {
  issuer: string;
  clientId: string;
  clientSecret: string;
  caPem: string;
  /** The port of the listener the parent hands over (bound before the provider registered its URL). */
  port: number;
  /** Each user's story, by `sub`. */
  stories: Record<string, string>;
}

const { auth, requiresAuth } = openidConnect; // a CommonJS module

serveFromParent<PeerWebInput, { url: string }>(async ({ issuer, clientId, clientSecret, caPem, port, stories }, listener) => {
  if (!listener) throw new Error('the peer web app listens on the port its parent bound for it');
  trustCaCertificate(caPem);
  const baseURL = `http://127.0.0.1:${port}`;
  const app = express();
  app.use(
    auth({
      issuerBaseURL: issuer,
      baseURL,
      clientID: clientId,
      clientSecret,
      secret: randomBytes(32).toString('base64url'),
      authRequired: false,
      idpLogout: false,
      authorizationParams: { response_type: 'code', scope: 'openid profile email' },
    }),
  );
  const page = (title: string, body: string) => `<!doctype html><title>${escape(title)}</title>${body}`;
  app.get('/', (req, res) => {
    res.send(page('Home', req.oidc.isAuthenticated() ? `<p>Signed in as ${escape(String(req.oidc.user?.['name']))}</p><a href="/logout">Sign out</a>` : '<a href="/login">Sign in</a>'));
  });
  app.get('/profile', requiresAuth(), async (req, res) => {
    const me = await req.oidc.fetchUserInfo();
    res.send(page('Profile', `<dl><dt>Name</dt><dd>${escape(String(me['name']))}</dd><dt>Email</dt><dd>${escape(String(me['email']))}</dd><dt>sub</dt><dd>${escape(me.sub)}</dd></dl>`));
  });
  app.get('/story', requiresAuth(), (req, res) => {
    const story = stories[String(req.oidc.user?.['sub'])];
    if (story === undefined) return void res.status(404).send(page('Story', '<p>No story</p>'));
    res.send(page('Story', `<pre>${escape(story)}</pre>`));
  });
  const server = createServer(app).listen(listener);
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

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
