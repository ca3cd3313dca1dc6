import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT } from 'jose';
import { after, before, describe, it } from 'node:test';
import { authorizeUrl, createCookieJar, formAction, hiddenField, locationParams, pkce, signIn, startTestEmulator, type CookieJar, type TestEmulator } from './helpers.ts';

const SSO_COOKIE = '__Host-entrakit-sso';
const FRONTCHANNEL = 'http://localhost:5000/auth/frontchannel-logout';
const REGISTERED = 'http://localhost:5000/';
let emulator: TestEmulator;

before(async () => {
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator.stop();
});

function logoutUrl(params: Record<string, string>): string {
  return `${emulator.url}/${emulator.tenantId}/oauth2/v2.0/logout?${new URLSearchParams(params)}`;
}

async function idToken(aud: string, key?: CryptoKey): Promise<string> {
  const active = await emulator.deps.keys.activeKey();
  return new SignJWT({ aud, tid: emulator.tenantId })
    .setProtectedHeader({ alg: 'RS256', kid: active.kid, typ: 'JWT' })
    .setIssuer(`${emulator.url}/${emulator.tenantId}/v2.0`)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
    .sign(key ?? active.privateKey);
}

/** The "Which account do you want to sign out of?" page, then its Sign out button (a POST with its hidden fields). */
async function confirmSignOut(jar: CookieJar, picker: Response): Promise<Response> {
  const html = await picker.text();
  assert.equal(picker.status, 200);
  assert.match(html, /Which account do you want to sign out of\?/);
  const body = new URLSearchParams({ action: 'signout' });
  for (const name of ['csrf', 'client_id', 'post_logout_redirect_uri', 'state']) {
    const value = hiddenField(html, name);
    if (value !== undefined) body.set(name, value);
  }
  return jar.fetch(formAction(emulator, html), { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

describe('logout', () => {
  it('with a registered post_logout_redirect_uri: front-channel iframe with iss and sid, then the URI with state', async () => {
    const jar = createCookieJar();
    const sid = locationParams(await signIn(jar, emulator, 'adele')).get('session_state') ?? '';
    const response = await confirmSignOut(jar, await jar.fetch(logoutUrl({ post_logout_redirect_uri: REGISTERED, client_id: emulator.webClientId, state: 'bye' })));
    const html = await response.text();
    assert.equal(response.status, 200);
    const iss = `${emulator.url}/${emulator.tenantId}/v2.0`;
    const src = `${FRONTCHANNEL}?iss=${encodeURIComponent(iss)}&amp;sid=${sid}`;
    assert.ok(html.includes(`<iframe class="frontchannel" src="${src}"`), html);
    assert.ok(html.includes('<a id="continue" href="http://localhost:5000/?state=bye">'));
    assert.match(html, /<meta http-equiv="refresh" content="3;url=http:\/\/localhost:5000\/\?state=bye">/);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-src http:\/\/localhost:5000/);
    assert.match(csp, /script-src 'nonce-/);
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.equal(jar.cookies.has(SSO_COOKIE), false);
    assert.equal(await emulator.deps.state.get(`sso:${sid}`), undefined);
  });

  it('after logout the old session cookie gives no SSO', async () => {
    const jar = createCookieJar();
    await signIn(jar, emulator, 'adele');
    const cookie = jar.cookies.get(SSO_COOKIE) ?? '';
    await (await confirmSignOut(jar, await jar.fetch(logoutUrl({})))).text();
    jar.cookies.set(SSO_COOKIE, cookie);
    const response = await jar.fetch(authorizeUrl(emulator, { prompt: 'none' }));
    assert.equal(locationParams(response).get('error'), 'login_required');
  });

  it('never redirects to an unregistered post_logout_redirect_uri', async () => {
    for (const uri of ['http://evil.example/', 'http://localhost:5000', 'http://localhost:5000/?x=1', 'HTTP://localhost:5000/']) {
      const jar = createCookieJar();
      await signIn(jar, emulator, 'adele');
      const picker = await jar.fetch(logoutUrl({ post_logout_redirect_uri: uri, client_id: emulator.webClientId, state: 'st' }));
      const pickerHtml = await picker.clone().text();
      assert.equal(hiddenField(pickerHtml, 'post_logout_redirect_uri'), undefined, `the picker does not carry ${uri}`);
      assert.equal(hiddenField(pickerHtml, 'state'), undefined, 'nor its state');
      if (uri.includes('evil')) assert.doesNotMatch(pickerHtml, /evil\.example/, 'the unregistered URI is never echoed');
      const response = await confirmSignOut(jar, picker);
      const html = await response.text();
      assert.equal(response.status, 200, uri);
      assert.doesNotMatch(html, /evil\.example/);
      assert.equal(response.headers.get('location'), null);
      assert.match(html, /You signed out of your account/);
      assert.doesNotMatch(html, /id="continue"/);
      assert.doesNotMatch(html, /http-equiv="refresh"/);
    }
  });

  it('without a client and without a session, the URI cannot be checked and is not followed', async () => {
    const response = await fetch(logoutUrl({ post_logout_redirect_uri: REGISTERED }), { redirect: 'manual' });
    assert.equal(response.status, 200);
    assert.doesNotMatch(await response.text(), /id="continue"/);
  });

  it('naming no client (as msal-browser does), the URI is followed when registered for an app this session signed into', async () => {
    const jar = createCookieJar();
    await signIn(jar, emulator, 'adele');
    // http://localhost is registered for the Azure CLI, which this session never signed into.
    const other = await confirmSignOut(jar, await jar.fetch(logoutUrl({ post_logout_redirect_uri: 'http://localhost', state: 's' })));
    assert.equal(other.status, 200);
    assert.doesNotMatch(await other.text(), /id="continue"/);

    await signIn(jar, emulator, 'adele');
    const picker = await jar.fetch(logoutUrl({ post_logout_redirect_uri: REGISTERED, state: 's' }));
    const response = await confirmSignOut(jar, picker);
    assert.equal(response.status, 200, 'front-channel page (the web app has a logout URL)');
    assert.match(await response.text(), /<a id="continue" href="http:\/\/localhost:5000\/\?state=s">/);
    assert.equal(jar.cookies.has(SSO_COOKIE), false);
  });

  it('without a session and with a registered URI, redirects straight there', async () => {
    const response = await fetch(logoutUrl({ post_logout_redirect_uri: REGISTERED, client_id: emulator.webClientId, state: 's' }), { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), 'http://localhost:5000/?state=s');
  });

  it('id_token_hint names the client (expired is fine); a forged or disagreeing hint does not', async () => {
    const good = await fetch(logoutUrl({ post_logout_redirect_uri: REGISTERED, id_token_hint: await idToken(emulator.webClientId) }), { redirect: 'manual' });
    assert.equal(good.status, 302);
    assert.equal(good.headers.get('location'), REGISTERED);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await fetch(logoutUrl({ post_logout_redirect_uri: REGISTERED, id_token_hint: await idToken(emulator.webClientId, privateKey) }), { redirect: 'manual' });
    assert.equal(forged.status, 200);
    await forged.text();
    const disagreeing = await fetch(
      logoutUrl({ post_logout_redirect_uri: REGISTERED, client_id: emulator.devJson.apps.api.clientId, id_token_hint: await idToken(emulator.webClientId) }),
      { redirect: 'manual' },
    );
    assert.equal(disagreeing.status, 200);
    await disagreeing.text();
    const garbage = await fetch(logoutUrl({ post_logout_redirect_uri: REGISTERED, id_token_hint: 'a.b.c' }), { redirect: 'manual' });
    assert.equal(garbage.status, 200);
    await garbage.text();
  });

  it('POST works with form parameters; an unknown tenant is AADSTS90002', async () => {
    const body = new URLSearchParams({ post_logout_redirect_uri: REGISTERED, client_id: emulator.webClientId });
    const post = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/logout`, { method: 'POST', body, redirect: 'manual' });
    assert.equal(post.status, 302);
    const unknown = await fetch(`${emulator.url}/nope.example/oauth2/v2.0/logout`, { redirect: 'manual' });
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /AADSTS90002:/);
  });

  it('a bare GET (a cross-site <img>) does not end the session: it asks which account, and the session stays', async () => {
    const jar = createCookieJar();
    await signIn(jar, emulator, 'adele');
    const picker = await jar.fetch(logoutUrl({}));
    const html = await picker.text();
    assert.equal(picker.status, 200);
    assert.match(html, /Which account do you want to sign out of\?/);
    assert.match(html, /adele@/);
    assert.equal(picker.headers.get('set-cookie'), null, 'no cookie is cleared');
    assert.equal(picker.headers.get('x-frame-options'), 'DENY');
    assert.match(picker.headers.get('content-security-policy') ?? '', /form-action 'self'/);
    const silent = await jar.fetch(authorizeUrl(emulator, { prompt: 'none' }));
    assert.equal(silent.status, 302);
    assert.ok(locationParams(silent).get('code'), 'SSO still works');

    // The confirming POST needs the page's CSRF token.
    const forged = await jar.fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/logout`, {
      method: 'POST',
      body: new URLSearchParams({ action: 'signout', csrf: 'guessed' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /AADSTS9002313: Invalid request\. The sign-out form could not be verified/);
    assert.ok(locationParams(await jar.fetch(authorizeUrl(emulator, { prompt: 'none' }))).get('code'), 'still signed in');

    const confirmed = await confirmSignOut(jar, await jar.fetch(logoutUrl({})));
    assert.equal(confirmed.status, 200);
    assert.match(await confirmed.text(), /You signed out of your account/);
    assert.equal(locationParams(await jar.fetch(authorizeUrl(emulator, { prompt: 'none' }))).get('error'), 'login_required');
  });

  it("with the signed-in user's id_token_hint it signs out at once; another user's hint still asks", async () => {
    const jar = createCookieJar();
    const { verifier, challenge } = pkce();
    const code = locationParams(await signIn(jar, emulator, 'adele', authorizeUrl(emulator, { code_challenge: challenge }))).get('code') ?? '';
    const web = emulator.devJson.apps.web;
    const redeemed = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, code, code_verifier: verifier, redirect_uri: web.redirectUri }),
    });
    assert.equal(redeemed.status, 200);
    const adeleHint = ((await redeemed.json()) as { id_token: string }).id_token;

    const other = createCookieJar();
    await signIn(other, emulator, 'alex');
    const asks = await other.fetch(logoutUrl({ id_token_hint: adeleHint, post_logout_redirect_uri: REGISTERED }));
    assert.equal(asks.status, 200);
    assert.match(await asks.text(), /Which account do you want to sign out of\?/);

    const direct = await jar.fetch(logoutUrl({ id_token_hint: adeleHint, post_logout_redirect_uri: REGISTERED, state: 'z' }));
    assert.equal(direct.status, 200, 'front-channel page (the web app has a logout URL)');
    assert.match(await direct.text(), /<a id="continue" href="http:\/\/localhost:5000\/\?state=z">/);
    assert.equal(jar.cookies.has(SSO_COOKIE), false);
    assert.equal(locationParams(await jar.fetch(authorizeUrl(emulator, { prompt: 'none' }))).get('error'), 'login_required');
  });
});
