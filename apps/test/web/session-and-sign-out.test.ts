/**
 * After sign-in: pages, CSRF-protected sign-out, front-channel logout, restart survival and the
 * open-redirect guard, against the real web app (in-process), real MSAL and the real emulator.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { stableGuid } from '../../../packages/emulator/src/directory/ids.ts';
import { createBrowser, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { Browser, EmulatorWeb, WebInstance } from './helpers/emulator-web.ts';

let env: EmulatorWeb;
let web: WebInstance;
let browser: Browser;
const STORE_URL = () => `sqlite:${join(env.dataDir, 'session-and-sign-out.db')}`;
const ADELE_OID = stableGuid('user:adele');

async function signIn(returnTo = '/tokens'): Promise<Response> {
  const { callback } = await browser.startSignIn('adele', returnTo);
  const response = await browser.get(callback);
  assert.equal(response.status, 302, await response.clone().text());
  return response;
}

function csrfOf(html: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the sign-out page carries a CSRF token');
  return token;
}

/** The identity provider's session id (sid) of the browser's sign-in, as its Tokens page shows the ID token. */
async function sidOf(): Promise<string> {
  const html = await (await browser.get('/tokens')).text();
  const sid = /<code>sid<\/code><\/td><td[^>]*>([0-9a-f-]{36})</.exec(html)?.[1];
  assert.ok(sid, 'the ID token carried the identity provider session id (sid)');
  return sid;
}

/** Whether the app still holds the session with this id: a browser holding only that cookie is signed in. */
async function sessionLive(sessionId: string): Promise<boolean> {
  const probe = createBrowser(env, web);
  probe.cookies.set('entrakit-session', sessionId);
  const response = await probe.get('/trace');
  assert.ok(response.status === 200 || response.status === 302, `HTTP ${response.status}`);
  return response.status === 200;
}

before(async () => {
  env = await startEmulatorWeb();
  web = await env.startInstance({ storeUrl: STORE_URL() });
});

after(async () => {
  await web.close();
  await env.close();
});

beforeEach(() => {
  // A new browser each time: no app cookies and no identity provider session.
  browser = createBrowser(env, web);
});

describe('pages after sign-in', () => {
  it('tokens page shows the decoded claims and checks but never a raw token', async () => {
    await signIn();
    const response = await browser.get('/tokens');
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.ok(html.includes(ADELE_OID));
    assert.ok(html.includes(env.tenantId));
    for (const check of ['signature', 'issuer', 'audience', 'lifetime', 'nonce']) assert.match(html, new RegExp(`✓ ${check}`));
    assert.match(html, /must not validate this token/);
    assert.match(html, /Who the user is/);
    assert.match(html, /What the app may do/);
    assert.ok(!html.includes('eyJ'), 'no JWT (header, payload or whole) in the HTML');
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /style-src 'nonce-[A-Za-z0-9+/=]+'/);
  });

  it('trace page lists the exchanges with secrets redacted', async () => {
    await signIn();
    const html = await (await browser.get('/trace')).text();
    for (const step of ['GET /auth/sign-in', '302 to /authorize', 'GET /authorize', '302 to /auth/callback', 'POST /token', '200 from /token', 'Validate the ID token']) {
      assert.ok(html.includes(step), `trace shows ${step}`);
    }
    assert.match(html, /<svg/);
    assert.match(html, /authorization code redacted/);
    assert.ok(html.includes('[redacted]'), 'client secret redacted');
    assert.ok(web.config.credential.kind === 'secret' && !html.includes(web.config.credential.secret));
    assert.ok(!html.includes('eyJ'), 'no JWT in the trace');
  });

  it('profile page shows the Graph /me data', async () => {
    await signIn();
    const html = await (await browser.get('/profile')).text();
    assert.ok(html.includes(env.user('adele').username));
    assert.ok(html.includes('Identity Engineer'));
    assert.match(html, /Sign-ins<\/td><td>\d+/);
  });

  it('sends anonymous visitors through sign-in and back', async () => {
    const response = await browser.get('/tokens');
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/auth/sign-in?returnTo=%2Ftokens');
  });
});

describe('returnTo only accepts same-origin relative paths', () => {
  for (const [given, expected] of [
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['/profile?tab=1', '/profile?tab=1'],
  ]) {
    it(`${given} -> ${expected}`, async () => {
      const response = await signIn(given);
      assert.equal(response.headers.get('location'), expected);
    });
  }
});

