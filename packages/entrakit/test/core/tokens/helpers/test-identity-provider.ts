/**
 * An in-test Entra-like identity provider: RSA keys from jose, discovery + JWKS served by node:http
 * on 127.0.0.1:0, hit counters, and builders for ID tokens and v1/v2 access tokens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

export const TENANT_ID = '11111111-1111-4111-8111-111111111111';
export const OTHER_TENANT_ID = '22222222-2222-4222-8222-222222222222';
export const WEB_CLIENT_ID = 'aaaaaaaa-0000-4000-8000-000000000001';
export const API_CLIENT_ID = 'bbbbbbbb-0000-4000-8000-000000000002';
export const API_APP_ID_URI = `api://${API_CLIENT_ID}`;
export const USER_OID = 'cccccccc-0000-4000-8000-000000000003';
export const APP_SP_OID = 'dddddddd-0000-4000-8000-000000000004';
export const NONCE = 'n-0S6_WzA2Mj';
/** Fixed "now" for every test, in seconds. */
export const NOW_SEC = Math.floor(Date.now() / 1000);
export const clock = (): number => NOW_SEC * 1000;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function createSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicKey, publicJwk: await exportJWK(publicKey) };
}

export interface TestIdentityProvider {
  baseUrl: string;
  issuerFor(tenantId: string): string;
  issuer: string;
  templateIssuer: string;
  v1Issuer: string;
  discoveryUrl: string;
  commonDiscoveryUrl: string;
  jwksUri: string;
  key: SigningKey;
  hits: { discovery: number; jwks: number; paths: string[] };
  /** Answer JWKS / discovery requests with this status instead of 200. */
  failures: { jwksStatus?: number; discoveryStatus?: number };
  publishKey(key: SigningKey): void;
  sign(claims: JWTPayload, options?: { key?: SigningKey; kid?: string; header?: Record<string, unknown> }): Promise<string>;
  idTokenClaims(overrides?: Record<string, unknown>): JWTPayload;
  accessTokenV2Claims(overrides?: Record<string, unknown>): JWTPayload;
  appTokenV2Claims(overrides?: Record<string, unknown>): JWTPayload;
  accessTokenV1Claims(overrides?: Record<string, unknown>): JWTPayload;
  close(): Promise<void>;
}

export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  const key = await createSigningKey('key-1');
  const published: SigningKey[] = [key];
  const hits = { discovery: 0, jwks: 0, paths: [] as string[] };
  const failures: TestIdentityProvider['failures'] = {};
  let baseUrl = '';

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.paths.push(path);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (discovery) {
      hits.discovery += 1;
      if (failures.discoveryStatus) return send(failures.discoveryStatus, { error: 'down' });
      const tenant = discovery[1] === 'common' || discovery[1] === 'organizations' ? '{tenantid}' : discovery[1];
      const t = discovery[1];
      return send(200, {
        issuer: `${baseUrl}/${tenant}/v2.0`,
        authorization_endpoint: `${baseUrl}/${t}/oauth2/v2.0/authorize`,
        token_endpoint: `${baseUrl}/${t}/oauth2/v2.0/token`,
        jwks_uri: `${baseUrl}/${t}/discovery/v2.0/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (/^\/[^/]+\/discovery\/v2\.0\/keys$/.test(path)) {
      hits.jwks += 1;
      if (failures.jwksStatus) return send(failures.jwksStatus, { error: 'down' });
      return send(200, { keys: published.map((k) => ({ ...k.publicJwk, kid: k.kid, use: 'sig' })) });
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuerFor = (tenantId: string): string => `${baseUrl}/${tenantId}/v2.0`;
  const issuer = issuerFor(TENANT_ID);
  const v1Issuer = `https://sts.windows.net/${TENANT_ID}/`;
  const times = { iat: NOW_SEC - 60, nbf: NOW_SEC - 60, exp: NOW_SEC + 3600 };

  return {
    baseUrl,
    issuerFor,
    issuer,
    templateIssuer: `${baseUrl}/{tenantid}/v2.0`,
    v1Issuer,
    discoveryUrl: `${baseUrl}/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
    commonDiscoveryUrl: `${baseUrl}/common/v2.0/.well-known/openid-configuration`,
    jwksUri: `${baseUrl}/${TENANT_ID}/discovery/v2.0/keys`,
    key,
    hits,
    failures,
    publishKey: (extra) => void published.push(extra),
    sign: (claims, options = {}) => {
      const signer = options.key ?? key;
      return new SignJWT(claims)
        .setProtectedHeader({ typ: 'JWT', ...options.header, alg: 'RS256', kid: options.kid ?? signer.kid })
        .sign(signer.privateKey);
    },
    idTokenClaims: (overrides = {}) => ({
      aud: WEB_CLIENT_ID, iss: issuer, ...times, aio: 'opaque', name: 'Ada Lovelace', nonce: NONCE, oid: USER_OID,
      preferred_username: 'ada@contoso.test', rh: 'opaque', sid: 'session-1', sub: 'pairwise-sub-for-web-app',
      tid: TENANT_ID, uti: 'uti-1', ver: '2.0', ...overrides,
    }),
    accessTokenV2Claims: (overrides = {}) => ({
      aud: API_CLIENT_ID, iss: issuer, ...times, azp: WEB_CLIENT_ID, azpacr: '1', name: 'Ada Lovelace', oid: USER_OID,
      preferred_username: 'ada@contoso.test', scp: 'Stories.Read User.Read', sub: 'pairwise-sub-for-api',
      tid: TENANT_ID, ver: '2.0', ...overrides,
    }),
    appTokenV2Claims: (overrides = {}) => ({
      aud: API_CLIENT_ID, iss: issuer, ...times, azp: WEB_CLIENT_ID, azpacr: '1', oid: APP_SP_OID, sub: APP_SP_OID,
      idtyp: 'app', roles: ['Stories.Read.All'], tid: TENANT_ID, ver: '2.0', ...overrides,
    }),
    accessTokenV1Claims: (overrides = {}) => ({
      aud: API_APP_ID_URI, iss: v1Issuer, ...times, appid: WEB_CLIENT_ID, appidacr: '1', amr: ['pwd'], name: 'Ada Lovelace',
      oid: USER_OID, scp: 'Stories.Read', sub: 'v1-sub', tid: TENANT_ID, unique_name: 'ada@contoso.test',
      upn: 'ada@contoso.test', ver: '1.0', ...overrides,
    }),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Starts a server that only counts requests (an attacker's key URL, a dead endpoint, ...). */
export async function startCountingServer(status = 200, body: unknown = { keys: [] }): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = createServer((_req, res) => {
    count += 1;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits: () => count, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A loopback URL nobody listens on (the port was just released). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
