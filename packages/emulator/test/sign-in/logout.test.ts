import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT } from 'jose';
import { after, before, describe, it } from 'node:test';
import { authorizeUrl, createCookieJar, locationParams, signIn, startTestEmulator, type TestEmulator } from './helpers.ts';

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

describe('logout', () => {
  it('with a registered post_logout_redirect_uri: front-channel iframe with iss and sid, then the URI with state', async () => {
    const jar = createCookieJar();
    const sid = locationParams(await signIn(jar, emulator, 'adele')).get('session_state') ?? '';
    const response = await jar.fetch(logoutUrl({ post_logout_redirect_uri: REGISTERED, client_id: emulator.webClientId, state: 'bye' }));
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
    await (await jar.fetch(logoutUrl({}))).text();
    jar.cookies.set(SSO_COOKIE, cookie);
    const response = await jar.fetch(authorizeUrl(emulator, { prompt: 'none' }));
    assert.equal(locationParams(response).get('error'), 'login_required');
  });

  it('never redirects to an unregistered post_logout_redirect_uri', async () => {
    for (const uri of ['http://evil.example/', 'http://localhost:5000', 'http://localhost:5000/?x=1', 'HTTP://localhost:5000/']) {
      const jar = createCookieJar();
      await signIn(jar, emulator, 'adele');
      const response = await jar.fetch(logoutUrl({ post_logout_redirect_uri: uri, client_id: emulator.webClientId }));
      const html = await response.text();
      assert.equal(response.status, 200, uri);
      assert.equal(response.headers.get('location'), null);
      assert.match(html, /You signed out of your account/);
      assert.doesNotMatch(html, /id="continue"/);
      assert.doesNotMatch(html, /http-equiv="refresh"/);
    }
  });

  it('without a client, the URI cannot be checked and is not followed', async () => {
    const response = await fetch(logoutUrl({ post_logout_redirect_uri: REGISTERED }), { redirect: 'manual' });
    assert.equal(response.status, 200);
    assert.doesNotMatch(await response.text(), /id="continue"/);
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
});
