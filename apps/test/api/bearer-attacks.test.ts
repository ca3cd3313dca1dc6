import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';
import { createApiApp } from '../../api/app.ts';
import { createBearerAuthenticator } from '../../../packages/entrakit/src/bearer/index.ts';
import { loadApiConfig } from '../../api/config.ts';
import { createApiDeps } from '../../api/deps.ts';
import { startApi } from '../../api/server.ts';
import { bearerPolicyFromConfig } from '../../api/policy.ts';
import { createDiscoveryClient } from '../../../packages/entrakit/src/core/discovery/discovery-client.ts';
import { stableGuid } from '../../../packages/emulator/src/directory/ids.ts';
import { answerSnapshot, countingFetch, startApiTestEnv } from './helpers/api-test-env.ts';
import type { ApiTestEnv } from './helpers/api-test-env.ts';

const REALM = 'entrakit-api';
const OTHER_TENANT = '0b0b0b0b-1111-4222-8333-444444444444';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

type Call = (path: string, authorization?: string) => Promise<Response>;
interface Transport {
  name: string;
  start(env: ApiTestEnv, fetch: typeof globalThis.fetch): Promise<{ call: Call; stop(): Promise<void> }>;
}

const TRANSPORTS: Transport[] = [
  {
    name: 'in process (app.fetch)',
    async start(env, fetch) {
      const config = await loadApiConfig({ env: {}, dataDir: env.dataDir });
      const app = createApiApp(await createApiDeps(config, { fetch }));
      return { call: async (path, authorization) => app.request(path, { headers: authorization === undefined ? {} : { authorization } }), stop: async () => {} };
    },
  },
  {
    // The server `entrakit api` runs: answers from the verified-token cache skip the Hono app, so
    // every request is sent twice and the second answer (a possible cache hit) must be identical.
    name: 'over HTTP (startApi), every request twice',
    async start(env, fetch) {
      const api = await startApi({ dataDir: env.dataDir, env: {}, port: 0, host: '127.0.0.1', fetch });
      const once = async (path: string, authorization?: string) =>
        answerSnapshot(await globalThis.fetch(`${api.url}${path}`, { headers: authorization === undefined ? {} : { authorization } }));
      return {
        async call(path, authorization) {
          const first = await once(path, authorization);
          const second = await once(path, authorization);
          assert.deepEqual(second, first, `second answer for ${path} differs`);
          return new Response(second.body, { status: second.status, headers: second.headers });
        },
        stop: () => api.close(),
      };
    },
  },
];

