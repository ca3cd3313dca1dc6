import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestEmulator } from '../../../emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../../emulator/src/server.ts';
import { stableGuid } from '../../../emulator/src/directory/ids.ts';
import { createWebAuth } from '../../src/web/index.ts';
import type { CreatedWebAuth, WebAuthEvents } from '../../src/web/index.ts';
import { MAX_OPEN_PER_BROWSER } from '../../src/web/sign-in-transaction.ts';
import { createTestBrowser } from './helpers/browser.ts';
import { demoUser, type DemoUser } from './helpers/browser.ts';
import { APP_ORIGIN, createDemoApp, demoSettings } from './helpers/demo-app.ts';

describe('createWebAuth against the emulator (strict refresh-token reuse)', { timeout: 180_000 }, () => {
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let entra: CreatedWebAuth;
  let app: ReturnType<typeof createDemoApp>;
  const seen: Array<{ type: string } & Record<string, unknown>> = [];
  const user = (alias: string): DemoUser => demoUser(emulator.devJson.users, alias);
  const browser = () => createTestBrowser(async (request) => app.fetch(request), APP_ORIGIN, emulator.url);
  const count = (type: keyof WebAuthEvents) => seen.filter((e) => e.type === type).length;

  before(async () => {
    emulator = await startTestEmulator({ refreshTokenReuse: 'revoke-family' });
    entra = createWebAuth({ ...demoSettings(emulator), tokenTimeoutMs: 1_500 });
    for (const type of ['sign-in-started', 'signed-in', 'sign-in-retried', 'token-refreshed', 'claims-challenge', 'signed-out', 'sign-in-failed'] as const) {
      entra.on(type, (event) => seen.push(event as never));
    }
    app = createDemoApp(entra);
  });
  after(async () => {
    await entra?.close();
    await emulator?.cleanup();
  });

  it('refuses bad settings and misuse with a TypeError naming the setting or argument', async () => {
    const base = demoSettings(emulator);
    assert.throws(() => createWebAuth({ ...base, clientId: 'not-a-guid' }), { name: 'TypeError', message: /"clientId" \(AZURE_CLIENT_ID\) must be the application \(client\) id/ });
    assert.throws(() => createWebAuth({ ...base, clientSecret: undefined }), { name: 'TypeError', message: /"clientSecret" \(AZURE_CLIENT_SECRET\) or "clientCertificatePath" \(AZURE_CLIENT_CERTIFICATE_PATH\) is required/ });
    assert.throws(() => createWebAuth({ ...base, redirectUri: 'x' } as never), { name: 'TypeError', message: /unknown option "redirectUri"/ });
    assert.throws(() => createWebAuth({ ...base, store: 'redis://127.0.0.1:1' }), { name: 'TypeError', message: /"secret" \(ENTRAKIT_SECRET\) is required/ });
    assert.throws(() => createWebAuth({ ...base, authorityHost: 'http://login.example' }), { name: 'TypeError', message: /"authorityHost" \(AZURE_AUTHORITY_HOST\)/ });
    assert.throws(() => entra.requireAuthContext('x1'), { name: 'TypeError', message: /requireAuthContext: "id"/ });
    const request = new Request(`${APP_ORIGIN}/`);
    await assert.rejects(entra.getAccessToken(request, 'User.Read' as never), { name: 'TypeError', message: /getAccessToken: "scopes"/ });
    await assert.rejects(entra.fetch(request, 'http://graph.example/me', { scopes: ['User.Read'] }), { name: 'TypeError', message: /fetch: "url" must be an https URL/ });
    await assert.rejects(entra.graph(request, 'me'), { name: 'TypeError', message: /graph: "path" must start with \// });
    await assert.rejects(entra.handle('/' as never), { name: 'TypeError', message: /handle: "request"/ });
    await assert.rejects(entra.getAccessToken(request, ['User.Read']), { name: 'EntrakitError', code: 'SIGNIN_REQUIRED' });
    const env = { AZURE_TENANT_ID: base.tenantId!, AZURE_CLIENT_ID: base.clientId!, AZURE_CLIENT_SECRET: 's', AZURE_AUTHORITY_HOST: emulator.url, PORT: '5123' };
    assert.doesNotThrow(() => createWebAuth({ env }));
  });

  it('GET / is public; GET /profile goes to the identity provider with PKCE S256, state and nonce, and comes back signed in', async () => {
    const b = browser();
    assert.equal(await (await b.get('/')).text(), 'public');
    const start = await b.get('/profile');
    assert.equal(start.status, 302);
    const authorize = new URL(start.headers.get('location') ?? '');
    assert.equal(authorize.origin, emulator.url);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorize.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(authorize.searchParams.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${APP_ORIGIN}/auth/callback`);
    const txCookie = start.headers.getSetCookie()[0] ?? '';
    assert.match(txCookie, /^entrakit-tx-[A-Za-z0-9_-]{22}=[0-9a-z]+\.[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
    const back = await b.signInAt(authorize.toString(), user('adele'));
    assert.equal(back.status, 302);
    assert.equal(back.headers.get('location'), '/profile');
    const sessionCookie = back.headers.getSetCookie().find((line) => line.startsWith('entrakit-session=')) ?? '';
    assert.match(sessionCookie, /^entrakit-session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/, 'http://localhost: no __Host- prefix, no Secure');
    const profile = await b.get('/profile');
    assert.equal(profile.status, 200);
    const body = (await profile.json()) as Record<string, string>;
    assert.equal(body['username'], user('adele').username);
    assert.equal(body['name'], 'Adele Vance');
    assert.equal(body['displayName'], 'Adele Vance');
    // The session id never reaches the store: only its hash does.
    const id = b.app.cookies.get('entrakit-session') ?? '';
    assert.equal((await entra.internals.core.stores.kv.keys('')).some((key) => key.includes(id)), false);
    // The callback cannot be replayed.
    const replay = await b.get(`/auth/callback?${new URLSearchParams({ state: authorize.searchParams.get('state')!, code: 'x' })}`);
    assert.equal(replay.status, 400);
    assert.equal(replay.headers.get('x-entrakit-error'), 'SIGNIN_TRANSACTION_MISSING');
  });

  it('on https every cookie is __Host- and Secure', async () => {
    const https = createWebAuth({ ...demoSettings(emulator), baseUrl: 'https://app.example' });
    const response = await https.handle(new Request('https://app.example/auth/sign-in?returnTo=/x'));
    assert.match(response?.headers.getSetCookie()[0] ?? '', /^__Host-entrakit-tx-[^;]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
    await https.close();
  });

  it('6 parallel requests of one browser without a session all end signed in', async () => {
    const b = browser();
    const starts = await Promise.all(Array.from({ length: 6 }, (_, i) => b.get(`/profile?tab=${i}`)));
    assert.deepEqual(starts.map((r) => r.status), [302, 302, 302, 302, 302, 302]);
    assert.equal([...b.app.cookies.keys()].filter((name) => name.startsWith('entrakit-tx-')).length, 6, 'one cookie per sign-in');
    // The first tab signs in with a password; the other five ride the identity provider's SSO session, all callbacks at once.
    const first = await b.signInAt(starts[0]!.headers.get('location')!, user('alex'));
    const rest = await Promise.all(starts.slice(1).map((r) => b.signInAt(r.headers.get('location')!, user('alex'))));
    const landed = [first, ...rest];
    assert.deepEqual(landed.map((r) => r.status), [302, 302, 302, 302, 302, 302]);
    assert.deepEqual(landed.map((r) => r.headers.get('location')).sort(), [0, 1, 2, 3, 4, 5].map((i) => `/profile?tab=${i}`));
    assert.ok(landed.every((r) => r.headers.getSetCookie().some((line) => line.startsWith('entrakit-session='))));
    assert.equal([...b.app.cookies.keys()].filter((name) => name.startsWith('entrakit-tx-')).length, 0, 'every transaction cookie was cleared');
    const profile = await b.get('/profile?tab=0');
    assert.equal(profile.status, 200);
    assert.equal(((await profile.json()) as { username: string }).username, user('alex').username);
  });

  it('concurrent getAccessToken calls that need a refresh redeem the refresh token once (revoke-family would catch a second)', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('megan'))).status, 200);
    const { tenantId } = emulator.devJson;
    const webId = emulator.devJson.apps.web.clientId;
    const apiId = emulator.devJson.apps.api.clientId;
    emulator.deps.directory.consents.grant(tenantId, webId, apiId, stableGuid('user:megan'), ['user_impersonation']);
    const refreshedBefore = count('token-refreshed');
    const request = new Request(`${APP_ORIGIN}/`, { headers: { cookie: b.app.header() } });
    assert.equal(await entra.handle(request), undefined);
    const scope = `api://${apiId}/user_impersonation`;
    const tokens = await Promise.all(Array.from({ length: 8 }, () => entra.getAccessToken(request, [scope])));
    assert.equal(new Set(tokens).size, 1, 'every caller got the one new token');
    assert.equal(count('token-refreshed') - refreshedBefore, 1);
    // The family is intact: Graph's token still refreshes later without the user.
    assert.equal((await b.get('/profile')).status, 200);
  });

  it('signs out with POST and the CSRF token only; the session and its tokens are gone', async () => {
    const b = browser();
    const profile = await b.visit('/profile', user('adele'));
    const { csrf } = (await profile.json()) as { csrf: string };
    const forged = await b.post('/auth/sign-out', { csrf: 'wrong' });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('x-entrakit-error'), 'CSRF_TOKEN_INVALID');
    const crossSite = await b.post('/auth/sign-out', { csrf }, { origin: 'https://evil.example' });
    assert.equal(crossSite.headers.get('x-entrakit-error'), 'CSRF_ORIGIN_MISMATCH');
    assert.equal((await b.get('/auth/sign-out')).status, 405);
    const before = count('signed-out');
    const out = await b.post('/auth/sign-out', { csrf });
    assert.equal(out.status, 303);
    assert.equal(b.app.cookies.has('entrakit-session'), false);
    assert.equal(count('signed-out') - before, 1);
    assert.equal((await b.get('/profile')).status, 302, 'signed out: sign-in again');
  });

  it('a Graph claims challenge after revokeSignInSessions is followed: sign-in with the claims, then back to the page', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('alex'))).status, 200);
    // What POST /v1.0/users/{id}/revokeSignInSessions records (an administrator's call), set directly,
    // in a later second than the cached Graph token's iat (both are whole seconds).
    const revokeFrom = Math.floor(Date.now() / 1000) + 1;
    while (Date.now() < revokeFrom * 1000) await new Promise((done) => setTimeout(done, 50));
    emulator.deps.directory.revokeSignInSessions(stableGuid('user:alex'), Date.now());
    const challenged = count('claims-challenge');
    const page = await b.get('/profile');
    assert.equal(page.status, 302);
    const location = new URL(page.headers.get('location') ?? '');
    assert.equal(location.origin, emulator.url);
    assert.match(location.searchParams.get('claims') ?? '', /"access_token"/);
    assert.equal(count('claims-challenge') - challenged, 1);
    const event = seen.filter((e) => e.type === 'claims-challenge').at(-1) as unknown as WebAuthEvents['claims-challenge'];
    assert.deepEqual({ homeAccountId: event.homeAccountId, resolved: event.resolved }, { homeAccountId: `${stableGuid('user:alex')}.${emulator.devJson.tenantId}`, resolved: 'sign-in' }, 'the event names whose token was challenged');
    const back = await b.signInAt(location.toString(), user('alex'));
    assert.equal(back.headers.get('location'), '/profile');
    const again = await b.get('/profile');
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { displayName: string }).displayName, 'Alex Wilber');
  });

  it('step-up: requireAuthContext("c1") sends megan through the second factor and back', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('megan'))).status, 200);
    const gate = await b.get('/secure');
    assert.equal(gate.status, 302);
    const claims = new URL(gate.headers.get('location') ?? '').searchParams.get('claims');
    assert.deepEqual((JSON.parse(claims ?? '{}') as { access_token: { acrs: unknown } }).access_token.acrs, { essential: true, value: 'c1' });
    const back = await b.signInAt(gate.headers.get('location')!, user('megan'));
    assert.equal(back.headers.get('location'), '/secure');
    const page = await b.get('/secure');
    assert.equal(page.status, 200);
    assert.deepEqual(await page.json(), { authContexts: ['c1'] });
  });

  it('a code redemption that times out is retried once through a silent sign-in and ends signed in', async () => {
    const b = browser();
    const start = await b.get('/profile');
    const retried = count('sign-in-retried');
    // The token endpoint answers after the app stopped waiting (tokenTimeoutMs 1.5 s), once.
    emulator.deps.faults.add({ pathPrefix: `/${emulator.devJson.tenantId}/oauth2/v2.0/token`, latencyMs: 3_000, count: 1 });
    const back = await b.signInAt(start.headers.get('location')!, user('adele'));
    assert.equal(back.status, 302);
    const silent = new URL(back.headers.get('location') ?? '');
    assert.equal(silent.origin, emulator.url);
    assert.equal(silent.searchParams.get('prompt'), 'none');
    assert.equal(count('sign-in-retried') - retried, 1);
    const landed = await b.signInAt(silent.toString(), user('adele'));
    assert.equal(landed.headers.get('location'), '/profile');
    assert.equal((await b.get('/profile')).status, 200);
  });

  it('sign-out everywhere ends every session of the user and sends the browser to the end-session endpoint', async () => {
    const first = browser();
    const second = browser();
    const profile = await first.visit('/profile', user('megan'));
    const { csrf } = (await profile.json()) as { csrf: string };
    assert.equal((await second.visit('/profile', user('megan'))).status, 200);
    const out = await first.post('/auth/sign-out-everywhere', { csrf });
    assert.equal(out.status, 303);
    const endSession = new URL(out.headers.get('location') ?? '');
    assert.equal(`${endSession.origin}${endSession.pathname}`, `${emulator.url}/${emulator.devJson.tenantId}/oauth2/v2.0/logout`);
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${APP_ORIGIN}/`);
    assert.match(endSession.searchParams.get('id_token_hint') ?? '', /^eyJ/);
    assert.equal((await second.get('/profile')).status, 302, 'the other browser is signed out too');
  });

  it('front-channel logout ends the sessions of the identity provider session (sid), framed only by the identity provider', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('adele'))).status, 200);
    const request = new Request(`${APP_ORIGIN}/`, { headers: { cookie: b.app.header() } });
    await entra.handle(request);
    const sid = String(entra.user(request)?.claims['sid'] ?? '');
    assert.match(sid, /^[0-9a-f-]{36}$/);
    const foreign = await b.get(`/auth/frontchannel-logout?${new URLSearchParams({ sid, iss: 'https://login.example/other/v2.0' })}`);
    assert.equal(foreign.status, 200);
    assert.equal((await b.get('/profile')).status, 200, 'a foreign issuer is ignored');
    const issuer = `${emulator.url}/${emulator.devJson.tenantId}/v2.0`;
    const page = await b.get(`/auth/frontchannel-logout?${new URLSearchParams({ sid, iss: issuer })}`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), `default-src 'none'; frame-ancestors ${emulator.url}`);
    assert.equal((await b.get('/profile')).status, 302, 'the session ended');
  });

  it('onSignIn sees the validated claims and what it returns is kept in the session; a groups overage is resolved through Graph', async () => {
    const synced: string[] = [];
    const other = createWebAuth({ ...demoSettings(emulator), onSignIn: ({ claims }) => (synced.push(String(claims['oid'])), { localId: `user-${String(claims['oid']).slice(0, 8)}` }) });
    const otherApp = createDemoApp(other);
    const b = createTestBrowser(async (request) => otherApp.fetch(request), APP_ORIGIN, emulator.url);
    assert.equal((await b.visit('/profile', user('alex'))).status, 200);
    const oid = stableGuid('user:alex');
    assert.deepEqual(synced, [oid]);
    const request = new Request(`${APP_ORIGIN}/`, { headers: { cookie: b.app.header() } });
    await other.handle(request);
    assert.deepEqual(other.user(request)?.app, { localId: `user-${oid.slice(0, 8)}` });
    // An ID token with a groups overage names a claim source instead of listing the groups.
    const session = other.internals.state(request)!.session!;
    session.data.claims = { ...session.data.claims, _claim_names: { groups: 'src1' } };
    const groups = await other.groups(request);
    assert.deepEqual([...groups].sort(), [...emulator.deps.directory.memberships.transitiveGroupIds(oid)].sort());
    assert.ok(groups.length > 0, 'alex is in groups');
    await other.close();
  });

  it('sessions end after the idle timeout, and after the absolute timeout however active (injected clock)', async () => {
    let offset = 0;
    const timed = createWebAuth({ ...demoSettings(emulator), idleTimeoutMs: 60_000, absoluteTimeoutMs: 120_000, clock: () => Date.now() + offset });
    const timedApp = createDemoApp(timed);
    const open = () => createTestBrowser(async (request) => timedApp.fetch(request), APP_ORIGIN, emulator.url);
    const idle = open();
    assert.equal((await idle.visit('/profile', user('adele'))).status, 200);
    offset += 61_000;
    assert.equal((await idle.get('/profile')).status, 302, 'idle for 61 s: signed out');
    const active = open();
    assert.equal((await active.visit('/profile', user('adele'))).status, 200);
    for (const step of [50_000, 50_000]) {
      offset += step;
      assert.equal((await active.get('/profile')).status, 200, 'active within the idle timeout');
    }
    offset += 21_000;
    assert.equal((await active.get('/profile')).status, 302, '121 s after sign-in: past the absolute timeout');
    await timed.close();
  });

  it('signIn(req, { scopes, prompt }) starts a sign-in for another resource\'s scopes; user(req).scopes says what the sign-in asked for', async () => {
    const { tenantId } = emulator.devJson;
    const apiId = emulator.devJson.apps.api.clientId;
    emulator.deps.directory.consents.grant(tenantId, emulator.devJson.apps.web.clientId, apiId, stableGuid('user:alex'), ['user_impersonation']);
    const scope = `api://${apiId}/user_impersonation`;
    const local = createDemoApp(entra);
    local.get('/connect-api', (c) => entra.signIn(c, { returnTo: '/scopes', scopes: [scope], prompt: 'login' }));
    local.get('/scopes', entra.requireSignIn(), (c) => c.json(entra.user(c)!.scopes));
    const b = createTestBrowser(async (request) => local.fetch(request), APP_ORIGIN, emulator.url);
    assert.equal((await b.visit('/profile', user('alex'))).status, 200);
    assert.deepEqual(await (await b.get('/scopes')).json(), ['User.Read'], 'the default sign-in asked for Graph only');
    const start = await b.get('/connect-api');
    assert.equal(start.status, 302);
    const authorize = new URL(start.headers.get('location') ?? '');
    assert.equal(authorize.origin, emulator.url);
    assert.equal(authorize.searchParams.get('prompt'), 'login');
    const asked = (authorize.searchParams.get('scope') ?? '').split(' ');
    assert.ok(asked.includes(scope) && !asked.includes('User.Read'), `the API scope alone: ${asked.join(' ')}`);
    const back = await b.signInAt(authorize.toString(), user('alex'));
    assert.equal(back.headers.get('location'), '/scopes', `HTTP ${back.status} ${back.headers.get('x-entrakit-error')} ${(await back.clone().text()).slice(0, 300)}`);
    assert.deepEqual(await (await b.get('/scopes')).json(), [scope], 'Entra takes one resource per request: the API scope replaces Graph\'s');
    const request = new Request(`${APP_ORIGIN}/`, { headers: { cookie: b.app.header() } });
    await entra.handle(request);
    assert.match(await entra.getAccessToken(request, [scope]), /^eyJ/, 'a token for the API from this sign-in');
    await assert.rejects(entra.signIn(request, { scopes: 'x' as never }), { name: 'TypeError', message: /signIn: "scopes"/ });
    await assert.rejects(entra.signIn(request, { prompt: 'none' as never }), { name: 'TypeError', message: /signIn: "prompt"/ });
    let returnedTo = '';
    const off = entra.on('sign-in-started', (event) => (returnedTo = event.returnTo));
    const offsite = await entra.signIn(request, { returnTo: 'https://evil.example/' });
    off();
    assert.equal(offsite.status, 302);
    assert.equal(returnedTo, '/', 'an off-site returnTo becomes the home page');
  });

  it(`at most ${MAX_OPEN_PER_BROWSER} sign-ins open per browser: the oldest gives way, the others still complete`, async () => {
    let now = Date.now();
    const ticking = createWebAuth({ ...demoSettings(emulator), clock: () => now });
    const tickingApp = createDemoApp(ticking);
    const b = createTestBrowser(async (request) => tickingApp.fetch(request), APP_ORIGIN, emulator.url);
    const authorizeUrls: string[] = [];
    for (let tab = 0; tab <= MAX_OPEN_PER_BROWSER; tab++) {
      now += 1_000; // one second apart: the cookies record their start to the second
      const start = await b.get(`/profile?tab=${tab}`);
      authorizeUrls.push(start.headers.get('location') ?? '');
    }
    assert.equal([...b.app.cookies.keys()].filter((name) => name.startsWith('entrakit-tx-')).length, MAX_OPEN_PER_BROWSER);
    const oldest = await b.signInAt(authorizeUrls[0]!, user('adele'));
    assert.equal(oldest.status, 400);
    assert.equal(oldest.headers.get('x-entrakit-error'), 'SIGNIN_STATE_MISMATCH');
    const second = await b.signInAt(authorizeUrls[1]!, user('adele'));
    assert.equal(second.headers.get('location'), '/profile?tab=1', 'the second oldest was kept');
    const newest = await b.signInAt(authorizeUrls[MAX_OPEN_PER_BROWSER]!, user('adele'));
    assert.equal(newest.headers.get('location'), `/profile?tab=${MAX_OPEN_PER_BROWSER}`);
    await ticking.close();
  });

  it('session(req) tells when the session began, was last used and ends, never its id', async () => {
    const start = Date.now();
    let offset = 0;
    const timed = createWebAuth({ ...demoSettings(emulator), idleTimeoutMs: 60_000, absoluteTimeoutMs: 120_000, clock: () => start + offset });
    const timedApp = createDemoApp(timed);
    timedApp.get('/times', (c) => c.json(timed.session(c) ?? null));
    const b = createTestBrowser(async (request) => timedApp.fetch(request), APP_ORIGIN, emulator.url);
    assert.equal(await (await b.get('/times')).text(), 'null', 'no session: undefined');
    assert.equal((await b.visit('/profile', user('adele'))).status, 200);
    offset += 10_000;
    const first = (await (await b.get('/times')).json()) as Record<string, number>;
    assert.deepEqual(Object.keys(first).sort(), ['absoluteExpiresAt', 'createdAt', 'idleExpiresAt', 'lastSeenAt']);
    assert.ok(first['createdAt']! >= start && first['createdAt']! <= start + 1_000, 'created at sign-in');
    assert.equal(first['lastSeenAt'], start + 10_000, 'this request');
    assert.equal(first['idleExpiresAt'], start + 70_000);
    assert.equal(first['absoluteExpiresAt'], first['createdAt']! + 120_000);
    offset += 55_000;
    const second = (await (await b.get('/times')).json()) as Record<string, number>;
    assert.equal(second['lastSeenAt'], start + 65_000);
    assert.equal(second['idleExpiresAt'], second['absoluteExpiresAt'], 'the idle deadline is capped by the absolute one');
    assert.equal(second['createdAt'], first['createdAt']);
    await timed.close();
  });

  it('a sign-in always issues a new session id; a session of another user in that browser ends, one of the same user stays for its other tabs', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('adele'))).status, 200);
    const first = b.app.cookies.get('entrakit-session')!;
    assert.equal((await b.visit('/auth/sign-in?returnTo=/profile', user('adele'))).status, 200);
    const second = b.app.cookies.get('entrakit-session')!;
    assert.notEqual(second, first);
    const withCookie = (id: string) => app.fetch(new Request(`${APP_ORIGIN}/profile`, { headers: { cookie: `entrakit-session=${id}` } }));
    assert.equal((await withCookie(first)).status, 200, 'the same user: the earlier session stays');
    b.idp.cookies.clear(); // another person at the identity provider
    assert.equal((await b.visit('/auth/sign-in?returnTo=/profile', user('alex'))).status, 200);
    assert.notEqual(b.app.cookies.get('entrakit-session'), second);
    assert.equal((await withCookie(second)).status, 302, "adele's session in this browser ended when alex signed in");
  });
});
