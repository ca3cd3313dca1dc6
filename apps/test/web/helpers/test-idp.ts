/**
 * A small Entra-like identity provider for the web app's rejection tests: HTTPS (the emulator's
 * local CA and leaf certificate, because MSAL refuses http authorities) on 127.0.0.1:0, serving
 * discovery, JWKS, /authorize (redirects straight back with a code) and /token, which answers with
 * an ID token shaped by `idp.idTokenMode` so each validation failure can be produced on demand.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { trustCaCertificate } from '../../../../packages/entrakit/src/core/trust-ca.ts';
import { ensureLocalTls } from '../../../../packages/emulator/src/tls/local-ca.ts';

export const IDP_TENANT_ID = '5d1e4c6a-7b1f-4c2e-9a51-0f3b2c1d4e5f';
export const IDP_CLIENT_ID = '9a8b7c6d-1111-4222-8333-444455556666';
export const IDP_USER = { oid: '0b9e2f1a-aaaa-4bbb-8ccc-dddddddddddd', name: 'Test User', username: 'test.user@idp.example' };

export type IdTokenMode = 'valid' | 'bad-signature' | 'wrong-aud' | 'wrong-iss' | 'expired' | 'wrong-nonce' | 'alg-none';

export interface TestIdp {
  url: string;
  clientSecret: string;
  idTokenMode: IdTokenMode;
  /** Token endpoint requests received (to prove a rejection happened before any token call). */
  tokenRequests: number;
  /** Refresh-token grants received (silent renewal by MSAL). */
  refreshRequests: number;
  /** expires_in of issued access tokens; under 300 s MSAL treats them as due for renewal at once. */
  accessTokenLifetimeSec: number;
  /** sid claim of the ID tokens issued. */
  sid: string;
  /** client-request-id of the last token request (MSAL Node sends it in the token URL's query). */
  lastTokenClientRequestId: string | undefined;
  close(): Promise<void>;
}

interface IssuedCode {
  nonce: string;
  challenge: string;
  redirectUri: string;
  scope: string;
}

