/**
 * The test controls: POST /_admin/tokens (minted from the real claims, signed with the tenant's
 * key), /_admin/clock (every expiry follows it, Graph's too), tenant-file token lifetimes, and
 * the admin-write checks (admin key, JSON only, same site only).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { trustCaCertificate } from '../../../entrakit/src/core/trust-ca.ts';
import { startEmulator, type RunningEmulator } from '../../src/server.ts';
import type { ConfiguredDevJson } from '../../src/dev-json.ts';
import { DEMO_TENANT, WEB_APP_ID, API_APP_ID } from '../../src/seed/demo-tenant.ts';

const GRAPH = 'https://graph.microsoft.com';
const adele = `adele@${DEMO_TENANT.domain}`;

describe('test controls on the demo tenant', () => {
  let emulator: RunningEmulator;
  const admin = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${emulator.url}${path}`, {
      method: 'POST',
      headers: { 'x-entrakit-admin': emulator.deps.adminKey, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const graphGet = (path: string, token: string) => fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    trustCaCertificate(emulator.caPem);
  });
  after(async () => {
    await emulator.close();
  });

  test('POST /_admin/tokens: an app-only Graph token with the roles asked, accepted by Graph', async () => {
    const response = await admin('/_admin/tokens', { kind: 'access', clientId: WEB_APP_ID, resource: GRAPH, roles: ['User.Read.All'] });
    assert.equal(response.status, 200);
    const { token } = (await response.json()) as { token: string };
    const claims = decodeJwt(token);
    assert.equal(claims.aud, GRAPH);
    assert.equal(claims['idtyp'], 'app');
    assert.deepEqual(claims['roles'], ['User.Read.All']);
    assert.equal(claims.iss, `https://sts.windows.net/${DEMO_TENANT.id}/`);
    assert.equal(typeof decodeProtectedHeader(token)['nonce'], 'string', 'Graph tokens carry the header nonce');
    assert.equal((await graphGet('/v1.0/users', token)).status, 200);
  });

  test('a delegated token starts from a real sign-in (preferred_username, azp, scp) and applies overrides; an ID token takes lifetimeSeconds', async () => {
    const token = await emulator.admin.mintToken({ kind: 'access', clientId: WEB_APP_ID, resource: `api://${API_APP_ID}`, user: adele, scopes: ['user_impersonation'], claims: { xms_custom: 'x', uti: null } });
    const claims = decodeJwt(token);
    assert.equal(claims.aud, API_APP_ID);
    assert.equal(claims['scp'], 'user_impersonation');
    assert.equal(claims['preferred_username'], adele);
    assert.equal(claims['xms_custom'], 'x');
    assert.equal(claims['uti'], undefined);
    assert.equal(claims['azp'], WEB_APP_ID);
    const id = decodeJwt(await emulator.admin.mintToken({ kind: 'id', clientId: WEB_APP_ID, user: adele, lifetimeSeconds: 60 }));
    assert.equal(id.aud, WEB_APP_ID);
    assert.equal(id['preferred_username'], adele);
    assert.equal(id.exp! - id.iat!, 60);
  });

  test('whatever the tenant lacks is a 400 naming it', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ kind: 'access', clientId: '11111111-2222-3333-4444-555555555555', resource: GRAPH }, /no application with clientId "11111111-2222-3333-4444-555555555555"/],
      [{ kind: 'access', clientId: WEB_APP_ID, resource: 'api://nothing-here' }, /no resource "api:\/\/nothing-here"/],
      [{ kind: 'access', clientId: WEB_APP_ID, resource: GRAPH, user: 'nobody@example.com', scopes: ['User.Read'] }, /no user "nobody@example.com"/],
      [{ kind: 'access', clientId: WEB_APP_ID, resource: GRAPH, roles: ['Mail.Send.Everything'] }, /exposes no application permission "Mail.Send.Everything"/],
      [{ kind: 'access', clientId: WEB_APP_ID, resource: GRAPH, tenantId: 'other.example.com' }, /no tenant "other.example.com"/],
      [{ kind: 'refresh', clientId: WEB_APP_ID }, /"kind" must be "access" or "id"/],
    ];
    for (const [body, message] of cases) {
      const response = await admin('/_admin/tokens', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const answer = (await response.json()) as { error: string; error_description: string };
      assert.equal(answer.error, 'invalid_request');
      assert.match(answer.error_description, message);
    }
  });

  test('admin writes: key required, JSON only, cross-site refused', async () => {
    const noKey = await fetch(`${emulator.url}/_admin/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(noKey.status, 401);
    assert.equal((await admin('/_admin/clock', 'advanceSeconds=5', { 'content-type': 'application/x-www-form-urlencoded' })).status, 415);
    assert.equal((await admin('/_admin/clock', { advanceSeconds: 5 }, { 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await admin('/_admin/tokens', { kind: 'access' }, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await admin('/_admin/clock', { advanceSeconds: 5 }, { 'sec-fetch-site': 'same-origin', origin: emulator.url })).status, 200);
    await fetch(`${emulator.url}/_admin/clock`, { method: 'DELETE', headers: { 'x-entrakit-admin': emulator.deps.adminKey } });
  });

  test('POST /_admin/clock moves time: a Graph token expires (beyond Graph\'s 5 minutes of skew), DELETE returns to real time', async () => {
    const token = await emulator.admin.mintToken({ kind: 'access', clientId: WEB_APP_ID, resource: GRAPH, roles: ['User.Read.All'], lifetimeSeconds: 600 });
    assert.equal((await graphGet('/v1.0/users', token)).status, 200);
    const before = Date.now();
    const moved = await admin('/_admin/clock', { advanceSeconds: 600 + 301 });
    assert.equal(moved.status, 200);
    const { now } = (await moved.json()) as { now: string };
    assert.ok(Date.parse(now) >= before + 901_000);
    const expired = await graphGet('/v1.0/users', token);
    assert.equal(expired.status, 401);
    assert.equal(((await expired.json()) as { error: { message: string } }).error.message, 'Access token has expired or is not yet valid.');
    // Tokens minted now carry the moved clock's iat.
    const fresh = decodeJwt(await emulator.admin.mintToken({ kind: 'access', clientId: WEB_APP_ID, resource: GRAPH, roles: ['User.Read.All'] }));
    assert.ok(fresh.iat! * 1000 >= before + 900_000);
    const reset = await fetch(`${emulator.url}/_admin/clock`, { method: 'DELETE', headers: { 'x-entrakit-admin': emulator.deps.adminKey } });
    const back = (await reset.json()) as { now: string; adjusted: boolean };
    assert.equal(back.adjusted, false);
    assert.ok(Math.abs(Date.parse(back.now) - Date.now()) < 60_000);
    assert.equal((await graphGet('/v1.0/users', token)).status, 200);
    const set = await admin('/_admin/clock', { set: '2031-05-01T00:00:00Z' });
    assert.ok(((await set.json()) as { now: string }).now.startsWith('2031-05-01T00:00'));
    assert.equal(emulator.admin.clock.reset().slice(0, 4), String(new Date().getUTCFullYear()));
    assert.equal((await admin('/_admin/clock', { advanceSeconds: 'soon' })).status, 400);
  });

  test('authorization codes and SSO sessions follow the clock', async () => {
    // A code is good for 10 minutes: after 11 minutes of emulator time it is refused with 70008.
    const session = await emulator.admin.signIn({ user: adele });
    const cookie = `${session.cookie.name}=${session.cookie.value}`;
    const verifier = 'v'.repeat(50);
    const { createHash } = await import('node:crypto');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = emulator.devJson.apps.web.redirectUri;
    const authorize = new URL(`${emulator.url}/${DEMO_TENANT.id}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({ client_id: WEB_APP_ID, response_type: 'code', redirect_uri: redirectUri, scope: 'openid profile offline_access User.Read', code_challenge: challenge, code_challenge_method: 'S256', state: 's' })) authorize.searchParams.set(k, v);
    const answer = await fetch(authorize, { headers: { cookie }, redirect: 'manual' });
    assert.equal(answer.status, 302, 'the signed-in session gives a code without the login page');
    const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
    emulator.admin.clock.advance(11 * 60);
    const redeem = await fetch(`${emulator.url}/${DEMO_TENANT.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: WEB_APP_ID, client_secret: emulator.devJson.apps.web.clientSecret, code, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    assert.equal(redeem.status, 400);
    assert.deepEqual(((await redeem.json()) as { error_codes: number[] }).error_codes, [70008]);
    // The SSO session lasts 24 hours: a day later the same cookie meets the login page.
    emulator.admin.clock.advance(25 * 3600);
    const later = await fetch(authorize, { headers: { cookie }, redirect: 'manual' });
    assert.equal(later.status, 200);
    assert.match(await later.text(), /name="password"/);
    emulator.admin.clock.reset();
  });
});

describe('token lifetimes from the tenant file', () => {
  let emulator: RunningEmulator<ConfiguredDevJson>;
  before(async () => {
    emulator = await startEmulator({
      port: 0,
      config: {
        tenants: [
          {
            domain: 'lifetimes.example.com',
            tokenLifetimes: { accessTokenSeconds: 5, idTokenSeconds: 20 },
            users: [{ userPrincipalName: 'ann@lifetimes.example.com', password: 'Passw0rd!x', displayName: 'Ann' }],
            apps: [
              { name: 'daemon', displayName: 'Daemon', secrets: [{}], requiredPermissions: [{ resource: 'Microsoft Graph', roles: ['User.Read.All'], adminConsent: true }] },
              { name: 'slow', displayName: 'Slow', secrets: [{}], tokenLifetimes: { accessTokenSeconds: 120 }, requiredPermissions: [{ resource: 'Microsoft Graph', roles: ['User.Read.All'], adminConsent: true }] },
              {
                name: 'web',
                displayName: 'Web',
                secrets: [{}],
                redirectUris: ['http://localhost:3000/auth/callback'],
                allowPublicClient: true,
                tokenLifetimes: { refreshTokenInactivitySeconds: 60 },
                requiredPermissions: [{ resource: 'Microsoft Graph', scopes: ['User.Read', 'openid', 'profile', 'offline_access'], adminConsent: true }],
              },
            ],
          },
        ],
      },
    });
    trustCaCertificate(emulator.caPem);
  });
  after(async () => {
    await emulator.close();
  });

  const clientCredentials = async (name: 'daemon' | 'slow') => {
    const app = emulator.devJson.apps[name]!;
    const response = await fetch(`${emulator.url}/${emulator.devJson.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret!, scope: 'https://graph.microsoft.com/.default' }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as { access_token: string; expires_in: number };
  };

  test('a 5-second access token: expires_in and exp say 5 s, and Graph refuses it once 5 s (plus its skew) have passed', async () => {
    const { access_token, expires_in } = await clientCredentials('daemon');
    assert.equal(expires_in, 5);
    const claims = decodeJwt(access_token);
    assert.equal(claims.exp! - claims.iat!, 5);
    const call = () => fetch(`${emulator.url}/v1.0/users`, { headers: { authorization: `Bearer ${access_token}` } });
    assert.equal((await call()).status, 200);
    emulator.admin.clock.advance(5 + 300 + 1);
    assert.equal((await call()).status, 401);
    emulator.admin.clock.reset();
  });

  test("an app's own lifetime wins over the tenant's; ID tokens take the tenant's", async () => {
    const { expires_in } = await clientCredentials('slow');
    assert.equal(expires_in, 120);
    const id = decodeJwt(await emulator.admin.mintToken({ kind: 'id', clientId: emulator.devJson.apps['daemon']!.clientId, user: 'ann@lifetimes.example.com' }));
    assert.equal(id.exp! - id.iat!, 20);
  });

  const token = (body: Record<string, string>) =>
    fetch(`${emulator.url}/${emulator.devJson.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });

  test('refresh-token inactivity of 60 s: a refresh after 61 s of emulator time answers AADSTS700082', async () => {
    const web = emulator.devJson.apps['web']!;
    const session = await emulator.admin.signIn({ user: 'ann@lifetimes.example.com' });
    const verifier = 'w'.repeat(60);
    const { createHash } = await import('node:crypto');
    const authorize = new URL(`${emulator.url}/${emulator.devJson.tenantId}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({ client_id: web.clientId, response_type: 'code', redirect_uri: 'http://localhost:3000/auth/callback', scope: 'openid offline_access User.Read', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' })) authorize.searchParams.set(k, v);
    const answer = await fetch(authorize, { headers: { cookie: `${session.cookie.name}=${session.cookie.value}` }, redirect: 'manual' });
    const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
    const redeemed = await token({ grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret!, code, redirect_uri: 'http://localhost:3000/auth/callback', code_verifier: verifier });
    const { refresh_token } = (await redeemed.json()) as { refresh_token: string };
    // Within the window a refresh slides it: 50 s, refresh, 50 s more, refresh again.
    emulator.admin.clock.advance(50);
    const first = await token({ grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret!, refresh_token, scope: 'openid offline_access User.Read' });
    assert.equal(first.status, 200);
    const next = ((await first.json()) as { refresh_token: string }).refresh_token;
    emulator.admin.clock.advance(61);
    const late = await token({ grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret!, refresh_token: next, scope: 'openid offline_access User.Read' });
    assert.equal(late.status, 400);
    const body = (await late.json()) as { error: string; error_codes: number[]; error_description: string };
    assert.deepEqual([body.error, body.error_codes], ['invalid_grant', [700082]]);
    assert.match(body.error_description, /was inactive for 0\.00:01:00\./);
    emulator.admin.clock.reset();
  });

  test('device codes follow the clock: 901 s later polling answers expired_token (AADSTS70019)', async () => {
    const web = emulator.devJson.apps['web']!;
    const started = await fetch(`${emulator.url}/${emulator.devJson.tenantId}/oauth2/v2.0/devicecode`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: web.clientId, scope: 'User.Read' }) });
    const { device_code } = (await started.json()) as { device_code: string };
    const poll = () => token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: web.clientId, device_code });
    assert.equal(((await (await poll()).json()) as { error: string }).error, 'authorization_pending');
    emulator.admin.clock.advance(901);
    const expired = (await (await poll()).json()) as { error: string; error_codes: number[] };
    assert.deepEqual([expired.error, expired.error_codes], ['expired_token', [70019]]);
    emulator.admin.clock.reset();
  });

  test('lifetimes are validated at start with the JSON path', async () => {
    await assert.rejects(
      startEmulator({ port: 0, config: { tenants: [{ domain: 'bad.example.com', tokenLifetimes: { accessTokenSeconds: 0 } }] } }),
      /tenants\[0\]\.tokenLifetimes\.accessTokenSeconds/,
    );
  });
});
