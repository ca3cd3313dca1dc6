// A bearer-only user's project: `npm install entrakit` (no MSAL, no framework), one token checked
// against a JWKS served here, printed as JSON for the test.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createBearerAuthenticator } from 'entrakit/bearer';
import { isLibraryError } from 'entrakit';

const { privateKey, publicKey } = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' };
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const tenant = '11111111-1111-4111-8111-111111111111';
const issuer = `https://login.example.test/${tenant}/v2.0`;
const audience = '22222222-2222-4222-8222-222222222222';
const authenticate = createBearerAuthenticator({
  issuers: [{ issuer, jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys` }],
  audiences: [audience],
});
const token = await new SignJWT({ tid: tenant, oid: '33333333-3333-4333-8333-333333333333', ver: '2.0', azp: '44444444-4444-4444-8444-444444444444', scp: 'user_impersonation' })
  .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
  .setIssuer(issuer)
  .setAudience(audience)
  .setIssuedAt()
  .setExpirationTime('10m')
  .sign(privateKey);
const request = (authorization?: string): Request => new Request('http://api.test/me', authorization ? { headers: { authorization } } : {});
const principal = await authenticate(request(`Bearer ${token}`), { scopes: ['user_impersonation'] });
const refused = await authenticate(request()).then(() => 'accepted', (error: unknown) => (isLibraryError(error) ? error.code : String(error)));
server.close();
console.log(JSON.stringify({ kind: principal.kind, scopes: principal.scopes, refused }));
