// node-oidc-provider issuing RS256 JWT access tokens for client credentials, served like the emulator.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { serveFromParent } from '../lib/server-process.ts';

export interface OidcProviderInput {
  /** The emulator's leaf certificate, so both token endpoints pay for the same TLS. Omit for HTTP. */
  tls?: { certPem: string; keyPem: string };
}

export interface OidcProviderInfo {
  tokenUrl: string;
  form: string;
}

const RESOURCE = 'https://api.bench.example';

serveFromParent<OidcProviderInput, OidcProviderInfo>(async ({ tls }) => {
  let listener: RequestListener = (_req, res) => res.writeHead(503).end();
  const server = tls
    ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => listener(req, res))
    : createHttpServer((req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const clientSecret = randomBytes(24).toString('base64url');
  const provider = new Provider(origin, {
    clients: [
      {
        client_id: 'bench-client',
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [{ ...jwk, kid: 'bench-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    ttl: { ClientCredentials: 3600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'read',
          audience: RESOURCE,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  listener = provider.callback();
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bench-client', client_secret: clientSecret, scope: 'read', resource: RESOURCE });
  return {
    info: { tokenUrl: `${origin}/token`, form: form.toString() },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
});
