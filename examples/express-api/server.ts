// A protected API on Express with entrakit. Settings: AZURE_TENANT_ID, AZURE_CLIENT_ID (this API's
// client id; tokens for it or its api:// URI are accepted), AZURE_AUTHORITY_HOST, PORT (default 5001).
import express from 'express';
import { createBearerAuthenticator } from 'entrakit/bearer';
import { bearerAuth, bearerErrorHandler } from 'entrakit/bearer/express';

const { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: clientId } = process.env;
if (!tenant || !clientId) throw new Error('set AZURE_TENANT_ID and AZURE_CLIENT_ID');
const authorityHost = (process.env.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');

const authenticate = createBearerAuthenticator({
  discoveryUrls: [`${authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`],
  audiences: [clientId, `api://${clientId}`],
});

const app = express();
// A user's delegated scope, or the app role a daemon is granted.
app.get('/api/me', bearerAuth(authenticate, { scopes: ['user_impersonation'], roles: ['Api.Admin'] }), (req, res) => {
  const { objectId: oid, scopes, roles } = req.auth!;
  res.json({ oid, scopes, roles });
});
// 401/403 with the RFC 6750 challenge, as JSON.
app.use(bearerErrorHandler());

const port = Number(process.env.PORT ?? 5001);
app.listen(port, (error) => {
  if (error) throw error; // Express 5 hands a failed listen (EADDRINUSE) to this callback
  console.log(`listening on http://localhost:${port}`);
});
