import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newApplication } from '../../src/directory/new-application.ts';
import { registerApplication } from '../../src/directory/registration.ts';
import { authorizeUrl, createCookieJar, locationParams, startTestEmulator, type TestEmulator } from './helpers.ts';

let emulator: TestEmulator;

before(async () => {
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator.stop();
});

/** Asserts an error page: the status, the AADSTS code in the text, and no redirect anywhere. */
async function assertErrorPage(response: Response, aadsts: number, status = 400): Promise<string> {
  const body = await response.text();
  assert.equal(response.status, status);
  assert.equal(response.headers.get('location'), null);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(body, new RegExp(`AADSTS${aadsts}:`));
  return body;
}

/** Asserts an error redirect to the demo web app's callback with the error, the AADSTS code and the state. */
function assertErrorRedirect(response: Response, error: string, aadsts: number, state: string | null = 'state-123'): URLSearchParams {
  assert.equal(response.status, 302);
  const location = response.headers.get('location') ?? '';
  assert.ok(location.startsWith(`${emulator.webRedirectUri}?`), location);
  const params = locationParams(response);
  assert.equal(params.get('error'), error);
  assert.match(params.get('error_description') ?? '', new RegExp(`^AADSTS${aadsts}: .* Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: `));
  assert.equal(params.get('error_uri'), `${emulator.url}/error?code=${aadsts}`);
  assert.match(params.get('correlation_id') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(params.get('state'), state);
  assert.equal(params.get('code'), null);
  return params;
}

describe('authorize: errors shown on a page, never redirected', () => {
  it('unknown tenant is AADSTS90002', async () => {
    await assertErrorPage(await fetch(authorizeUrl(emulator, {}, 'nosuchtenant.onmicrosoft.com')), 90002);
  });

  it('missing client_id is AADSTS900144, unknown client_id is AADSTS700016', async () => {
    await assertErrorPage(await fetch(authorizeUrl(emulator, { client_id: undefined })), 900144);
    await assertErrorPage(await fetch(authorizeUrl(emulator, { client_id: '11111111-2222-3333-4444-555555555555' })), 700016);
    await assertErrorPage(await fetch(authorizeUrl(emulator, { client_id: 'not-a-guid' })), 700016);
  });

  it('redirect URIs must match a registration byte for byte (AADSTS50011, the URI shown escaped)', async () => {
    const variants = [
      'http://localhost:5000/auth/callback/',
      'http://localhost:5000/AUTH/callback',
      'http://LOCALHOST:5000/auth/callback',
      'http://localhost:5001/auth/callback',
      'https://localhost:5000/auth/callback',
      'http://localhost:5000/auth/callback?next=1',
      'http://localhost:5000/auth/callback#x',
      'http://evil.example/auth/callback',
    ];
    for (const redirectUri of variants) {
      const body = await assertErrorPage(await fetch(authorizeUrl(emulator, { redirect_uri: redirectUri })), 50011);
      assert.ok(body.includes(`The redirect URI &#39;${redirectUri}&#39; specified in the request does not match`), redirectUri);
    }
    const xss = await assertErrorPage(await fetch(authorizeUrl(emulator, { redirect_uri: 'http://x/"><script>alert(1)</script>' })), 50011);
    assert.ok(!xss.includes('<script>alert(1)</script>'));
    assert.ok(xss.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });

  it('a missing redirect_uri is an error page too', async () => {
    await assertErrorPage(await fetch(authorizeUrl(emulator, { redirect_uri: undefined })), 900144);
  });

  it('a repeated client_id or redirect_uri is refused on the page', async () => {
    const url = `${authorizeUrl(emulator)}&redirect_uri=${encodeURIComponent('http://evil.example/cb')}`;
    await assertErrorPage(await fetch(url), 9002313);
  });

  it('error pages carry anti-framing, CSP, no-store and no-referrer headers', async () => {
    const response = await fetch(authorizeUrl(emulator, { client_id: undefined }));
    await response.text();
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  });
});

describe('authorize: errors redirected to the registered URI', () => {
  it('a confidential web app may skip PKCE (Entra): the sign-in page, not an error', async () => {
    const response = await fetch(authorizeUrl(emulator, { code_challenge: undefined, code_challenge_method: undefined }), { redirect: 'manual' });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /name="password"/);
  });

  it('plain or missing code_challenge_method cannot downgrade PKCE (AADSTS501491)', async () => {
    const challenge = 'a'.repeat(43);
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { code_challenge: challenge, code_challenge_method: 'plain' }), { redirect: 'manual' }), 'invalid_request', 501491);
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { code_challenge: challenge, code_challenge_method: undefined }), { redirect: 'manual' }), 'invalid_request', 501491);
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { code_challenge: 'short' }), { redirect: 'manual' }), 'invalid_request', 501491);
  });

  it('unknown response_type is AADSTS70005; implicit and hybrid without the registration setting are AADSTS700054 (ID token) and AADSTS700051 (access token)', async () => {
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { response_type: 'code code' }), { redirect: 'manual' }), 'unsupported_response_type', 70005);
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { response_type: 'device' }), { redirect: 'manual' }), 'unsupported_response_type', 70005);
    for (const [responseType, denied, code] of [['code id_token', 'id_token', 700054], ['id_token', 'id_token', 700054], ['token', 'token', 700051]] as const) {
      const response = await fetch(authorizeUrl(emulator, { response_type: responseType }), { redirect: 'manual' });
      assert.equal(response.status, 302);
      // Tokens never go in a query: these answer in the fragment by default, errors included.
      const location = response.headers.get('location') ?? '';
      assert.ok(location.startsWith(`${emulator.webRedirectUri}#`), location);
      const params = new URLSearchParams(location.slice(location.indexOf('#') + 1));
      assert.equal(params.get('error'), 'unsupported_response_type');
      assert.ok(params.get('error_description')?.startsWith(`AADSTS${code}: response_type '${denied}' is not enabled for the application. Trace ID: `), params.get('error_description') ?? '');
      assert.equal(params.get('error_uri'), `${emulator.url}/error?code=${code}`);
      assert.equal(params.get('state'), 'state-123');
    }
  });

  it('scope errors: unknown scope AADSTS70011, unknown resource AADSTS500011, two resources AADSTS70011', async () => {
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { scope: 'openid Nope.Read' }), { redirect: 'manual' }), 'invalid_scope', 70011);
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { scope: 'openid api://unknown/x' }), { redirect: 'manual' }), 'invalid_resource', 500011);
    const api = emulator.devJson.apps.api.scope;
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { scope: `User.Read ${api}` }), { redirect: 'manual' }), 'invalid_scope', 70011);
  });

  it('prompt=none without a session is login_required (AADSTS50058)', async () => {
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { prompt: 'none' }), { redirect: 'manual' }), 'login_required', 50058);
  });

  it('an unknown prompt value is invalid_request', async () => {
    assertErrorRedirect(await fetch(authorizeUrl(emulator, { prompt: 'create' }), { redirect: 'manual' }), 'invalid_request', 9002313);
  });

  it('a single-tenant app on /common or /organizations is AADSTS50194', async () => {
    assertErrorRedirect(await fetch(authorizeUrl(emulator, {}, 'common'), { redirect: 'manual' }), 'invalid_request', 50194);
    assertErrorRedirect(await fetch(authorizeUrl(emulator, {}, 'organizations'), { redirect: 'manual' }), 'invalid_request', 50194);
  });

  it('errors honour response_mode=fragment and form_post', async () => {
    const fragment = await fetch(authorizeUrl(emulator, { prompt: 'none', response_mode: 'fragment' }), { redirect: 'manual' });
    assert.equal(fragment.status, 302);
    const hash = new URLSearchParams(new URL(fragment.headers.get('location') ?? '').hash.slice(1));
    assert.equal(hash.get('error'), 'login_required');
    assert.equal(hash.get('state'), 'state-123');
    const post = await fetch(authorizeUrl(emulator, { prompt: 'none', response_mode: 'form_post' }), { redirect: 'manual' });
    const html = await post.text();
    assert.equal(post.status, 200);
    assert.match(html, /<form method="post" action="http:\/\/localhost:5000\/auth\/callback" id="response">/);
    assert.match(html, /<input type="hidden" name="error" value="login_required">/);
    assert.match(html, /<input type="hidden" name="state" value="state-123">/);
  });

  it('a repeated state is refused and not echoed', async () => {
    const response = await fetch(`${authorizeUrl(emulator)}&state=second`, { redirect: 'manual' });
    assertErrorRedirect(response, 'invalid_request', 9002313, null);
  });
});

