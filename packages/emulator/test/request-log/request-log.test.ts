import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AADSTS, type AadstsCode } from '../../src/protocol/aad-error.ts';
import { AADSTS_HELP } from '../../src/protocol/aad-error-help.ts';
import { createRequestLog, type RequestLogEntry } from '../../src/request-log/request-log.ts';
import { redirectUriNearMiss } from '../../src/request-log/redirect-near-miss.ts';
import { CookieBrowser } from '../device-code/browser.ts';
import { authorizeUrl, startTestEmulator, type TestEmulator } from '../sign-in/helpers.ts';

describe('request log ring buffer', () => {
  const entry = (n: number) => ({
    endpoint: 'token' as const, method: 'POST', path: '/t/oauth2/v2.0/token', tenant: 't', clientRequestId: `id-${n % 2}`, clientId: null, grantType: null,
    user: null, status: 200, outcome: 'success' as const, error: null, aadsts: null, why: [], durationMs: 1,
  });

  it('keeps the newest entries up to its capacity, newest first, filtered by client-request-id', () => {
    const log = createRequestLog({ capacity: 3, clock: () => Date.UTC(2026, 0, 1) });
    for (let n = 1; n <= 5; n++) log.note(entry(n));
    assert.deepEqual(log.list().map((e) => e.id), [5, 4, 3]);
    assert.deepEqual(log.list({ clientRequestId: 'id-1' }).map((e) => e.id), [5, 3]);
    assert.deepEqual(log.list({ after: 3 }).map((e) => e.id), [5, 4]);
    assert.equal(log.list()[0]!.time, '2026-01-01T00:00:00.000Z');
  });

  it('says which small difference broke an exact redirect URI match', () => {
    const registered = ['https://app.example/callback'];
    assert.equal(redirectUriNearMiss('https://app.example/callback/', registered), 'redirect URI differs from the registered one by a trailing slash (sent https://app.example/callback/, registered https://app.example/callback)');
    assert.match(redirectUriNearMiss('http://app.example/callback', registered), /by its scheme \(http instead of https\)/);
    assert.match(redirectUriNearMiss('https://app.example:8443/callback', registered), /by its port \(8443 instead of default\)/);
    assert.match(redirectUriNearMiss('https://APP.example/Callback', registered), /by letter case/);
  });

  it('has an explanation for every AADSTS code the emulator emits', () => {
    for (const code of Object.keys(AADSTS).map(Number) as AadstsCode[]) assert.ok(AADSTS_HELP[code]?.cause, `AADSTS${code}`);
  });
});

