/**
 * Sign-in and session defences against the real emulator with real MSAL: returnTo after the full
 * round trip, session ids that the store does not hold, sign-out scopes (this browser, the user's
 * last session, everywhere), several tabs signing in at once, the CSRF checks and the nonce
 * check. (entrakit/web's own tests cover the per-browser limit of open sign-ins and a nonce MSAL
 * is told to accept.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_ORIGIN, createBrowser, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { Browser, EmulatorWeb, WebInstance } from './helpers/emulator-web.ts';

let env: EmulatorWeb;
let web: WebInstance;

before(async () => {
  env = await startEmulatorWeb();
  web = await env.startInstance();
});

after(async () => {
  await web.close();
  await env.close();
});

function csrfOf(html: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the sign-out page carries a CSRF token');
  return token;
}

/** Users with an encrypted token cache in the app's store (entrakit/web keeps one entry per user). */
async function tokenCaches(): Promise<number> {
  return (await web.stores.kv.keys('ek:web:tokens:')).length;
}

async function signedIn(alias: 'adele' | 'alex' = 'adele'): Promise<Browser> {
  const browser = createBrowser(env, web);
  assert.equal((await browser.signIn(alias)).status, 302);
  return browser;
}

describe('returnTo: the Location after the whole sign-in round trip', () => {
  const attacks = ['/.//evil.example/x', '/..//evil.example/x', '/%2e%2e//evil.example/x', '/profile/..//evil.example/x', '//evil.example/x', '/\\evil.example/x', 'https://evil.example/x'];
  for (const value of attacks) {
    it(`${value} lands on /`, async () => {
      const browser = createBrowser(env, web);
      const done = await browser.signIn('adele', value);
      assert.equal(done.status, 302);
      assert.equal(done.headers.get('location'), '/');
    });
  }

  it('%2F.%2F%2Fevil.example%2Fx (already encoded in the query) lands on /', async () => {
    const browser = createBrowser(env, web);
    const start = await browser.get('/auth/sign-in?returnTo=%2F.%2F%2Fevil.example%2Fx');
    const done = await browser.get(await browser.authorize(start.headers.get('location') ?? '', 'adele'));
    assert.equal(done.status, 302);
    assert.equal(done.headers.get('location'), '/');
  });

  it('a same-origin path with a query survives', async () => {
    const done = await createBrowser(env, web).signIn('adele', '/profile/../tokens?x=1');
    assert.equal(done.headers.get('location'), '/tokens?x=1');
  });
});

describe('session ids are not in the store', () => {
  it('the store holds a hash of the session id; no stored value works as a cookie', async () => {
    const browser = await signedIn();
    const sessionId = browser.cookies.get('entrakit-session') ?? '';
    assert.match(sessionId, /^[A-Za-z0-9_-]{43}$/);
    const keys = await web.stores.kv.keys('');
    const everything = [...keys, ...(await Promise.all(keys.map((key) => web.stores.kv.get(key))))].join('\n');
    assert.ok(!everything.includes(sessionId), 'the session id appears in no key and no value');
    const stored = (await web.stores.kv.keys('ek:web:session:')).map((key) => key.slice('ek:web:session:'.length));
    assert.ok(stored.length > 0, 'the session is stored');
    assert.equal((await browser.get('/profile')).status, 200, 'under a key its id does not appear in');
    for (const value of stored) {
      const thief = createBrowser(env, web);
      thief.cookies.set('entrakit-session', value);
      const response = await thief.get('/profile');
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), '/auth/sign-in?returnTo=%2Fprofile');
    }
  });
});

describe('sign-out', () => {
  async function signOut(browser: Browser, scope: 'local' | 'global'): Promise<Response> {
    const csrf = csrfOf(await (await browser.get('/sign-out')).text());
    const response = await browser.post(`/auth/sign-out/${scope}`, { csrf });
    assert.equal(response.status, 303);
    return response;
  }

  it('local sign-out ends this browser only; the tokens go with the user\'s last session', async () => {
    const first = await signedIn('alex');
    const second = await signedIn('alex');
    const caches = await tokenCaches();
    await signOut(first, 'local');
    assert.equal((await first.get('/profile')).status, 302);
    const tokenRequests = web.tokenRequests;
    const other = await second.get('/profile');
    assert.equal(other.status, 200, 'the other browser is still signed in, with its tokens');
    assert.ok((await other.text()).includes(env.user('alex').username));
    assert.equal(web.tokenRequests, tokenRequests, 'served from the cached tokens, no token call');
    assert.equal(await tokenCaches(), caches);
    await signOut(second, 'local');
    assert.equal(await tokenCaches(), caches - 1, 'the last session took the tokens with it');
  });

  it('sign out everywhere ends the user\'s sessions in every browser and their tokens', async () => {
    const first = await signedIn('alex');
    const second = await signedIn('alex');
    const bystander = await signedIn('adele');
    const caches = await tokenCaches();
    await signOut(first, 'global');
    const elsewhere = await second.get('/profile');
    assert.equal(elsewhere.status, 302);
    assert.equal(elsewhere.headers.get('location'), '/auth/sign-in?returnTo=%2Fprofile');
    assert.equal(await tokenCaches(), caches - 1, 'the user\'s tokens are gone');
    assert.equal((await bystander.get('/profile')).status, 200, 'another user is not affected');
  });
});

