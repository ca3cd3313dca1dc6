/**
 * Access-token renewal against the real emulator in strict mode (a rotated refresh token used
 * twice revokes the whole sign-in) with real MSAL: concurrent requests of one user redeem the
 * refresh token once; a revoked refresh token sends the user through sign-in again (silently, as
 * the IdP session exists) and back; a changed TOKEN_CACHE_KEY does the same instead of a 500.
 * The sign-in's tokens are made due for renewal on the wire (expires_in), as if an hour had passed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createBrowser, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { EmulatorWeb, WebInstance } from './helpers/emulator-web.ts';

let env: EmulatorWeb;

before(async () => {
  env = await startEmulatorWeb();
});

after(async () => {
  await env.close();
});

async function assertProfile(response: Response): Promise<void> {
  const html = await response.text();
  assert.equal(response.status, 200, html.slice(0, 400));
  assert.ok(html.includes(env.user('adele').username), 'the Graph profile of the user');
}

describe('one refresh for many concurrent requests', () => {
  it('5 parallel pages of one session: all 200, one refresh-token redemption, the family intact', async () => {
    const web = await env.startInstance();
    try {
      const browser = createBrowser(env, web);
      // The sign-in's access tokens arrive due for renewal, as if an hour had passed.
      web.issueDueTokens = true;
      assert.equal((await browser.signIn('adele', '/profile')).status, 302);
      web.issueDueTokens = false;
      const responses = await Promise.all(Array.from({ length: 5 }, () => browser.get('/profile')));
      for (const response of responses) await assertProfile(response);
      assert.equal(web.refreshRequests, 1);
      assert.deepEqual(await env.revokedFamilies(), []);
    } finally {
      await web.close();
    }
  });

  it('one user in two browsers at once: both 200, one redemption, the family intact', async () => {
    const web = await env.startInstance();
    try {
      const first = createBrowser(env, web);
      const second = createBrowser(env, web);
      web.issueDueTokens = true;
      assert.equal((await first.signIn('adele')).status, 302);
      assert.equal((await second.signIn('adele')).status, 302);
      web.issueDueTokens = false;
      const responses = await Promise.all([first.get('/profile'), second.get('/profile'), first.get('/profile'), second.get('/profile')]);
      for (const response of responses) await assertProfile(response);
      assert.equal(web.refreshRequests, 1);
      assert.deepEqual(await env.revokedFamilies(), []);
    } finally {
      await web.close();
    }
  });
});

/** An attacker redeems the user's refresh token first: the app's copy is now spent, and using it revokes the family. */
async function stealAndUse(web: WebInstance, scope = 'User.Read'): Promise<void> {
  const token = web.lastRefreshToken;
  assert.ok(token, 'the app received a refresh token');
  const response = await fetch(`${env.emulator.url}/${env.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: env.clientId, client_secret: web.config.credential.kind === 'secret' ? web.config.credential.secret : '', scope }),
  });
  assert.equal(response.status, 200, await response.clone().text());
}

describe('a refresh token the identity provider refuses', () => {
  for (const withSuberror of [false, true]) {
    it(`invalid_grant ${withSuberror ? 'with suberror bad_token' : 'without suberror'}: sign-in again (silent) and back to the page asked for`, async () => {
      // Entra adds suberror values to some invalid_grant answers; here the emulator's answer gets one.
      const addSuberror = (inner: typeof fetch): typeof fetch => async (input, init) => {
        const response = await inner(input, init);
        if (!withSuberror || response.status !== 400) return response;
        const body = (await response.json()) as Record<string, unknown>;
        if (body['error'] === 'invalid_grant') body['suberror'] = 'bad_token';
        return new Response(JSON.stringify(body), { status: 400, headers: response.headers });
      };
      const web = await env.startInstance({ wrapFetch: addSuberror });
      try {
        const browser = createBrowser(env, web);
        web.issueDueTokens = true;
        assert.equal((await browser.signIn('adele')).status, 302);
        web.issueDueTokens = false;
        const revokedBefore = (await env.revokedFamilies()).length;
        await stealAndUse(web);

        const refused = await browser.get('/profile?tab=me');
        assert.equal(refused.status, 302);
        assert.ok(refused.headers.get('location')?.startsWith(`${env.emulator.url}/${env.tenantId}/oauth2/v2.0/authorize?`), 'straight to sign-in at the identity provider');
        assert.equal((await env.revokedFamilies()).length, revokedBefore + 1, 'the reuse revoked the family at the emulator');

        const { response, visited } = await browser.follow(refused, 'adele');
        await assertProfile(response);
        assert.equal(visited.length, 2, '/authorize (no password form: the IdP session exists), callback');
        assert.equal(visited[1], '/profile?tab=me');
        assert.equal(web.refreshRequests, 1, 'one refused redemption, no retry loop');
      } finally {
        await web.close();
      }
    });
  }
});

describe('the story page with a refused refresh token', () => {
  it('asks for the API again through sign-in instead of showing a problem', async () => {
    // No API is listening: what matters is how the page gets its token.
    const web = await env.startInstance({ env: { API_SCOPE: env.emulator.devJson.apps.api.scope, API_URL: 'http://127.0.0.1:9' } });
    try {
      const browser = createBrowser(env, web);
      const start = await browser.get('/auth/sign-in/api?returnTo=%2Fstory');
      web.issueDueTokens = true;
      assert.equal((await browser.get(await browser.authorize(start.headers.get('location') ?? '', 'adele'))).status, 302);
      web.issueDueTokens = false;
      await stealAndUse(web, env.emulator.devJson.apps.api.scope);
      const refused = await browser.get('/story');
      assert.equal(refused.status, 302);
      assert.equal(refused.headers.get('location'), '/auth/sign-in/api?returnTo=%2Fstory');
      const { response, visited } = await browser.follow(refused, 'adele');
      assert.equal(visited[2], '/story');
      const html = await response.text();
      assert.equal(response.status, 502, 'the page is shown with the upstream class: the API is down');
      assert.match(html, /could not be reached/, 'the token was obtained; only the (absent) API failed');
    } finally {
      await web.close();
    }
  });
});

describe('a changed TOKEN_CACHE_KEY', () => {
  it('reads old entries as absent: sign-in again instead of a 500, logged once without secrets', async () => {
    const oldKey = await env.startInstance();
    const browser = createBrowser(env, oldKey);
    assert.equal((await browser.signIn('adele')).status, 302);
    await oldKey.close();

    const newKey = randomBytes(32).toString('base64');
    const web = await env.startInstance({ env: { TOKEN_CACHE_KEY: newKey } });
    try {
      browser.use(web);
      const first = await browser.get('/profile');
      assert.equal(first.status, 302);
      assert.ok(first.headers.get('location')?.startsWith(`${env.emulator.url}/${env.tenantId}/oauth2/v2.0/authorize?`), 'straight to sign-in at the identity provider');
      const { response, visited } = await browser.follow(first, 'adele');
      await assertProfile(response);
      assert.equal(visited.at(-1), '/profile');
      const discarded = web.logLines.filter((line) => line.includes('token-cache.discarded'));
      assert.equal(discarded.length, 1);
      const entry = JSON.parse(discarded[0] ?? '{}') as Record<string, unknown>;
      assert.equal(entry['level'], 40);
      assert.notEqual(entry['storedKeyId'], entry['keyId']);
      const log = web.logLines.join('');
      assert.ok(!log.includes(newKey) && !log.includes(oldKey.config.credential.kind === 'secret' ? oldKey.config.credential.secret : '#'), 'no key or secret in the log');
      assert.ok(!/"secret"|eyJ/.test(log), 'no token in the log');
    } finally {
      await web.close();
    }
  });
});
