// A protected API on Hono with entrakit. Settings: AZURE_TENANT_ID, AZURE_CLIENT_ID (this API's
// client id; tokens for it or its api:// URI are accepted), AZURE_AUTHORITY_HOST, PORT (default 5001).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createBearerAuthenticator } from 'entrakit/bearer';
import { bearerAuth, type BearerEnv } from 'entrakit/bearer/hono';

const { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: clientId } = process.env;
if (!tenant || !clientId) throw new Error('set AZURE_TENANT_ID and AZURE_CLIENT_ID');
const authorityHost = (process.env.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');

const authenticate = createBearerAuthenticator({
  discoveryUrls: [`${authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`],
  audiences: [clientId, `api://${clientId}`],
});

const app = new Hono<BearerEnv>();
// A user's delegated scope, or the app role a daemon is granted; failures answer 401/403 with the
// RFC 6750 challenge (as HTTPException, so an app.onError sees them).
app.get('/api/me', bearerAuth(authenticate, { scopes: ['user_impersonation'], roles: ['Api.Admin'] }), (c) => {
  const { objectId: oid, scopes, roles } = c.get('principal');
  return c.json({ oid, scopes, roles });
});

const port = Number(process.env.PORT ?? 5001);
serve({ fetch: app.fetch, port }, () => console.log(`listening on http://localhost:${port}`));
