/**
 * Every way a sign-in must fail, against the real web app and real MSAL, with a test identity
 * provider producing the bad responses. Each asserts the exact code and that no session exists.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestIdp } from './helpers/test-idp.ts';
import type { IdTokenMode, TestIdp } from './helpers/test-idp.ts';
import { assertEncryptedAtRest, startWebHarness } from './helpers/web-harness.ts';
import type { WebHarness } from './helpers/web-harness.ts';

let dataDir: string;
let idp: TestIdp;
let web: WebHarness;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'entrakit-web-reject-'));
  idp = await startTestIdp(dataDir);
  web = await startWebHarness(idp, dataDir);
});

after(async () => {
  await web.close();
  await idp.close();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  idp.idTokenMode = 'valid';
  idp.tokenRequests = 0;
  web.browser.cookies.clear();
  for (const key of await web.stores.kv.keys('web:session:')) await web.stores.kv.delete(key);
  for (const key of await web.stores.kv.keys('web:tokencache:')) await web.stores.kv.delete(key);
});

async function assertRefused(response: Response, status: number, code: string): Promise<string> {
  const body = await response.text();
  assert.equal(response.status, status, body.slice(0, 300));
  assert.equal(response.headers.get('x-entrakit-error'), code);
  assert.match(body, new RegExp(code));
  assert.equal(await web.sessionCount(), 0, 'no session may exist');
  assert.deepEqual(await web.stores.kv.keys('web:tokencache:'), [], 'no tokens may be kept');
  assert.ok(![...web.browser.cookies.keys()].includes('entrakit-session'), 'no session cookie');
  return body;
}

describe('sign-in happy path (baseline for the rejections)', () => {
  it('creates exactly one session, keeps tokens encrypted and redirects to returnTo', async () => {
    const { callback, authorizeUrl } = await web.startSignIn('/tokens?x=1');
    assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorizeUrl.searchParams.get('response_mode'), 'query');
    assert.equal(authorizeUrl.searchParams.get('client_info'), '1');
    for (const name of ['state', 'nonce', 'code_challenge']) assert.ok((authorizeUrl.searchParams.get(name) ?? '').length >= 43, `${name} has >= 256 bits`);
    const done = await web.browser.get(callback);
    assert.equal(done.status, 302);
    assert.equal(done.headers.get('location'), '/tokens?x=1');
    assert.equal(await web.sessionCount(), 1);
    assert.ok(web.browser.cookies.has('entrakit-session'));
    assert.ok(!web.browser.cookies.has('entrakit-signin'), 'transaction cookie cleared');
    const [cacheKey] = await web.stores.kv.keys('web:tokencache:');
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
    const { callback } = await web.startSignIn();
    const url = new URL(callback, 'http://x');
    url.searchParams.delete('state');
    await assertRefused(await web.browser.get(`${url.pathname}${url.search}`), 400, 'SIGNIN_STATE_MISSING');
    assert.equal(idp.tokenRequests, 0);
  });

  it('refuses a callback with a wrong state', async () => {
    const { callback } = await web.startSignIn();
    const url = new URL(callback, 'http://x');
    url.searchParams.set('state', 'A'.repeat(43));
    await assertRefused(await web.browser.get(`${url.pathname}${url.search}`), 400, 'SIGNIN_STATE_MISMATCH');
    assert.equal(idp.tokenRequests, 0);
  });

  it('refuses a callback in a browser that did not start the sign-in', async () => {
    const { callback } = await web.startSignIn();
    web.browser.cookies.clear();
    await assertRefused(await web.browser.get(callback), 400, 'SIGNIN_TRANSACTION_MISSING');
    assert.equal(idp.tokenRequests, 0);
  });

  it('refuses a replayed callback (same state twice) and creates no second session', async () => {
    const { callback } = await web.startSignIn();
    const transactionCookie = web.browser.cookies.get('entrakit-signin') ?? '';
    assert.equal((await web.browser.get(callback)).status, 302);
    assert.equal(await web.sessionCount(), 1);
    const firstSession = web.browser.cookies.get('entrakit-session');
    web.browser.cookies.set('entrakit-signin', transactionCookie);
    const replay = await web.browser.get(callback);
    assert.equal(replay.status, 400);
    assert.equal(replay.headers.get('x-entrakit-error'), 'SIGNIN_TRANSACTION_NOT_FOUND');
    assert.equal(await web.sessionCount(), 1, 'still only the first session');
    assert.equal(web.browser.cookies.get('entrakit-session'), firstSession);
    assert.equal(idp.tokenRequests, 1, 'the replay made no token call');
  });

  it('shows an error from the identity provider with its AADSTS code explained', async () => {
    const { callback } = await web.startSignIn();
    const state = new URL(callback, 'http://x').searchParams.get('state') ?? '';
    const query = new URLSearchParams({ error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.', state });
    const body = await assertRefused(await web.browser.get(`/auth/callback?${query}`), 400, 'SIGNIN_IDP_ERROR');
    assert.match(body, /AADSTS65004/);
    assert.match(body, /declined to consent/);
    assert.equal(idp.tokenRequests, 0);
  });
});

describe('the ID token is validated by the app before any session exists', () => {
  const cases: Array<[IdTokenMode, string]> = [
    ['bad-signature', 'TOKEN_SIGNATURE_INVALID'],
    ['wrong-aud', 'TOKEN_AUDIENCE_INVALID'],
    ['wrong-iss', 'TOKEN_ISSUER_INVALID'],
    ['expired', 'TOKEN_EXPIRED'],
    ['wrong-nonce', 'TOKEN_NONCE_MISMATCH'],
    ['alg-none', 'TOKEN_ALG_NOT_ALLOWED'],
  ];
  for (const [mode, code] of cases) {
    it(`refuses an ID token with ${mode} (${code})`, async () => {
      idp.idTokenMode = mode;
      const { callback } = await web.startSignIn();
      await assertRefused(await web.browser.get(callback), 401, code);
      assert.equal(idp.tokenRequests, 1);
    });
  }
});