describe('authorize: garbage never breaks it', () => {
  it('oversized, malformed and binary parameters answer the form, a redirect or 400, never 500', async () => {
    // Errors the redirect URI can be trusted for go back to it (Entra's error redirect); without a
    // valid client or redirect URI the error is a page (400); harmless oddities show the login form.
    const cases: Array<[Record<string, string | undefined>, number, string | undefined]> = [
      [{ scope: 'x'.repeat(5000) }, 302, 'AADSTS9002313'],
      [{ state: '%'.repeat(3000) }, 200, undefined],
      [{ nonce: '\u0000\u0001\uFFFF' }, 200, undefined],
      [{ claims: '{not json' }, 302, 'AADSTS9002313'],
      [{ max_age: '-1' }, 302, 'AADSTS9002313'],
      [{ login_hint: 'a'.repeat(600) }, 302, 'AADSTS9002313'],
      [{ client_id: '\u0000'.repeat(10) }, 400, 'AADSTS700016'],
      [{ redirect_uri: 'x'.repeat(5000) }, 400, 'AADSTS9002313'],
      [{ response_mode: 'weird' }, 302, 'AADSTS9002313'],
      [{ code_challenge: '<>'.repeat(30) }, 302, 'AADSTS501491'],
    ];
    for (const [overrides, status, code] of cases) {
      const response = await fetch(authorizeUrl(emulator, overrides), { redirect: 'manual' });
      const text = await response.text();
      const what = JSON.stringify(overrides).slice(0, 80);
      assert.equal(response.status, status, what);
      if (status === 302) {
        const location = new URL(response.headers.get('location') ?? '');
        assert.equal(location.searchParams.get('error'), 'invalid_request', what);
        assert.equal(/^AADSTS\d+/.exec(location.searchParams.get('error_description') ?? '')?.[0], code, what);
      } else if (status === 400) {
        assert.equal(/AADSTS\d+/.exec(text)?.[0], code, what);
      } else {
        assert.match(text, /name="password"/, `${what}: the login form`);
      }
    }
    const raw = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/authorize?%zz=%&client_id=%E0%A4%A`, { redirect: 'manual' });
    assert.equal(raw.status, 400);
    const tenant = await fetch(`${emulator.url}/%E0%A4%A/oauth2/v2.0/authorize`, { redirect: 'manual' });
    assert.equal(tenant.status, 400);
  });

  it('POST /authorize takes form-encoded parameters; other bodies are refused on a page', async () => {
    const url = new URL(authorizeUrl(emulator, { prompt: 'none' }));
    const form = await fetch(`${url.origin}${url.pathname}`, { method: 'POST', body: url.searchParams, redirect: 'manual' });
    assertErrorRedirect(form, 'login_required', 50058);
    const json = await fetch(`${url.origin}${url.pathname}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, redirect: 'manual' });
    assert.equal(json.status, 400);
    assert.match(await json.text(), /AADSTS9002313:/);
  });
});

describe('authorize: multi-tenant apps', () => {
  it('an AzureADMultipleOrgs app may use /common and gets the login form', async () => {
    const appId = '7c1f7a34-3f0e-4f7b-9a55-3b7d1c1f0a01';
    const app = newApplication({
      id: '7c1f7a34-3f0e-4f7b-9a55-3b7d1c1f0a02',
      appId,
      displayName: 'multi-tenant test app',
      signInAudience: 'AzureADMultipleOrgs',
      web: { redirectUris: ['https://mt.example/cb'], logoutUrl: null },
    });
    registerApplication(emulator.deps.directory, emulator.tenantId, app);
    const jar = createCookieJar();
    const response = await jar.fetch(authorizeUrl(emulator, { client_id: appId, redirect_uri: 'https://mt.example/cb', scope: 'openid' }, 'organizations'));
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.match(html, /action="\/organizations\/login"/);
    assert.match(html, /to continue to <strong>multi-tenant test app<\/strong>/);
  });
});
