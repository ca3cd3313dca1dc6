/**
 * Every way a sign-in must fail, against the real web app, real MSAL and the real emulator. The
 * malformed ID tokens come from the emulator's test-only token faults (POST /_admin/token-faults).
 * Each asserts the exact code and that no session exists.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertEncryptedAtRest, createBrowser, sessionCount, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { Browser, EmulatorWeb, WebInstance } from './helpers/emulator-web.ts';

let env: EmulatorWeb;
let web: WebInstance;
let browser: Browser;

before(async () => {
  env = await startEmulatorWeb();
  web = await env.startInstance();
});

after(async () => {
  await web.close();
  await env.close();
});

beforeEach(async () => {
  web.tokenRequests = 0;
  browser = createBrowser(env, web);
  assert.equal((await env.admin('DELETE', '/_admin/token-faults')).status, 204);
  for (const key of await web.stores.kv.keys('ek:web:session:')) await web.stores.kv.delete(key);
  for (const key of await web.stores.kv.keys('ek:web:tokens:')) await web.stores.kv.delete(key);
});

/** The sign-in transaction cookies (one per open sign-in) the browser holds. */
function transactionCookies(b: Browser): Array<[string, string]> {
  return [...b.cookies].filter(([name]) => name.startsWith('entrakit-tx-'));
}

async function assertRefused(response: Response, status: number, code: string): Promise<string> {
  const body = await response.text();
  assert.equal(response.status, status, body.slice(0, 300));
  assert.equal(response.headers.get('x-entrakit-error'), code);
  assert.match(body, new RegExp(code));
  assert.equal(await sessionCount(web), 0, 'no session may exist');
  assert.deepEqual(await web.stores.kv.keys('ek:web:tokens:'), [], 'no tokens may be kept');
  assert.ok(![...browser.cookies.keys()].includes('entrakit-session'), 'no session cookie');
  return body;
}

describe('sign-in happy path (baseline for the rejections)', () => {
  it('creates exactly one session, keeps tokens encrypted and redirects to returnTo', async () => {
    const { callback, authorizeUrl } = await browser.startSignIn('adele', '/tokens?x=1');
    assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorizeUrl.searchParams.get('response_mode'), 'query');
    assert.equal(authorizeUrl.searchParams.get('client_info'), '1');
    for (const name of ['state', 'nonce', 'code_challenge']) assert.equal((authorizeUrl.searchParams.get(name) ?? '').length, 43, `${name} has 256 bits (43 base64url characters)`);
    const done = await browser.get(callback);
    assert.equal(done.status, 302);
    assert.equal(done.headers.get('location'), '/tokens?x=1');
    assert.equal(await sessionCount(web), 1);
    assert.ok(browser.cookies.has('entrakit-session'));
    assert.deepEqual(transactionCookies(browser), [], 'transaction cookie cleared');
    const [cacheKey] = await web.stores.kv.keys('ek:web:tokens:');
    const stored = (await web.stores.kv.get(cacheKey ?? '')) ?? '';
    assertEncryptedAtRest(stored, 'token cache is encrypted at rest');
    const cookie = done.headers.getSetCookie().find((line) => line.startsWith('entrakit-session='));
    assert.match(cookie ?? '', /HttpOnly/i);
    assert.match(cookie ?? '', /SameSite=Lax/i);
    assert.match(cookie ?? '', /Path=\//);
  });
});

describe('state and transaction checks happen before any token call', () => {
  it('refuses a callback without state', async () => {
    const { callback } = await browser.startSignIn('adele');
    const url = new URL(callback, 'http://x');
    url.searchParams.delete('state');
    await assertRefused(await browser.get(`${url.pathname}${url.search}`), 400, 'SIGNIN_STATE_MISSING');
    assert.equal(web.tokenRequests, 0);
  });

  it('refuses a callback with a wrong state', async () => {
    const { callback } = await browser.startSignIn('adele');
    const url = new URL(callback, 'http://x');
    url.searchParams.set('state', 'A'.repeat(43));
    await assertRefused(await browser.get(`${url.pathname}${url.search}`), 400, 'SIGNIN_STATE_MISMATCH');
    assert.equal(web.tokenRequests, 0);
  });

  it('refuses a callback in a browser that did not start the sign-in', async () => {
    const { callback } = await browser.startSignIn('adele');
    browser.cookies.clear();
    await assertRefused(await browser.get(callback), 400, 'SIGNIN_TRANSACTION_MISSING');
    assert.equal(web.tokenRequests, 0);
  });

  it('refuses a replayed callback (same state twice) and creates no second session', async () => {
    const { callback } = await browser.startSignIn('adele');
    const kept = transactionCookies(browser);
    assert.equal(kept.length, 1);
    assert.equal((await browser.get(callback)).status, 302);
    assert.equal(await sessionCount(web), 1);
    const firstSession = browser.cookies.get('entrakit-session');
    // The attacker replays the callback with the transaction cookie it had.
    for (const [name, value] of kept) browser.cookies.set(name, value);
    const replay = await browser.get(callback);
    assert.equal(replay.status, 400);
    assert.equal(replay.headers.get('x-entrakit-error'), 'SIGNIN_TRANSACTION_NOT_FOUND');
    assert.equal(await sessionCount(web), 1, 'still only the first session');
    assert.equal(browser.cookies.get('entrakit-session'), firstSession);
    assert.equal(web.tokenRequests, 1, 'the replay made no token call');
  });

  it('shows an error from the identity provider with its AADSTS code explained', async () => {
    const { callback } = await browser.startSignIn('adele');
    const state = new URL(callback, 'http://x').searchParams.get('state') ?? '';
    const query = new URLSearchParams({ error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.', state });
    const body = await assertRefused(await browser.get(`/auth/callback?${query}`), 400, 'SIGNIN_IDP_ERROR');
    assert.match(body, /AADSTS65004/);
    assert.match(body, /declined to consent/);
    assert.equal(web.tokenRequests, 0);
  });
});

describe('the ID token is validated by the app before any session exists', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['a bad signature', () => ({ signature: 'corrupt' }), 'TOKEN_SIGNATURE_INVALID'],
    ['another app as audience', () => ({ claims: { aud: '6f1d2c3b-4a59-4e87-9c0d-1a2b3c4d5e6f' } }), 'TOKEN_AUDIENCE_INVALID'],
    ['a foreign issuer', () => ({ claims: { iss: `https://login.evil.example/${env.tenantId}/v2.0` } }), 'TOKEN_ISSUER_INVALID'],
    ['an expiry an hour ago', () => ({ claims: { iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 } }), 'TOKEN_EXPIRED'],
    ['another sign-in\'s nonce', () => ({ claims: { nonce: 'n'.repeat(43) } }), 'TOKEN_NONCE_MISMATCH'],
    ['alg none (unsigned)', () => ({ alg: 'none' }), 'TOKEN_ALG_NOT_ALLOWED'],
  ];
  for (const [what, idToken, code] of cases) {
    it(`refuses an ID token with ${what} (${code})`, async () => {
      const added = await env.admin('POST', '/_admin/token-faults', { clientId: env.clientId, idToken: idToken(), count: 1 });
      assert.equal(added.status, 201, await added.clone().text());
      const { callback } = await browser.startSignIn('adele');
      await assertRefused(await browser.get(callback), 401, code);
      assert.equal(web.tokenRequests, 1);
      assert.deepEqual(((await (await env.admin('GET', '/_admin/token-faults')).json()) as { tokenFaults: unknown[] }).tokenFaults, [], 'the fault was used up');
    });
  }
});