describe('sign-out', () => {
  it('GET never signs out', async () => {
    await signIn();
    for (const path of ['/auth/sign-out/local', '/auth/sign-out/global']) {
      const response = await browser.get(path);
      assert.equal(response.status, 405, path);
      assert.equal(response.headers.get('allow'), 'POST');
    }
    assert.equal((await browser.get('/tokens')).status, 200);
  });

  it('refuses a POST without the CSRF token (403) and keeps the session', async () => {
    await signIn();
    const response = await browser.post('/auth/sign-out/local', {});
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-entrakit-error'), 'CSRF_TOKEN_INVALID');
    assert.equal((await browser.get('/tokens')).status, 200);
  });

  it('refuses a POST from another origin even with the token', async () => {
    await signIn();
    const csrf = csrfOf(await (await browser.get('/sign-out')).text());
    const response = await browser.post('/auth/sign-out/local', { csrf }, { origin: 'https://evil.example' });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-entrakit-error'), 'CSRF_ORIGIN_MISMATCH');
  });

  it('local sign-out destroys the session, and the cached tokens with the user\'s last session', async () => {
    // Earlier tests left sessions of this user behind (other "browsers"): end them first.
    for (const key of await web.stores.kv.keys('ek:web:session:')) await web.stores.kv.delete(key);
    await signIn();
    const sessionId = browser.cookies.get('entrakit-session') ?? '';
    const caches = (await web.stores.kv.keys('ek:web:tokens:')).length;
    assert.ok(caches >= 1, 'the user\'s tokens are cached');
    const csrf = csrfOf(await (await browser.get('/sign-out')).text());
    const response = await browser.post('/auth/sign-out/local', { csrf });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/?signedOut=local');
    assert.equal(await sessionLive(sessionId), false);
    assert.equal((await web.stores.kv.keys('ek:web:tokens:')).length, caches - 1, 'the tokens went with the last session');
    assert.equal((await browser.get('/tokens')).status, 302);
  });

  it('global sign-out also sends the browser to end_session_endpoint', async () => {
    await signIn();
    const sessionId = browser.cookies.get('entrakit-session') ?? '';
    const csrf = csrfOf(await (await browser.get('/sign-out')).text());
    const response = await browser.post('/auth/sign-out/global', { csrf });
    assert.equal(response.status, 303);
    const location = new URL(response.headers.get('location') ?? '');
    assert.equal(location.origin + location.pathname, `${env.emulator.url}/${env.tenantId}/oauth2/v2.0/logout`);
    assert.equal(location.searchParams.get('post_logout_redirect_uri'), 'http://localhost:5000/');
    // The user's ID token is in the cache, so it is the hint (client_id only stands in without one).
    assert.match(location.searchParams.get('id_token_hint') ?? '', /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(location.searchParams.get('client_id'), null);
    assert.equal(await sessionLive(sessionId), false);
  });
});

describe('front-channel logout', () => {
  it('destroys the sessions of that IdP session and may be framed by the IdP only', async () => {
    await signIn();
    const sessionId = browser.cookies.get('entrakit-session') ?? '';
    const sid = await sidOf();
    assert.equal(await sessionLive(sessionId), true);
    const anonymous = await web.app.request(`/auth/frontchannel-logout?iss=${encodeURIComponent(`${env.emulator.url}/${env.tenantId}/v2.0`)}&sid=${sid}`);
    assert.equal(anonymous.status, 200);
    assert.match(anonymous.headers.get('content-security-policy') ?? '', new RegExp(`frame-ancestors ${env.emulator.url}`));
    assert.equal(anonymous.headers.get('x-frame-options'), null);
    assert.equal(await sessionLive(sessionId), false);
  });

  it('tolerates a missing sid and ignores a foreign issuer', async () => {
    await signIn();
    const sessionId = browser.cookies.get('entrakit-session') ?? '';
    const sid = await sidOf();
    assert.equal((await web.app.request('/auth/frontchannel-logout')).status, 200);
    assert.equal((await web.app.request(`/auth/frontchannel-logout?iss=https%3A%2F%2Fevil.example%2Fx%2Fv2.0&sid=${sid}`)).status, 200);
    assert.equal(await sessionLive(sessionId), true);
  });
});

describe('restart', () => {
  it('a signed-in session survives a restart of the web app (same SQLite file)', async () => {
    await signIn();
    await web.close();
    web = await env.startInstance({ storeUrl: STORE_URL() });
    browser.use(web);
    const response = await browser.get('/tokens');
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.ok(html.includes(ADELE_OID));
    assert.ok(!html.includes('could not be obtained'), 'the encrypted token cache was read back');
  });
});
