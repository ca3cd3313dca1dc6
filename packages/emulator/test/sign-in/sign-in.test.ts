import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codeKey, type AuthorizationCodeRecord } from '../../src/protocol/authorization-code.ts';
import { stableGuid } from '../../src/directory/ids.ts';
import { authorizeUrl, createCookieJar, hiddenField, locationParams, pkce, signIn, startTestEmulator, submitForm, type TestEmulator } from './helpers.ts';

const SSO_COOKIE = '__Host-entrakit-sso';
const BROWSER_COOKIE = '__Host-entrakit-browser';
let emulator: TestEmulator;
// The emulator's clock stands still unless a test moves it, so times it records are exact.
let now = Date.now();

before(async () => {
  emulator = await startTestEmulator({ clock: () => now });
});
after(async () => {
  await emulator.stop();
});

async function codeRecord(code: string): Promise<AuthorizationCodeRecord | undefined> {
  const stored = await emulator.deps.state.get(codeKey(code));
  return stored === undefined ? undefined : (JSON.parse(stored) as AuthorizationCodeRecord);
}

describe('login form', () => {
  it('has the stable field names, the Sign in button, the app name and the security headers', async () => {
    const response = await createCookieJar().fetch(authorizeUrl(emulator));
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.match(html, /<input id="username" name="username"/);
    assert.match(html, /<input id="password" name="password" type="password"/);
    assert.match(html, /<button type="submit" class="primary">Sign in<\/button>/);
    assert.match(html, /to continue to <strong>entrakit web<\/strong>/);
    assert.match(hiddenField(html, 'tx') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(hiddenField(html, 'csrf') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'none'/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  });

  it('login_hint pre-fills the username', async () => {
    const html = await (await createCookieJar().fetch(authorizeUrl(emulator, { login_hint: 'alex@entrakitdemo.onmicrosoft.com' }))).text();
    assert.match(html, /name="username"[^>]* value="alex@entrakitdemo.onmicrosoft.com"/);
  });
});

describe('code issuance', () => {
  it('authorize -> password -> 302 to the redirect URI with code, state and session_state; the record matches', async () => {
    const jar = createCookieJar();
    const { challenge } = pkce();
    const response = await signIn(jar, emulator, 'adele', authorizeUrl(emulator, { code_challenge: challenge, nonce: 'n-1', state: 's-1' }));
    assert.equal(response.status, 302);
    assert.ok(response.headers.get('location')?.startsWith(`${emulator.webRedirectUri}?code=`));
    const params = locationParams(response);
    const code = params.get('code') ?? '';
    assert.match(code, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(params.get('state'), 's-1');
    assert.equal(params.get('client_info'), null);
    const sid = params.get('session_state');
    assert.match(sid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(jar.cookies.get(SSO_COOKIE)?.startsWith(`${sid}.`));

    const record = await codeRecord(code);
    assert.ok(record);
    assert.equal(record.clientId, emulator.webClientId);
    assert.equal(record.redirectUri, emulator.webRedirectUri);
    assert.equal(record.tenantId, emulator.tenantId);
    assert.equal(record.userId, stableGuid('user:adele'));
    assert.equal(record.scope, 'openid profile offline_access User.Read');
    assert.equal(record.nonce, 'n-1');
    assert.equal(record.codeChallenge, challenge);
    assert.equal(record.codeChallengeMethod, 'S256');
    assert.equal(record.sid, sid);
    assert.deepEqual(record.amr, ['pwd']);
    assert.equal(record.authTime, Math.floor(now / 1000));
  });

  it('the SSO cookie is HttpOnly, Secure, SameSite=None, Path=/', async () => {
    const jar = createCookieJar();
    const response = await signIn(jar, emulator, 'adele');
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SSO_COOKIE}=`)) ?? '';
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; SameSite=None/);
    assert.match(cookie, /; Path=\//);
  });

  it('the browser-id cookie (binds login transactions) is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/', async () => {
    const response = await fetch(authorizeUrl(emulator), { redirect: 'manual' });
    await response.arrayBuffer();
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${BROWSER_COOKIE}=`)) ?? '';
    assert.ok(cookie, 'the login page sets it');
    const flags = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    for (const flag of ['httponly', 'secure', 'samesite=lax', 'path=/']) assert.ok(flags.includes(flag), `${flag} in ${cookie}`);
  });

  it('a wrong password or unknown user re-renders the form with AADSTS50126 and starts no session', async () => {
    for (const [username, password] of [
      [emulator.user('adele').username, 'wrong'],
      ['nobody@entrakitdemo.onmicrosoft.com', 'x'],
    ] as const) {
      const jar = createCookieJar();
      const html = await (await jar.fetch(authorizeUrl(emulator))).text();
      const response = await submitForm(jar, emulator, html, { username, password });
      const body = await response.text();
      assert.equal(response.status, 200);
      assert.match(body, /Your account or password is incorrect/);
      assert.match(body, /AADSTS50126/);
      assert.match(body, /name="password"/);
      assert.equal(jar.cookies.has(SSO_COOKIE), false);
    }
  });

  it('a disabled account is AADSTS50057 and starts no session', async () => {
    const megan = emulator.deps.directory.findUserByUsername(emulator.tenantId, emulator.user('megan').username);
    assert.ok(megan);
    emulator.deps.directory.objects.update('user', megan.userPrincipalName, { ...megan, accountEnabled: false });
    try {
      const jar = createCookieJar();
      const response = await signIn(jar, emulator, 'megan');
      assert.equal(response.status, 200);
      assert.match(await response.text(), /AADSTS50057/);
      assert.equal(jar.cookies.has(SSO_COOKIE), false);
    } finally {
      emulator.deps.directory.objects.update('user', megan.userPrincipalName, megan);
    }
  });

  it('a missing or wrong CSRF token, or another browser, is refused with 403/400 and no session', async () => {
    const { username, password } = emulator.user('adele');
    const jar = createCookieJar();
    const html = await (await jar.fetch(authorizeUrl(emulator))).text();
    for (const csrf of ['', 'x'.repeat(43)]) {
      const response = await submitForm(jar, emulator, html, { username, password, csrf });
      assert.equal(response.status, 403);
      assert.match(await response.text(), /CSRF/);
    }
    const otherBrowser = createCookieJar();
    const stolen = await submitForm(otherBrowser, emulator, html, { username, password });
    assert.equal(stolen.status, 400);
    await stolen.text();
    assert.equal(jar.cookies.has(SSO_COOKIE), false);
    assert.equal(otherBrowser.cookies.has(SSO_COOKIE), false);
  });

  it('a login transaction is single use', async () => {
    const jar = createCookieJar();
    const html = await (await jar.fetch(authorizeUrl(emulator))).text();
    const { username, password } = emulator.user('adele');
    assert.equal((await submitForm(jar, emulator, html, { username, password })).status, 302);
    const replay = await submitForm(jar, emulator, html, { username, password });
    assert.equal(replay.status, 400);
    assert.equal(replay.headers.get('location'), null);
  });

  it('response_mode=form_post renders a form posting code and state to the redirect URI', async () => {
    const jar = createCookieJar();
    const response = await signIn(jar, emulator, 'adele', authorizeUrl(emulator, { response_mode: 'form_post' }));
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.match(html, /<form method="post" action="http:\/\/localhost:5000\/auth\/callback" id="response">/);
    const code = hiddenField(html, 'code') ?? '';
    assert.ok(await codeRecord(code));
    assert.equal(hiddenField(html, 'state'), 'state-123');
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /form-action 'self' http:\/\/localhost:5000/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce);
    assert.ok(html.includes(`<script nonce="${nonce}">document.getElementById('response').submit();</script>`));
  });

  it('response_mode=fragment puts the response in the fragment', async () => {
    const response = await signIn(createCookieJar(), emulator, 'adele', authorizeUrl(emulator, { response_mode: 'fragment' }));
    assert.equal(response.status, 302);
    const hash = new URLSearchParams(new URL(response.headers.get('location') ?? '').hash.slice(1));
    assert.ok(await codeRecord(hash.get('code') ?? ''));
    assert.equal(hash.get('state'), 'state-123');
  });
});

