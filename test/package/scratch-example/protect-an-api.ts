// The README's library example, run from the packed packages in a scratch project: a Hono app whose
// route is protected by bearerAuth, against the emulator started in-process.
import { Hono } from 'hono';
import { createBearerAuthenticator } from 'entrakit/bearer';
import { bearerAuth, type BearerEnv } from 'entrakit/bearer/hono';
import { explainClaims, decodeToken } from 'entrakit';
import { createMemoryStore, createSessionStore } from 'entrakit/store';
import { safeReturnTo } from 'entrakit/web';
import { startEmulator } from '@entrakit/emulator';

const emulator = await startEmulator({ port: 0, trustCa: true });
try {
  const { tenantId, apps } = emulator.devJson;
  const authenticator = createBearerAuthenticator({
    discoveryUrls: [`${emulator.url}/${tenantId}/v2.0/.well-known/openid-configuration`],
    audiences: [apps.api.clientId],
  });
  const app = new Hono<BearerEnv>();
  app.get('/api/hello', bearerAuth(authenticator, { principal: 'app' }), (c) => c.json({ hello: c.get('principal').objectId }));

  // An app-only token for the API: the web app's credentials, client credentials grant.
  const response = await fetch(`${emulator.url}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: apps.web.clientId,
      client_secret: apps.web.clientSecret,
      scope: `api://${apps.api.clientId}/.default`,
    }),
  });
  const { access_token: token } = (await response.json()) as { access_token: string };

  const anonymous = await app.request('/api/hello');
  const signed = await app.request('/api/hello', { headers: { authorization: `Bearer ${token}` } });
  const explained = explainClaims(decodeToken(token).payload).map((c) => c.name);
  const sessions = createSessionStore(createMemoryStore(), { idleTimeoutMs: 60_000, absoluteTimeoutMs: 600_000 });
  console.log(JSON.stringify({
    anonymous: anonymous.status,
    challenge: anonymous.headers.get('www-authenticate'),
    signed: signed.status,
    body: await signed.json(),
    explained: explained.includes('azp'),
    sessions: typeof sessions.create,
    returnTo: safeReturnTo('//evil.example/x'),
  }));
} finally {
  await emulator.close();
}