describe('request log over HTTP', () => {
  let emulator: TestEmulator;
  before(async () => {
    emulator = await startTestEmulator();
  });
  after(async () => emulator.stop());

  const admin = () => ({ 'x-entrakit-admin': emulator.devJson.emulator.adminKey! });
  const entries = async (clientRequestId: string): Promise<RequestLogEntry[]> => {
    const response = await fetch(`${emulator.url}/_admin/requests?clientRequestId=${clientRequestId}`, { headers: admin() });
    assert.equal(response.status, 200);
    return ((await response.json()) as { requests: RequestLogEntry[] }).requests;
  };

  it('records a sign-in by client-request-id: password checked, then SSO without a password, with reasons', async () => {
    const browser = new CookieBrowser(emulator.url);
    const adele = emulator.user('adele');
    const login = await browser.get(authorizeUrl(emulator, { 'client-request-id': 'sign-in-1' }));
    const redirected = await browser.submit(login, adele);
    assert.equal(redirected.status, 302);
    const [loginEntry, authorizeEntry] = await entries('sign-in-1');
    assert.equal(authorizeEntry!.endpoint, 'authorize');
    assert.equal(authorizeEntry!.outcome, 'interaction');
    assert.equal(authorizeEntry!.clientId, emulator.webClientId);
    assert.deepEqual(authorizeEntry!.why, ['no SSO session in this browser: password form shown']);
    assert.equal(loginEntry!.endpoint, 'login');
    assert.equal(loginEntry!.outcome, 'success');
    assert.equal(loginEntry!.user, adele.username);
    assert.deepEqual(loginEntry!.why, ['password checked', 'consent remembered: nothing new to ask']);

    const silent = await browser.get(authorizeUrl(emulator, { 'client-request-id': 'sign-in-2' }));
    assert.equal(silent.status, 302);
    const [sso] = await entries('sign-in-2');
    assert.equal(sso!.outcome, 'success');
    assert.deepEqual(sso!.why, ['SSO session found, no password asked', 'consent remembered: nothing new to ask']);
  });

  it('explains refusals and weak practice: a trailing slash on the redirect URI, a wrong password, a skipped PKCE', async () => {
    const browser = new CookieBrowser(emulator.url);
    await browser.get(authorizeUrl(emulator, { 'client-request-id': 'slash-1', redirect_uri: `${emulator.webRedirectUri}/` }));
    const [slash] = await entries('slash-1');
    assert.equal(slash!.aadsts, 50011);
    assert.equal(slash!.error, 'invalid_request');
    assert.match(slash!.why[0]!, /^redirect URI differs from the registered one by a trailing slash/);

    const login = await browser.get(authorizeUrl(emulator, { 'client-request-id': 'pw-1' }));
    await browser.submit(login, { username: emulator.user('alex').username, password: 'wrong-password' });
    const [wrong] = await entries('pw-1');
    assert.equal(wrong!.aadsts, 50126);
    assert.equal(wrong!.outcome, 'interaction');
    assert.deepEqual(wrong!.why, ['password checked: username or password did not match']);

    // A confidential web app may skip PKCE, as on Entra: accepted, and the log says so.
    await browser.get(authorizeUrl(emulator, { 'client-request-id': 'pkce-1', code_challenge: undefined, code_challenge_method: undefined }));
    const [pkce] = await entries('pkce-1');
    assert.equal(pkce!.aadsts, null);
    assert.equal(pkce!.outcome, 'interaction');
    assert.deepEqual(pkce!.why, ['client skipped PKCE: no code_challenge was sent (accepted: Entra requires it only for SPA redirect URIs)', 'no SSO session in this browser: password form shown']);
  });

  it('records Graph calls with the calling app read from the token', async () => {
    const tokenResponse = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'client-request-id': 'graph-token-1' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emulator.webClientId, client_secret: emulator.devJson.apps.web.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const [tokenEntry] = await entries('graph-token-1');
    assert.equal(tokenEntry!.outcome, 'success');
    assert.deepEqual(tokenEntry!.why, ['grant client_credentials; client authentication: client_secret_post']);
    const users = await fetch(`${emulator.url}/v1.0/users?$top=1`, { headers: { authorization: `Bearer ${token}`, 'client-request-id': 'graph-1' } });
    assert.equal(users.status, 200);
    const [graph] = await entries('graph-1');
    assert.equal(graph!.endpoint, 'graph');
    assert.equal(graph!.clientId, emulator.webClientId);
    assert.equal(graph!.outcome, 'success');
    const denied = await fetch(`${emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${token}`, 'client-request-id': 'graph-2' } });
    assert.equal(denied.status, 400);
    const [refused] = await entries('graph-2');
    assert.equal(refused!.outcome, 'error');
    assert.equal(refused!.error, 'BadRequest');
  });

  it('records managed identity token requests (both protocols, refusals too) and realm discovery, never the identity header', async () => {
    const mi = emulator.devJson.managedIdentity!;
    const appService = await fetch(`${mi.identityEndpoint}?api-version=2019-08-01&resource=https://graph.microsoft.com`, { headers: { 'X-IDENTITY-HEADER': mi.identityHeader, 'client-request-id': 'mi-1' } });
    assert.equal(appService.status, 200);
    const [issued] = await entries('mi-1');
    assert.equal(issued!.endpoint, 'managed-identity');
    assert.equal(issued!.outcome, 'success');
    assert.match(issued!.why.join(' | '), /^App Service protocol: system-assigned \(no id named\) identity ".+" got an app-only token for https:\/\/graph\.microsoft\.com$/);
    const imds = await fetch(`${mi.imdsEndpoint}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com&client_id=${mi.clientId}`, { headers: { Metadata: 'true', 'client-request-id': 'mi-2' } });
    assert.equal(imds.status, 200);
    const [viaImds] = await entries('mi-2');
    assert.equal(viaImds!.clientId, mi.clientId);
    assert.match(viaImds!.why.join(' | '), /^IMDS protocol: user-assigned identity ".+" got an app-only token/);
    const noHeader = await fetch(`${mi.imdsEndpoint}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com`, { headers: { 'client-request-id': 'mi-3' } });
    assert.equal(noHeader.status, 400);
    const [refused] = await entries('mi-3');
    assert.equal(refused!.outcome, 'error');
    assert.ok(refused!.why.includes('refused: Required metadata header not specified'), refused!.why.join(' | '));
    const realm = await fetch(`${emulator.url}/common/UserRealm/${emulator.user('adele').username}?api-version=1.0`, { headers: { 'client-request-id': 'realm-1' } });
    assert.equal(realm.status, 200);
    const [discovered] = await entries('realm-1');
    assert.equal(discovered!.endpoint, 'userrealm');
    assert.match(discovered!.why.join(' | '), /realm discovery .*: entrakitdemo\.onmicrosoft\.com is a managed domain of this emulator/);
    const log = await (await fetch(`${emulator.url}/_admin/requests`, { headers: admin() })).text();
    assert.ok(!log.includes(mi.identityHeader), 'the identity header is never logged');
  });

  it('never stores codes, secrets or passwords', async () => {
    const response = await fetch(`${emulator.url}/_admin/requests`, { headers: admin() });
    const text = await response.text();
    for (const user of emulator.devJson.users) assert.ok(!text.includes(user.password));
    assert.ok(!text.includes(emulator.devJson.apps.web.clientSecret));
  });

  it('needs the admin key, and shows an HTML table to a browser that entered it once', async () => {
    assert.equal((await fetch(`${emulator.url}/_admin/requests`)).status, 401);
    const browser = new CookieBrowser(emulator.url);
    const redirect = await browser.request('/_admin/requests', { method: 'GET', headers: { accept: 'text/html' } });
    assert.equal(redirect.status, 303);
    assert.equal(redirect.location, '/_admin/sign-in');
    const form = await browser.get('/_admin/sign-in');
    assert.equal((await browser.submit(form, { key: 'wrong' })).status, 403);
    const signedIn = await browser.submit(form, { key: emulator.devJson.emulator.adminKey! });
    assert.equal(signedIn.status, 303);
    const page = await browser.request('/_admin/requests?clientRequestId=slash-1', { method: 'GET', headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.ok(page.text().includes('redirect URI differs from the registered one by a trailing slash'));
  });

  it('sets the admin cookie __Host-, HttpOnly, Secure, SameSite=Strict, Path=/, holding no key', async () => {
    const key = emulator.devJson.emulator.adminKey!;
    const response = await fetch(`${emulator.url}/_admin/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ key }), redirect: 'manual' });
    assert.equal(response.status, 303);
    const [cookie] = response.headers.getSetCookie();
    assert.ok(cookie);
    const [pair = '', ...attributes] = cookie.split(';').map((part) => part.trim());
    assert.match(pair, /^__Host-entrakit-admin=./);
    assert.ok(!pair.includes(key), 'the cookie is a MAC of the key, not the key');
    const flags = attributes.map((a) => a.toLowerCase());
    for (const flag of ['httponly', 'secure', 'samesite=strict', 'path=/']) assert.ok(flags.includes(flag), `${flag} in ${cookie}`);
    assert.ok(!flags.some((f) => f.startsWith('domain=')), '__Host- cookies carry no Domain');
  });

  it('refuses a forged admin cookie, on pages and on writes', async () => {
    const forged = { cookie: '__Host-entrakit-admin=forged-value' };
    const page = await fetch(`${emulator.url}/_admin/requests`, { headers: { ...forged, accept: 'text/html' }, redirect: 'manual' });
    assert.equal(page.status, 303, 'the browser is sent to the key form');
    assert.equal(page.headers.get('location'), '/_admin/sign-in');
    assert.equal((await fetch(`${emulator.url}/_admin/requests`, { headers: forged })).status, 401);
    const write = await fetch(`${emulator.url}/_admin/faults`, { method: 'POST', headers: { ...forged, 'content-type': 'application/json' }, body: JSON.stringify({ pathPrefix: '/x', status: 503 }) });
    assert.equal(write.status, 401);
  });

  it('refuses cross-site and non-JSON admin writes even with the admin cookie; its own JSON writes pass', async () => {
    const browser = new CookieBrowser(emulator.url);
    const form = await browser.get('/_admin/sign-in');
    assert.equal((await browser.submit(form, { key: emulator.devJson.emulator.adminKey! })).status, 303);
    const fault = JSON.stringify({ pathPrefix: '/no-such-path', status: 503 });
    // Another port on the same host is the same site: SameSite=Strict still sends the cookie.
    const sameSite = { origin: 'https://localhost:3000', 'sec-fetch-site': 'same-site', 'content-type': 'text/plain;charset=UTF-8' };
    for (const path of ['/_admin/faults', '/_admin/rotate-keys', '/_admin/token-faults']) {
      const refused = await browser.request(path, { method: 'POST', headers: sameSite, body: fault });
      assert.equal(refused.status, 403, `${path}: cross-site post`);
    }
    assert.equal((await browser.request('/_admin/faults', { method: 'POST', headers: { origin: 'https://localhost:3000', 'content-type': 'application/json' }, body: fault })).status, 403, 'a foreign Origin alone is refused');
    assert.equal((await browser.request('/_admin/faults', { method: 'DELETE', headers: { 'sec-fetch-site': 'cross-site' } })).status, 403, 'a cross-site DELETE too');
    assert.equal((await browser.request('/_admin/sign-in', { method: 'POST', headers: { 'sec-fetch-site': 'same-site', 'content-type': 'application/x-www-form-urlencoded' }, body: 'key=x' })).status, 403, 'and a cross-site sign-in');
    // A sandboxed or opaque origin posts `Origin: null`: refused unless the browser says same-origin.
    const nullOrigin = { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' };
    assert.equal((await browser.request('/_admin/sign-in', { method: 'POST', headers: nullOrigin, body: 'key=x' })).status, 403, 'Origin null alone is refused');
    assert.equal((await browser.request('/_admin/sign-in', { method: 'POST', headers: { ...nullOrigin, 'sec-fetch-site': 'same-site' }, body: 'key=x' })).status, 403, 'Origin null from the same site is refused');
    // Chromium's own form post from a no-referrer page: Origin null, Sec-Fetch-Site same-origin.
    assert.equal((await browser.request('/_admin/sign-in', { method: 'POST', headers: { ...nullOrigin, 'sec-fetch-site': 'same-origin' }, body: new URLSearchParams({ key: emulator.devJson.emulator.adminKey! }).toString() })).status, 303, 'the sign-in page\'s own form post passes');
    const own = { origin: new URL(emulator.url).origin, 'sec-fetch-site': 'same-origin' };
    const plain = await browser.request('/_admin/faults', { method: 'POST', headers: { ...own, 'content-type': 'text/plain' }, body: fault });
    assert.equal(plain.status, 415, 'text/plain is refused even from the same origin');
    assert.equal((await browser.request('/_admin/rotate-keys', { method: 'POST', headers: own })).status, 415, 'a body-less write needs the JSON type too');
    const added = await browser.request('/_admin/faults', { method: 'POST', headers: { ...own, 'content-type': 'application/json' }, body: fault });
    assert.equal(added.status, 201);
    const listed = (await (await fetch(`${emulator.url}/_admin/faults`, { headers: admin() })).json()) as { faults: unknown[] };
    assert.equal(listed.faults.length, 1, 'only the same-origin JSON write took effect');
    assert.equal((await browser.request('/_admin/faults', { method: 'DELETE', headers: own })).status, 204);
  });
});

describe('home page and error explanations', () => {
  let emulator: TestEmulator;
  before(async () => {
    emulator = await startTestEmulator();
  });
  after(async () => emulator.stop());

  it('lists tenants, users, apps with redirect URIs and links, without any secret', async () => {
    const response = await fetch(`${emulator.url}/`);
    assert.equal(response.status, 200);
    const html = await response.text();
    for (const expected of [emulator.tenantId, 'adele@entrakitdemo.onmicrosoft.com', emulator.webRedirectUri, emulator.webClientId, '/_admin/requests', '/.well-known/openid-configuration', 'dev.json']) {
      assert.ok(html.includes(expected), expected);
    }
    for (const user of emulator.devJson.users) assert.ok(!html.includes(user.password));
    assert.ok(!html.includes(emulator.devJson.apps.web.clientSecret));
  });

  it("resolves every error body's error_uri to a page explaining the code", async () => {
    const response = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=implicit' });
    const body = (await response.json()) as { error_uri: string };
    assert.equal(body.error_uri, `${emulator.url}/error?code=70003`);
    const page = await fetch(body.error_uri);
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes('AADSTS70003: Unsupported grant type'));
    assert.equal((await fetch(`${emulator.url}/error?code=12345`)).status, 404);
  });
});