for (const transport of TRANSPORTS) describe(`API bearer validation against the real emulator (crafted tokens), ${transport.name}`, () => {
  let env: ApiTestEnv;
  let keyFetches: ReturnType<typeof countingFetch>;
  let call: Call;
  let stopTransport: () => Promise<void>;

  async function expectInvalidToken(token: string, description: string, path = '/api/me'): Promise<void> {
    const res = await call(path, `Bearer ${token}`);
    assert.equal(res.status, 401, description);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`);
    assert.deepEqual(await res.json(), { error: 'invalid_token', error_description: description });
  }

  before(async () => {
    env = await startApiTestEnv();
    keyFetches = countingFetch();
    ({ call, stop: stopTransport } = await transport.start(env, keyFetches.fetch));
  });
  after(async () => {
    await stopTransport();
    await env.stop();
  });

  it('sends X-Content-Type-Options: nosniff on success, on 401 and on 404', async () => {
    const ok = await call('/api/me', `Bearer ${await env.sign(env.userClaims('adele'))}`);
    const unauthorized = await call('/api/me');
    const missing = await call('/nothing-here');
    assert.deepEqual([ok.status, unauthorized.status, missing.status], [200, 401, 404]);
    for (const res of [ok, unauthorized, missing]) assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  it('accepts a validly signed v2 user token and returns the caller', async () => {
    const res = await call('/api/me', `Bearer ${await env.sign(env.userClaims('adele'))}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      kind: 'user',
      user: { oid: env.oid('adele'), name: 'Adele Vance', username: env.user('adele').username },
      tenant: env.tenantId,
      scopes: ['user_impersonation'],
      roles: [],
      app: { clientId: env.webClientId },
      tokenVersion: '2.0',
    });
  });

  it('answers no header and a non-Bearer scheme with 401 and a bare challenge', async () => {
    for (const header of [undefined, 'Basic dXNlcjpwYXNz', 'Token abc']) {
      const res = await call('/api/me', header);
      assert.equal(res.status, 401, String(header));
      assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${REALM}"`);
      assert.deepEqual(await res.json(), { error: 'unauthorized', error_description: 'A bearer access token is required' });
    }
  });

  it('answers an empty or non-b64token Bearer credential with 400 invalid_request', async () => {
    for (const header of ['Bearer', 'Bearer a b', 'Bearer "x"']) {
      const res = await call('/api/me', header);
      assert.equal(res.status, 400, header);
      assert.match(res.headers.get('www-authenticate') ?? '', new RegExp(`^Bearer realm="${REALM}", error="invalid_request", error_description="`));
    }
  });

  it('refuses 2- and 4-segment tokens and bad base64url', async () => {
    const good = await env.sign(env.userClaims('adele'));
    const [h = '', p = '', s = ''] = good.split('.');
    await expectInvalidToken(`${h}.${p}`, 'Token must have 3 dot-separated segments, found 2');
    await expectInvalidToken(`${h}.${p}.${s}.${s}`, 'Token must have 3 dot-separated segments, found 4');
    await expectInvalidToken(`${h}.${p.slice(0, 10)}+/${p.slice(12)}.${s}`, 'Token payload is not valid base64url');
    await expectInvalidToken(`abcde.${p}.${s}`, 'Token header is not valid base64url');
    await expectInvalidToken(`${Buffer.from('not json').toString('base64url')}.${p}.${s}`, 'Token header is not valid JSON');
  });

  it('refuses alg "none" and HS256 signed with the RSA public key', async () => {
    const claims = env.userClaims('adele');
    await expectInvalidToken(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, 'Token alg is not allowed; only RS256 is accepted');
    const { kid } = await env.emulator.deps.keys.activeKey();
    const jwk = env.emulator.deps.keys.jwks().keys.find((k) => k.kid === kid);
    const publicPem = await exportSPKI((await importJWK({ kty: 'RSA', n: jwk?.n, e: jwk?.e }, 'RS256')) as CryptoKey);
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid }).sign(new TextEncoder().encode(publicPem));
    await expectInvalidToken(hs256, 'Token alg is not allowed; only RS256 is accepted');
  });

  it("refuses a valid signature from a key that is not in the issuer's JWKS", async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const { kid } = await env.emulator.deps.keys.activeKey();
    const claims = env.userClaims('adele');
    const borrowedKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(privateKey);
    await expectInvalidToken(borrowedKid, 'Token signature is invalid');
    const ownKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'attacker-key' }).sign(privateKey);
    await expectInvalidToken(ownKid, "Token kid is not in the issuer's key set");
  });

  it('ignores jwk, jku and x5u headers: no fetch of the injected URL', async () => {
    let injectedHits = 0;
    const trap = createServer((_req, res) => {
      injectedHits += 1;
      res.end('{"keys":[]}');
    });
    await new Promise<void>((done) => trap.listen(0, '127.0.0.1', done));
    const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/keys`;
    try {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const attackerJwk = { ...(await exportJWK(publicKey)), kid: 'attacker', alg: 'RS256', use: 'sig' };
      const { kid } = await env.emulator.deps.keys.activeKey();
      for (const useKid of ['attacker', kid]) {
        const token = await new SignJWT(env.userClaims('adele'))
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: useKid, jwk: attackerJwk, jku: trapUrl, x5u: trapUrl })
          .sign(privateKey);
        await expectInvalidToken(token, useKid === kid ? 'Token signature is invalid' : "Token kid is not in the issuer's key set");
      }
      assert.equal(injectedHits, 0);
    } finally {
      await new Promise<void>((done) => trap.close(() => done()));
    }
  });

  it('refuses expired, not-yet-valid, wrong-issuer, wrong-tenant and wrong-audience tokens', async () => {
    const t = now();
    await expectInvalidToken(await env.sign(env.userClaims('adele', { iat: t - 7200, nbf: t - 7200, exp: t - 3600 })), 'Token has expired');
    await expectInvalidToken(await env.sign(env.userClaims('adele', { nbf: t + 3600, exp: t + 7200 })), 'Token is not valid yet (nbf)');
    await expectInvalidToken(await env.sign(env.userClaims('adele', { iss: `https://login.evil.example/${env.tenantId}/v2.0` })), 'Token issuer is not trusted by this API');
    await expectInvalidToken(
      await env.sign(env.userClaims('adele', { iss: `${env.emulator.url}/${OTHER_TENANT}/v2.0`, tid: OTHER_TENANT })),
      'Token issuer is not trusted by this API',
    );
    await expectInvalidToken(await env.sign(env.userClaims('adele', { tid: OTHER_TENANT })), 'Token issuer is not trusted by this API');
    await expectInvalidToken(await env.sign(env.userClaims('adele', { aud: 'api://someone-else' })), 'Token audience is not this API');
    await expectInvalidToken(await env.sign(env.userClaims('adele', { aud: env.webClientId })), 'Token audience is not this API');
  });

  it("refuses the web app's ID token and a Graph token", async () => {
    const t = now();
    const idToken = await env.sign({
      iss: env.issuer, aud: env.webClientId, iat: t, nbf: t, exp: t + 3600, nonce: 'n-1', oid: env.oid('adele'), sub: 'pairwise',
      tid: env.tenantId, name: 'Adele Vance', preferred_username: env.user('adele').username, ver: '2.0',
    });
    await expectInvalidToken(idToken, 'Token is an ID token (it has a nonce); send an access token');
    const graphToken = await env.sign(
      {
        iss: `https://sts.windows.net/${env.tenantId}/`, aud: 'https://graph.microsoft.com', iat: t, nbf: t, exp: t + 3600,
        appid: env.webClientId, oid: env.oid('adele'), scp: 'User.Read', tid: env.tenantId, ver: '1.0',
      },
      { nonce: 'graph-header-nonce' },
    );
    await expectInvalidToken(graphToken, 'Token is a Microsoft Graph token, not a token for this API');
  });

  it('answers 403 insufficient_scope for an app-only token on a delegated route and for a missing scope', async () => {
    const webSp = stableGuid(`${env.tenantId}:sp:${env.webClientId}`);
    const appOnly = await env.sign(env.userClaims('adele', { scp: undefined, name: undefined, preferred_username: undefined, oid: webSp, sub: webSp, roles: ['Api.Admin'], idtyp: 'app' }));
    const story = await call('/api/story', `Bearer ${appOnly}`);
    assert.equal(story.status, 403);
    assert.equal(
      story.headers.get('www-authenticate'),
      `Bearer realm="${REALM}", error="insufficient_scope", error_description="This resource requires a signed-in user; app-only tokens are not accepted"`,
    );
    assert.equal(((await story.json()) as { error: string }).error, 'insufficient_scope');
    const me = await call('/api/me', `Bearer ${appOnly}`);
    assert.equal(me.status, 200);
    assert.deepEqual(((await me.json()) as { app: unknown }).app, { clientId: env.webClientId, servicePrincipalId: webSp });

    const noScope = await env.sign(env.userClaims('megan', { scp: 'Other.Read' }));
    for (const path of ['/api/story', '/api/me']) {
      const res = await call(path, `Bearer ${noScope}`);
      assert.equal(res.status, 403, path);
      assert.match(res.headers.get('www-authenticate') ?? '', new RegExp(`^Bearer realm="${REALM}", error="insufficient_scope", error_description="[^"]+", scope="user_impersonation"$`));
    }
    const admin = await call('/api/admin/users', `Bearer ${await env.sign(env.userClaims('megan'))}`);
    assert.equal(admin.status, 403);
    assert.match(admin.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  });

  it('lets an Api.Admin caller list users, read by the API from Graph with its own seeded app permission', async () => {
    const res = await call('/api/admin/users', `Bearer ${await env.sign(env.userClaims('adele', { roles: ['Api.Admin'] }))}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { caller: { roles: string[] }; users: Array<{ userPrincipalName: string }> };
    assert.deepEqual(body.caller.roles, ['Api.Admin']);
    assert.deepEqual(body.users.map((u) => u.userPrincipalName).sort(), [
      'adele@entrakitdemo.onmicrosoft.com',
      'admin@entrakitdemo.onmicrosoft.com',
      'alex@entrakitdemo.onmicrosoft.com',
      'megan@entrakitdemo.onmicrosoft.com',
      'nestor@entrakitdemo.onmicrosoft.com',
    ]);
  });

  it('refuses a token over 16 KB, even when validly signed', async () => {
    const big = await env.sign(env.userClaims('adele', { padding: 'x'.repeat(17_000) }));
    await expectInvalidToken(big, 'Token is larger than 16384 bytes');
  });

  it('answers each malformed token with its exact invalid_token challenge, never a 500', async () => {
    const t = now();
    const cases: Array<[string, string]> = [
      ['...', 'Token must have 3 dot-separated segments, found 4'],
      ['a.b.c', 'Token header is not valid base64url'],
      [`${b64({ alg: 'RS256', kid: 1 })}.${b64([])}.AAAA`, 'Token payload is not a JSON object'],
      [`${b64('x')}.${b64(null)}.AA`, 'Token header is not a JSON object'],
      // No tid: the issuer cannot be matched to a tenant this API trusts.
      [await env.sign({ iss: env.issuer, aud: env.apiClientId, exp: t + 60, iat: t }), 'Token issuer is not trusted by this API'],
      ['A'.repeat(20_000), 'Token is larger than 16384 bytes'],
    ];
    for (const [token, description] of cases) await expectInvalidToken(token, description, '/api/story');
  });

  it('fetches no JWKS for many unknown-kid tokens issued before the last fetch, inside the cooldown', async () => {
    // Earlier tests' fresh unknown-kid tokens may have spent the one extra refetch they allow.
    const before = keyFetches.count('/discovery/v2.0/keys');
    const { privateKey } = await generateKeyPair('RS256');
    // Issued a minute ago: a token issued after the last fetch may refetch once more (a key may be new).
    const issued = Math.floor(Date.now() / 1000) - 60;
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => new SignJWT(env.userClaims('adele', { iat: issued, nbf: issued })).setProtectedHeader({ alg: 'RS256', kid: `unknown-${i}` }).sign(privateKey)),
    );
    const answers = await Promise.all(tokens.map((token) => call('/api/me', `Bearer ${token}`)));
    assert.deepEqual(answers.map((r) => r.status), tokens.map(() => 401));
    assert.equal(keyFetches.count('/discovery/v2.0/keys'), before);
  });

  it('refetches the JWKS at most once per cooldown for an unknown kid', async () => {
    const counter = countingFetch();
    const config = await loadApiConfig({ env: {}, dataDir: env.dataDir });
    const deps = await createApiDeps(config);
    const start = Date.now();
    let now = start;
    const clock = (): number => now;
    deps.authenticator = createBearerAuthenticator(bearerPolicyFromConfig(config), {
      clock,
      discoveryClient: createDiscoveryClient({ fetch: counter.fetch, clock }),
    });
    const api = createApiApp(deps);
    const ask = (token: string) => api.request('/api/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await ask(await env.sign(env.userClaims('alex')))).status, 200);
    assert.equal(counter.count('/discovery/v2.0/keys'), 1);
    now = start + 30_000; // the default 30 s cooldown is over (simulated time)
    const { privateKey } = await generateKeyPair('RS256');
    const unknown = await new SignJWT(env.userClaims('alex')).setProtectedHeader({ alg: 'RS256', kid: 'rotated-or-forged' }).sign(privateKey);
    const burst = await Promise.all(Array.from({ length: 25 }, () => ask(unknown)));
    for (let i = 0; i < 10; i += 1) burst.push(await ask(unknown));
    assert.ok(burst.every((r) => r.status === 401));
    assert.equal(counter.count('/discovery/v2.0/keys'), 2);
    assert.equal(counter.count('/.well-known/openid-configuration'), 1);
  });

  it('fails closed with 503 when discovery and keys cannot be reached', async () => {
    const config = await loadApiConfig({
      env: { ENTRA_INSTANCE: 'https://127.0.0.1:1', ENTRA_TENANT_ID: env.tenantId, API_CLIENT_ID: env.apiClientId, API_CLIENT_SECRET: 'unused' },
      dataDir: env.dataDir,
    });
    const api = createApiApp(await createApiDeps(config));
    const res = await api.request('/api/me', { headers: { authorization: `Bearer ${await env.sign(env.userClaims('adele'))}` } });
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: 'temporarily_unavailable', error_description: 'The access token could not be validated right now' });
  });

  it('enforces API_ALLOWED_TENANTS for a multi-tenant API', async () => {
    const config = await loadApiConfig({ env: { ENTRA_TENANT_ID: 'organizations', API_ALLOWED_TENANTS: env.tenantId }, dataDir: env.dataDir });
    const api = createApiApp(await createApiDeps(config));
    const foreign = await env.sign(env.userClaims('adele', { iss: `${env.emulator.url}/${OTHER_TENANT}/v2.0`, tid: OTHER_TENANT }));
    const res = await api.request('/api/me', { headers: { authorization: `Bearer ${foreign}` } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${REALM}", error="invalid_token", error_description="Token tenant is not allowed"`);
    const home = await api.request('/api/me', { headers: { authorization: `Bearer ${await env.sign(env.userClaims('adele'))}` } });
    assert.equal(home.status, 200);
  });
});