describe('several tabs signing in at once', () => {
  it('two tabs of one browser both complete, each back to its own page', async () => {
    const browser = createBrowser(env, web);
    const tab1 = await browser.get('/auth/sign-in?returnTo=%2Fprofile');
    const tab2 = await browser.get('/auth/sign-in?returnTo=%2Ftokens');
    const callback1 = await browser.authorize(tab1.headers.get('location') ?? '', 'adele');
    const callback2 = await browser.authorize(tab2.headers.get('location') ?? '', 'adele');
    const done2 = await browser.get(callback2);
    const done1 = await browser.get(callback1);
    assert.equal(done2.status, 302, await done2.clone().text());
    assert.equal(done2.headers.get('location'), '/tokens');
    assert.equal(done1.status, 302, await done1.clone().text());
    assert.equal(done1.headers.get('location'), '/profile');
    assert.deepEqual([...browser.cookies.keys()].filter((name) => name.startsWith('entrakit-tx-')), [], 'each transaction cookie goes with its sign-in');
    assert.equal((await browser.get('/profile')).status, 200);
  });
});

describe('CSRF on state-changing POSTs', () => {
  it('refuses a wrong token value (and another session\'s token), keeping the session', async () => {
    const browser = await signedIn();
    const other = await signedIn();
    const mine = csrfOf(await (await browser.get('/sign-out')).text());
    const theirs = csrfOf(await (await other.get('/sign-out')).text());
    const forged = mine.slice(0, -1) + (mine.endsWith('A') ? 'B' : 'A');
    for (const csrf of [forged, theirs, '']) {
      const response = await browser.post('/auth/sign-out/local', { csrf });
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('x-entrakit-error'), 'CSRF_TOKEN_INVALID');
    }
    assert.equal((await browser.get('/profile')).status, 200);
  });

  it('without Origin, Sec-Fetch-Site decides: cross-site and same-site refused, same-origin accepted', async () => {
    const browser = await signedIn();
    const csrf = csrfOf(await (await browser.get('/sign-out')).text());
    for (const site of ['cross-site', 'same-site']) {
      const response = await browser.post('/auth/sign-out/local', { csrf }, { 'sec-fetch-site': site });
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('x-entrakit-error'), 'CSRF_ORIGIN_MISMATCH');
    }
    assert.equal((await browser.get('/profile')).status, 200);
    const accepted = await browser.post('/auth/sign-out/local', { csrf }, { 'sec-fetch-site': 'same-origin' });
    assert.equal(accepted.status, 303);
    assert.equal(accepted.headers.get('location'), '/?signedOut=local');
  });

  it('every state-changing POST checks both: sign-out everywhere and deleting the story refuse a forged token and a foreign Origin', async () => {
    const browser = await signedIn();
    const csrf = csrfOf(await (await browser.get('/sign-out')).text());
    const forged = csrf.slice(0, -1) + (csrf.endsWith('A') ? 'B' : 'A');
    for (const path of ['/auth/sign-out/global', '/auth/sign-out/local', '/story/delete']) {
      const badToken = await browser.post(path, { csrf: forged });
      assert.equal(badToken.status, 403, `${path} with a forged token`);
      assert.equal(badToken.headers.get('x-entrakit-error'), 'CSRF_TOKEN_INVALID', path);
      const noToken = await browser.post(path, {});
      assert.equal(noToken.headers.get('x-entrakit-error'), 'CSRF_TOKEN_INVALID', `${path} without a token`);
      const crossSite = await browser.post(path, { csrf }, { origin: 'https://evil.example' });
      assert.equal(crossSite.status, 403, `${path} from another origin`);
      assert.equal(crossSite.headers.get('x-entrakit-error'), 'CSRF_ORIGIN_MISMATCH', path);
    }
    assert.equal((await browser.get('/profile')).status, 200, 'still signed in');
  });

  it('a wrong Origin is refused even with Sec-Fetch-Site same-origin', async () => {
    const browser = await signedIn();
    const csrf = csrfOf(await (await browser.get('/sign-out')).text());
    const response = await browser.post('/auth/sign-out/local', { csrf }, { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-entrakit-error'), 'CSRF_ORIGIN_MISMATCH');
    const ok = await browser.post('/auth/sign-out/local', { csrf }, { origin: APP_ORIGIN });
    assert.equal(ok.status, 303);
  });
});

describe('the nonce check', () => {
  it('refuses an ID token whose nonce is not this sign-in\'s: 401 TOKEN_NONCE_MISMATCH, no session', async () => {
    const browser = createBrowser(env, web);
    const start = await browser.get('/auth/sign-in?returnTo=%2Fprofile');
    const authorize = new URL(start.headers.get('location') ?? '');
    // The code is obtained for an authorization request with another nonce.
    authorize.searchParams.set('nonce', 'another-authorization-request-nonce-0123456789');
    const refused = await browser.get(await browser.authorize(authorize.toString(), 'adele'));
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('x-entrakit-error'), 'TOKEN_NONCE_MISMATCH');
    assert.equal(browser.cookies.has('entrakit-session'), false);
    assert.equal((await browser.get('/profile')).status, 302, 'still signed out');
  });
});