describe('single sign-on', () => {
  it('a second authorize with the session cookie answers with a code and no form; prompt=none too', async () => {
    const jar = createCookieJar();
    const first = locationParams(await signIn(jar, emulator, 'adele'));
    const second = await jar.fetch(authorizeUrl(emulator, { state: 'again' }));
    assert.equal(second.status, 302);
    const params = locationParams(second);
    assert.equal(params.get('state'), 'again');
    assert.equal(params.get('session_state'), first.get('session_state'));
    assert.ok(await codeRecord(params.get('code') ?? ''));
    const silent = locationParams(await jar.fetch(authorizeUrl(emulator, { prompt: 'none' })));
    assert.ok(await codeRecord(silent.get('code') ?? ''));
  });

  it('prompt=login shows the form again and re-authenticates with a new auth time', async () => {
    const jar = createCookieJar();
    const first = locationParams(await signIn(jar, emulator, 'adele'));
    const firstRecord = await codeRecord(first.get('code') ?? '');
    now += 120_000;
    const form = await jar.fetch(authorizeUrl(emulator, { prompt: 'login' }));
    assert.equal(form.status, 200);
    assert.match(await form.text(), /name="password"/);
    const again = locationParams(await signIn(jar, emulator, 'adele', authorizeUrl(emulator, { prompt: 'login' })));
    const record = await codeRecord(again.get('code') ?? '');
    assert.ok(record && firstRecord);
    assert.equal(record.authTime, firstRecord.authTime + 120);
    assert.equal(again.get('session_state'), first.get('session_state'));
  });

  it('prompt=select_account shows the account with Continue and Use another account', async () => {
    const jar = createCookieJar();
    await signIn(jar, emulator, 'adele');
    const picker = await jar.fetch(authorizeUrl(emulator, { prompt: 'select_account' }));
    const html = await picker.text();
    assert.equal(picker.status, 200);
    assert.match(html, /Adele Vance/);
    assert.match(html, />Continue<\/button>/);
    assert.match(html, />Use another account<\/button>/);
    const another = await submitForm(jar, emulator, html, { action: 'another' });
    assert.match(await another.text(), /name="password"/);
    const picker2 = await (await jar.fetch(authorizeUrl(emulator, { prompt: 'select_account' }))).text();
    const chosen = await submitForm(jar, emulator, picker2, { action: 'continue' });
    assert.equal(chosen.status, 302);
    assert.ok(await codeRecord(locationParams(chosen).get('code') ?? ''));
  });

  it('a tampered or forged session cookie gives no SSO', async () => {
    const jar = createCookieJar();
    const sid = locationParams(await signIn(jar, emulator, 'adele')).get('session_state') ?? '';
    const signed = jar.cookies.get(SSO_COOKIE) ?? '';
    const forgeries = [
      `${signed.slice(0, -2)}${signed.endsWith('AA') ? 'BB' : 'AA'}`,
      `${sid}.`,
      sid,
      `${sid.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}.${signed.split('.')[1]}`,
    ];
    for (const value of forgeries) {
      jar.cookies.set(SSO_COOKIE, value);
      const response = await jar.fetch(authorizeUrl(emulator, { prompt: 'none' }));
      assert.equal(locationParams(response).get('error'), 'login_required', value);
    }
  });

  it('a login_hint naming someone else does not reuse the session', async () => {
    const jar = createCookieJar();
    await signIn(jar, emulator, 'adele');
    const response = await jar.fetch(authorizeUrl(emulator, { prompt: 'none', login_hint: emulator.user('alex').username }));
    assert.equal(locationParams(response).get('error'), 'login_required');
  });

  it('max_age older than the last password entry needs a fresh sign-in', async () => {
    const jar = createCookieJar();
    const sid = locationParams(await signIn(jar, emulator, 'adele')).get('session_state') ?? '';
    const record = JSON.parse((await emulator.deps.state.get(`sso:${sid}`)) ?? '{}') as { authTime: number };
    await emulator.deps.state.set(`sso:${sid}`, JSON.stringify({ ...record, authTime: record.authTime - 100 }), 60_000);
    assert.equal(locationParams(await jar.fetch(authorizeUrl(emulator, { prompt: 'none', max_age: '10' }))).get('error'), 'login_required');
    assert.ok(locationParams(await jar.fetch(authorizeUrl(emulator, { prompt: 'none', max_age: '1000' }))).get('code'));
  });

  it('signing in as another user replaces the session', async () => {
    const jar = createCookieJar();
    const adele = locationParams(await signIn(jar, emulator, 'adele'));
    const alex = locationParams(await signIn(jar, emulator, 'alex', authorizeUrl(emulator, { prompt: 'login' })));
    assert.notEqual(alex.get('session_state'), adele.get('session_state'));
    assert.equal(await emulator.deps.state.get(`sso:${adele.get('session_state')}`), undefined);
    const record = await codeRecord(alex.get('code') ?? '');
    assert.equal(record?.userId, stableGuid('user:alex'));
  });
});