export async function startTestIdp(dataDir: string): Promise<TestIdp> {
  const tls = await ensureLocalTls(dataDir);
  trustCaCertificate(tls.caPem);
  const good = await generateKeyPair('RS256', { extractable: true });
  const rogue = await generateKeyPair('RS256');
  const kid = 'test-key-1';
  const jwk = { ...(await exportJWK(good.publicKey)), kid, use: 'sig', kty: 'RSA' };
  const codes = new Map<string, IssuedCode>();

  const state: TestIdp = {
    url: '',
    clientSecret: randomBytes(24).toString('base64url'),
    idTokenMode: 'valid',
    tokenRequests: 0,
    refreshRequests: 0,
    accessTokenLifetimeSec: 3600,
    sid: randomUUID(),
    lastTokenClientRequestId: undefined,
    close: async () => undefined,
  };
  const issuer = (): string => `${state.url}/${IDP_TENANT_ID}/v2.0`;

  async function sign(payload: JWTPayload, key: CryptoKey, header: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, ...header }).sign(key);
  }

  async function idToken(nonce: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const mode = state.idTokenMode;
    const claims: JWTPayload = {
      aud: mode === 'wrong-aud' ? randomUUID() : IDP_CLIENT_ID,
      iss: mode === 'wrong-iss' ? `https://login.evil.example/${IDP_TENANT_ID}/v2.0` : issuer(),
      iat: mode === 'expired' ? now - 7200 : now,
      nbf: mode === 'expired' ? now - 7200 : now,
      exp: mode === 'expired' ? now - 3600 : now + 3600,
      name: IDP_USER.name,
      preferred_username: IDP_USER.username,
      oid: IDP_USER.oid,
      sub: 'pairwise-subject-for-test-user',
      tid: IDP_TENANT_ID,
      sid: state.sid,
      nonce: mode === 'wrong-nonce' ? randomBytes(32).toString('base64url') : nonce,
      uti: randomBytes(16).toString('base64url'),
      ver: '2.0',
    };
    if (mode === 'alg-none') {
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
    }
    return sign(claims, mode === 'bad-signature' ? rogue.privateKey : good.privateKey);
  }

  async function tokenResponse(scope: string, nonce: string | undefined): Promise<Record<string, unknown>> {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await sign(
      { aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${IDP_TENANT_ID}/`, iat: now, nbf: now, exp: now + state.accessTokenLifetimeSec, oid: IDP_USER.oid, tid: IDP_TENANT_ID, scp: 'User.Read email', ver: '1.0', appid: IDP_CLIENT_ID },
      good.privateKey,
      { nonce: randomBytes(16).toString('base64url') },
    );
    return {
      token_type: 'Bearer',
      scope,
      expires_in: state.accessTokenLifetimeSec,
      ext_expires_in: state.accessTokenLifetimeSec,
      access_token: accessToken,
      refresh_token: randomBytes(48).toString('base64url'),
      ...(nonce !== undefined ? { id_token: await idToken(nonce) } : {}),
      client_info: Buffer.from(JSON.stringify({ uid: IDP_USER.oid, utid: IDP_TENANT_ID })).toString('base64url'),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', state.url);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    // The tenant segment: the tenant itself, or the multi-tenant aliases (which publish Entra's issuer template).
    const segment = /^\/(common|organizations|[0-9a-f-]{36})\//.exec(url.pathname)?.[1] ?? IDP_TENANT_ID;
    const base = `${state.url}/${segment}`;
    const path = url.pathname.replace(/^\/(common|organizations)\//, `/${IDP_TENANT_ID}/`);
    if (path === `/${IDP_TENANT_ID}/v2.0/.well-known/openid-configuration`) {
      return send(200, {
        issuer: segment === IDP_TENANT_ID ? issuer() : `${state.url}/{tenantid}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        id_token_signing_alg_values_supported: ['RS256'],
        msgraph_host: new URL(state.url).host,
      });
    }
    if (path === `/${IDP_TENANT_ID}/discovery/v2.0/keys`) return send(200, { keys: [jwk] });
    if (path === `/${IDP_TENANT_ID}/oauth2/v2.0/authorize`) {
      const q = url.searchParams;
      const code = randomBytes(32).toString('base64url');
      codes.set(code, { nonce: q.get('nonce') ?? '', challenge: q.get('code_challenge') ?? '', redirectUri: q.get('redirect_uri') ?? '', scope: q.get('scope') ?? '' });
      const back = new URL(q.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return void res.end();
    }
    if (path === `/${IDP_TENANT_ID}/oauth2/v2.0/token` && req.method === 'POST') {
      state.tokenRequests += 1;
      state.lastTokenClientRequestId = url.searchParams.get('client-request-id') ?? undefined;
      let text = '';
      for await (const chunk of req) text += String(chunk);
      const form = new URLSearchParams(text);
      if (form.get('client_id') !== IDP_CLIENT_ID || form.get('client_secret') !== state.clientSecret) {
        return send(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      }
      if (form.get('grant_type') === 'refresh_token') {
        state.refreshRequests += 1;
        return send(200, await tokenResponse(form.get('scope') ?? '', undefined));
      }
      const issued = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!issued) return send(400, { error: 'invalid_grant', error_description: 'AADSTS54005: OAuth2 Authorization code was already redeemed.' });
      if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
        return send(400, { error: 'invalid_grant', error_description: 'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.' });
      }
      if (form.get('redirect_uri') !== issued.redirectUri) return send(400, { error: 'invalid_grant', error_description: 'AADSTS50011: redirect_uri mismatch.' });
      return send(200, await tokenResponse(issued.scope, issued.nonce));
    }
    if (url.pathname === '/v1.0/me' && /^Bearer eyJ/.test(req.headers.authorization ?? '')) {
      return send(200, { id: IDP_USER.oid, displayName: IDP_USER.name, userPrincipalName: IDP_USER.username, mail: IDP_USER.username, jobTitle: 'Tester' });
    }
    send(404, { error: 'not_found' });
  }

  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  state.url = `https://localhost:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  return state;
}
