/**
 * Sign-in and session defences against the real emulator with real MSAL: returnTo after the full
 * round trip, session ids that the store does not hold, sign-out scopes (this browser, the user's
 * last session, everywhere), several tabs signing in at once, the CSRF checks and the app's own
 * nonce check.
 */
import assert from 'node:assert/strict';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { after, before, describe, it } from 'node:test';
import { MAX_OPEN_PER_BROWSER } from '../../web/auth/sign-in-transaction.ts';
import type { MsalClientFactory } from '../../web/msal/msal-clients.ts';
import { APP_ORIGIN, createBrowser, homeAccountIdOf, startEmulatorWeb } from './helpers/emulator-web.ts';
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
    const stored = (await web.stores.kv.keys('web:session:')).map((key) => key.slice('web:session:'.length));
    assert.ok(stored.includes(web.stores.sessions.reference(sessionId) ?? '#'));
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
    const homeAccountId = await homeAccountIdOf(web, first);
    await signOut(first, 'local');
    assert.equal((await first.get('/profile')).status, 302);
    const other = await second.get('/profile');
    assert.equal(other.status, 200, 'the other browser is still signed in, with its tokens');
    assert.ok((await other.text()).includes(env.user('alex').username));
    assert.notEqual(await web.stores.tokenCache.get(homeAccountId), undefined);
    await signOut(second, 'local');
    assert.equal(await web.stores.tokenCache.get(homeAccountId), undefined, 'the last session took the tokens with it');
  });

  it('sign out everywhere ends the user\'s sessions in every browser and their tokens', async () => {
    const first = await signedIn('alex');
    const second = await signedIn('alex');
    const bystander = await signedIn('adele');
    const homeAccountId = await homeAccountIdOf(web, first);
    await signOut(first, 'global');
    const elsewhere = await second.get('/profile');
    assert.equal(elsewhere.status, 302);
    assert.equal(elsewhere.headers.get('location'), '/auth/sign-in?returnTo=%2Fprofile');
    assert.equal(await web.stores.tokenCache.get(homeAccountId), undefined);
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
    assert.equal(browser.cookies.has('entrakit-signin'), false, 'the transaction cookie goes with the last open sign-in');
    assert.equal((await browser.get('/profile')).status, 200);
  });

  it(`at most ${MAX_OPEN_PER_BROWSER} open per browser: the oldest gives way`, async () => {
    const browser = createBrowser(env, web);
    const starts: Response[] = [];
    for (let tab = 0; tab <= MAX_OPEN_PER_BROWSER; tab++) starts.push(await browser.get(`/auth/sign-in?returnTo=%2Fprofile%3Ftab%3D${tab}`));
    const callbacks: string[] = [];
    for (const start of starts) callbacks.push(await browser.authorize(start.headers.get('location') ?? '', 'adele'));
    const oldest = await browser.get(callbacks[0] ?? '');
    assert.equal(oldest.status, 400);
    assert.equal(oldest.headers.get('x-entrakit-error'), 'SIGNIN_STATE_MISMATCH');
    const newest = await browser.get(callbacks[MAX_OPEN_PER_BROWSER] ?? '');
    assert.equal(newest.status, 302);
    assert.equal(newest.headers.get('location'), `/profile?tab=${MAX_OPEN_PER_BROWSER}`);
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

describe("the app's own nonce check", () => {
  it('refuses an ID token whose nonce is not this sign-in\'s, even when MSAL was told that nonce', async () => {
    // MSAL checks the nonce it is given. Here it is given the nonce the emulator put in the ID
    // token (a code obtained for another authorization request), so only the app's own
    // validation against the transaction can refuse it.
    let injectedNonce: string | undefined;
    const msal: MsalClientFactory = (configuration) => {
      const real = new ConfidentialClientApplication(configuration);
      return {
        getAuthCodeUrl: (request) => real.getAuthCodeUrl(request),
        acquireTokenByCode: (request) => real.acquireTokenByCode({ ...request, ...(injectedNonce ? { nonce: injectedNonce } : {}) }),
        acquireTokenSilent: (request) => real.acquireTokenSilent(request),
        getTokenCache: () => real.getTokenCache(),
      };
    };
    const instance = await env.startInstance({ msal });
    try {
      const browser = createBrowser(env, instance);
      const start = await browser.get('/auth/sign-in?returnTo=%2Fprofile');
      const authorize = new URL(start.headers.get('location') ?? '');
      injectedNonce = 'another-authorization-request-nonce-0123456789';
      authorize.searchParams.set('nonce', injectedNonce);
      const refused = await browser.get(await browser.authorize(authorize.toString(), 'adele'));
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('x-entrakit-error'), 'TOKEN_NONCE_MISMATCH');
      assert.equal(browser.cookies.has('entrakit-session'), false);

      // The same wrapper with the real nonce signs in: the refusal above is the nonce alone.
      injectedNonce = undefined;
      const done = await browser.signIn('adele');
      assert.equal(done.status, 302);
      assert.equal(done.headers.get('location'), '/profile');
    } finally {
      await instance.close();
    }
  });
});
