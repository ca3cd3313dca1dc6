/**
 * Faults survived, through the emulator's fault injection (POST /_admin/faults): Graph throttling,
 * a failing token endpoint during a silent refresh, signing-key rotation with users active, the
 * identity provider down, and the web app or API restarted mid-session.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startApi } from '../../api/server.ts';
import { startEmulator } from '../../../packages/emulator/src/server.ts';
import { stableGuid } from '../../../packages/emulator/src/directory/ids.ts';
import { createBrowser, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { EmulatorWeb, WebInstance } from './helpers/emulator-web.ts';

let env: EmulatorWeb;
/** How far the emulator's clock runs ahead of the apps' (to let a rotated key's lead time pass). */
let emulatorAheadMs = 0;

before(async () => {
  env = await startEmulatorWeb({ emulatorClock: () => Date.now() + emulatorAheadMs });
});

after(async () => {
  await env.close();
});

beforeEach(async () => {
  await admin('DELETE', '/_admin/faults');
});

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${env.emulator.url}${path}`, {
    method,
    headers: { 'x-entrakit-admin': env.emulator.devJson.emulator.adminKey ?? '', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response;
}

async function addFault(rule: Record<string, unknown>): Promise<void> {
  const response = await admin('POST', '/_admin/faults', rule);
  assert.equal(response.status, 201, await response.clone().text());
}

async function remainingFaults(): Promise<unknown[]> {
  return ((await (await admin('GET', '/_admin/faults')).json()) as { faults: unknown[] }).faults;
}

async function assertProfile(response: Response, alias: 'adele' | 'alex' = 'adele'): Promise<void> {
  const html = await response.text();
  assert.equal(response.status, 200, html.slice(0, 400));
  assert.ok(html.includes(env.user(alias).username), 'the Graph profile of the user');
}

async function assertErrorPage(response: Response, status: number, code: string): Promise<string> {
  const html = await response.text();
  assert.equal(response.status, status, html.slice(0, 400));
  assert.equal(response.headers.get('x-entrakit-error'), code);
  return html;
}

describe('Microsoft Graph throttling (429 with Retry-After)', () => {
  it('retries at most twice, waiting Retry-After, and the page shows the data', async () => {
    const waits: number[] = [];
    const web = await env.startInstance({ sleep: async (ms) => void waits.push(ms) });
    try {
      const browser = createBrowser(env, web);
      assert.equal((await browser.signIn('adele', '/profile')).status, 302);
      await addFault({ pathPrefix: '/v1.0/me', status: 429, retryAfterSec: 2, count: 2 });
      await assertProfile(await browser.get('/profile'));
      assert.deepEqual(waits, [2000, 2000]);
      assert.deepEqual(await remainingFaults(), []);
    } finally {
      await web.close();
    }
  });

  it('gives up after two retries with a 503 page that says when to try again', async () => {
    const waits: number[] = [];
    const web = await env.startInstance({ sleep: async (ms) => void waits.push(ms) });
    try {
      const browser = createBrowser(env, web);
      assert.equal((await browser.signIn('adele', '/profile')).status, 302);
      await addFault({ pathPrefix: '/v1.0/me', status: 429, retryAfterSec: 1, count: 4 });
      const response = await browser.get('/profile');
      const html = await assertErrorPage(response, 503, 'GRAPH_THROTTLED');
      assert.equal(response.headers.get('retry-after'), '1');
      assert.match(html, /Microsoft Graph is throttling/);
      assert.deepEqual(waits, [1000, 1000]);
      assert.equal((await remainingFaults()).length, 1, 'three requests reached Graph, no more');
    } finally {
      await web.close();
    }
  });

  it('does not wait longer than the cap: a Retry-After of an hour is not retried', async () => {
    const waits: number[] = [];
    const web = await env.startInstance({ sleep: async (ms) => void waits.push(ms) });
    try {
      const browser = createBrowser(env, web);
      assert.equal((await browser.signIn('adele', '/profile')).status, 302);
      await addFault({ pathPrefix: '/v1.0/me', status: 429, retryAfterSec: 3600, count: 1 });
      const response = await browser.get('/profile');
      await assertErrorPage(response, 503, 'GRAPH_THROTTLED');
      assert.equal(response.headers.get('retry-after'), '3600');
      assert.deepEqual(waits, []);
      await assertProfile(await browser.get('/profile'));
    } finally {
      await web.close();
    }
  });
});

describe('the token endpoint failing during a silent refresh', () => {
  it('shows a clear 503 page, leaves the session intact, and the same session works once the fault clears', async () => {
    const web = await env.startInstance();
    try {
      const browser = createBrowser(env, web);
      web.issueDueTokens = true;
      assert.equal((await browser.signIn('adele', '/profile')).status, 302);
      web.issueDueTokens = false;
      const sessionCookie = browser.cookies.get('entrakit-session');
      const refreshToken = web.lastRefreshToken;
      await addFault({ pathPrefix: `/${env.tenantId}/oauth2/v2.0/token`, status: 503, retryAfterSec: 5 });
      const attempts = web.refreshRequests;
      const failed = await browser.get('/profile');
      const html = await assertErrorPage(failed, 503, 'IDP_UNAVAILABLE');
      assert.ok(html.includes('The identity provider&#39;s token endpoint answered temporarily_unavailable.'), 'names the endpoint and its answer');
      assert.match(html, /You are still signed in/);
      assert.equal(browser.cookies.get('entrakit-session'), sessionCookie, 'the session cookie is unchanged');
      assert.equal(web.refreshRequests, attempts + 1, 'one refresh attempt, no retry storm');
      assert.equal(web.lastRefreshToken, refreshToken, 'no new refresh token was issued (redeemed below, once the endpoint is back)');
      assert.equal((await browser.get('/trace')).status, 200, 'the session is kept');
      await admin('DELETE', '/_admin/faults');
      const before = web.refreshRequests;
      await assertProfile(await browser.get('/profile'));
      assert.equal(web.refreshRequests, before + 1, 'the same refresh token is redeemed once the endpoint is back');
      assert.equal(browser.cookies.get('entrakit-session'), sessionCookie);
      assert.deepEqual(await env.revokedFamilies(), []);
    } finally {
      await web.close();
    }
  });
});

/** The last access token for the demo API the emulator issued to the web app (as it crossed the wire). */
function lastApiToken(web: WebInstance): string {
  const entry = web.accessTokens.findLast((token) => token.scope.includes('user_impersonation'));
  if (!entry) throw new Error('no API token was issued');
  return entry.token;
}

async function signInForApi(browser: ReturnType<typeof createBrowser>): Promise<void> {
  const start = await browser.get('/auth/sign-in/api?returnTo=%2F');
  assert.equal(start.status, 302);
  const done = await browser.get(await browser.authorize(start.headers.get('location') ?? '', 'adele'));
  assert.equal(done.status, 302);
}

describe('signing-key rotation while users are active', () => {
  it('the web app and the API accept tokens signed with the new key as soon as the emulator signs with it', async () => {
    const web = await env.startInstance({ env: { API_SCOPE: env.emulator.devJson.apps.api.scope } });
    const api = await startApi({ dataDir: env.emulator.dataDir, env: { LOG_LEVEL: 'silent' }, port: 0, host: '127.0.0.1' });
    try {
      const browser = createBrowser(env, web);
      await signInForApi(browser);
      const me = (token: string) => fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await me(lastApiToken(web))).status, 200, 'the API has fetched the keys');
      await assertProfile(await browser.get('/profile'));

      const rotated = await admin('POST', '/_admin/rotate-keys');
      assert.equal(rotated.status, 200);
      // The new key; with a lead time (Entra publishes keys before using them) it signs from activatesAt.
      const { kid, activatesAt } = (await rotated.json()) as { kid: string; activatesAt?: string };
      const other = createBrowser(env, web);
      const early = await other.signIn('alex', '/profile');
      assert.equal(early.status, 302, await early.clone().text());
      if (activatesAt !== undefined) emulatorAheadMs = Math.max(0, Date.parse(activatesAt) - Date.now()) + 1_000;

      // A sign-in whose ID token the new key signed: the web app accepts it.
      const third = createBrowser(env, web);
      const signedIn = await third.signIn('megan', '/profile');
      assert.equal(signedIn.status, 302, await signedIn.clone().text());
      const tokensPage = await (await third.get('/tokens')).text();
      assert.ok(tokensPage.includes(`<code>kid</code>: <code>${kid}</code>`), 'the ID token was signed with the new key');
      // The first user's API token renewed with the new key: the API accepts it at once.
      await signInForApi(browser);
      const renewed = lastApiToken(web);
      assert.equal(JSON.parse(Buffer.from(renewed.split('.')[0] ?? '', 'base64url').toString()).kid, kid);
      const answer = await me(renewed);
      assert.equal(answer.status, 200, await answer.clone().text());
    } finally {
      emulatorAheadMs = 0;
      await api.close();
      await web.close();
    }
  });
});

describe('identity provider down', () => {
  it('discovery answering 503: sign-in shows a 503 page naming the URL and why, and recovers when it is back', async () => {
    const web = await env.startInstance();
    const api = await startApi({ dataDir: env.emulator.dataDir, env: { LOG_LEVEL: 'silent' }, port: 0, host: '127.0.0.1' });
    try {
      const browser = createBrowser(env, web);
      const tokenResponse = await fetch(`${env.emulator.url}/${env.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: env.emulator.devJson.apps.web.clientId, client_secret: env.emulator.devJson.apps.web.clientSecret, scope: `api://${env.emulator.devJson.apps.api.clientId}/.default` }),
      });
      assert.equal(tokenResponse.status, 200);
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      await addFault({ pathPrefix: `/${env.tenantId}/v2.0/.well-known/openid-configuration`, status: 503 });
      // The API has never fetched discovery or keys: it cannot verify the token, so it refuses it.
      const refused = await fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(refused.status, 503);
      assert.equal(((await refused.json()) as { error: string }).error, 'temporarily_unavailable');
      const html = await assertErrorPage(await browser.get('/auth/sign-in?returnTo=%2Fprofile'), 503, 'DISCOVERY_UNREACHABLE');
      assert.ok(html.includes(`${env.emulator.url}/${env.tenantId}/v2.0/.well-known/openid-configuration`), 'names the URL it tried');
      assert.match(html, /answered HTTP 503/);
      assert.match(html, /emulator/, 'configured for the emulator, the page says to check it');
      await admin('DELETE', '/_admin/faults');
      assert.equal((await browser.signIn('adele', '/profile')).status, 302);
      await assertProfile(await browser.get('/profile'));
      assert.equal((await fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    } finally {
      await api.close();
      await web.close();
    }
  });

  it('configured for a real tenant: the page names the URL and the network error, and never mentions the emulator', async () => {
    const web = await env.startInstance({
      env: { AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com' },
      wrapFetch: () => async () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND login.microsoftonline.com'), { code: 'ENOTFOUND' }) });
      },
    });
    try {
      const browser = createBrowser(env, web);
      const html = await assertErrorPage(await browser.get('/auth/sign-in'), 503, 'DISCOVERY_UNREACHABLE');
      assert.ok(html.includes(`https://login.microsoftonline.com/${env.tenantId}/v2.0/.well-known/openid-configuration`));
      assert.match(html, /could not be fetched \(ENOTFOUND: /);
      assert.doesNotMatch(html, /emulator/i);
    } finally {
      await web.close();
    }
  });

  it('emulator stopped: the web app answers 503 and the API fails closed (503); both recover without restart', async () => {
    // A second emulator of its own, so stopping it leaves the others' running.
    const dataDir = join(env.dataDir, 'stoppable');
    let emulator = await startEmulator({ dataDir, port: 0 });
    let running = true;
    const port = new URL(emulator.url).port;
    const web = await env.startInstance({
      env: {
        AZURE_AUTHORITY_HOST: emulator.url,
        AZURE_TENANT_ID: emulator.devJson.tenantId,
        AZURE_CLIENT_ID: emulator.devJson.apps.web.clientId,
        AZURE_CLIENT_SECRET: emulator.devJson.apps.web.clientSecret,
        STORE_URL: `sqlite:${join(dataDir, 'web.db')}`,
      },
    });
    const api = await startApi({ dataDir, env: { LOG_LEVEL: 'silent' }, port: 0, host: '127.0.0.1' });
    try {
      // A token the API has never seen validated: its keys are not cached yet.
      const tokenResponse = await fetch(`${emulator.url}/${emulator.devJson.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emulator.devJson.apps.web.clientId, client_secret: emulator.devJson.apps.web.clientSecret, scope: `api://${emulator.devJson.apps.api.clientId}/.default` }),
      });
      assert.equal(tokenResponse.status, 200, await tokenResponse.clone().text());
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      await emulator.close();
      running = false;

      const browser = createBrowser(env, web);
      const html = await assertErrorPage(await browser.get('/auth/sign-in'), 503, 'DISCOVERY_UNREACHABLE');
      assert.ok(html.includes(`${emulator.url}/${emulator.devJson.tenantId}/v2.0/.well-known/openid-configuration`));
      assert.match(html, /could not be fetched \(ECONNREFUSED: /);
      const refused = await fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(refused.status, 503, await refused.clone().text());
      assert.equal(((await refused.json()) as { error: string }).error, 'temporarily_unavailable');

      emulator = await startEmulator({ dataDir, port: Number(port) });
      running = true;
      assert.equal((await browser.get('/auth/sign-in')).status, 302);
      const accepted = await fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(accepted.status, 200, await accepted.clone().text());
    } finally {
      await api.close();
      await web.close();
      if (running) await emulator.close();
    }
  });
});

describe('identity provider down mid-session', () => {
  it('a renewal while it is down shows the error page naming the cause (503 IDP_UNAVAILABLE), not sign-in; after it restarts the same session carries on', async () => {
    const dataDir = join(env.dataDir, 'down-mid-session');
    let emulator = await startEmulator({ dataDir, port: 0, trustCa: true, refreshTokenReuse: 'revoke-family' });
    let running = true;
    const port = Number(new URL(emulator.url).port);
    const web = await env.startInstance({
      env: {
        AZURE_AUTHORITY_HOST: emulator.url,
        AZURE_TENANT_ID: emulator.devJson.tenantId,
        AZURE_CLIENT_ID: emulator.devJson.apps.web.clientId,
        AZURE_CLIENT_SECRET: emulator.devJson.apps.web.clientSecret,
        STORE_URL: `sqlite:${join(dataDir, 'web.db')}`,
      },
    });
    try {
      const adele = emulator.devJson.users.find((u) => u.username.startsWith('adele@'))!;
      const own = { ...env, emulator, user: () => ({ username: adele.username, password: adele.password }) } as EmulatorWeb;
      const browser = createBrowser(own, web);
      web.issueDueTokens = true;
      assert.equal((await browser.signIn('adele', '/profile')).status, 302);
      web.issueDueTokens = false;

      await emulator.close();
      running = false;
      const down = await browser.get('/profile');
      const html = await assertErrorPage(down, 503, 'IDP_UNAVAILABLE');
      assert.equal(down.headers.get('location'), null, 'not sent to sign-in');
      assert.match(html, /token endpoint could not be reached/);
      assert.match(html, /You are still signed in/);
      assert.ok(browser.cookies.has('entrakit-session'), 'the session cookie stays');

      emulator = await startEmulator({ dataDir, port, trustCa: true, refreshTokenReuse: 'revoke-family' });
      running = true;
      const back = await browser.get('/profile');
      assert.equal(back.status, 200, 'renewed silently with the same refresh token: no sign-in');
      assert.ok((await back.text()).includes(adele.username));
    } finally {
      await web.close();
      if (running) await emulator.close();
    }
  });
});

describe('restarts mid-session', () => {
  it('the web app restarted on the same store: the user stays signed in and the token cache is read back', async () => {
    const first = await env.startInstance({ storeUrl: `sqlite:${join(env.dataDir, 'restart.db')}` });
    const browser = createBrowser(env, first);
    let second: WebInstance | undefined;
    try {
      assert.equal((await browser.signIn('adele', '/profile')).status, 302);
      await assertProfile(await browser.get('/profile'));
      await first.close();
      second = await env.startInstance({ storeUrl: `sqlite:${join(env.dataDir, 'restart.db')}` });
      browser.use(second);
      await assertProfile(await browser.get('/profile'));
      assert.equal(second.refreshRequests, 0, 'the cached access token was decrypted and used');
    } finally {
      await first.close();
      await second?.close();
    }
  });

  it('the API restarted on the same data folder accepts the user\'s token as before', async () => {
    const web = await env.startInstance({ env: { API_SCOPE: env.emulator.devJson.apps.api.scope } });
    let api = await startApi({ dataDir: env.emulator.dataDir, env: { LOG_LEVEL: 'silent' }, port: 0, host: '127.0.0.1' });
    try {
      const browser = createBrowser(env, web);
      await signInForApi(browser);
      const token = lastApiToken(web);
      const me = () => fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await me()).status, 200);
      await api.close();
      api = await startApi({ dataDir: env.emulator.dataDir, env: { LOG_LEVEL: 'silent' }, port: 0, host: '127.0.0.1' });
      const again = await me();
      assert.equal(again.status, 200);
      assert.equal(((await again.json()) as { user: { oid: string } }).user.oid, stableGuid('user:adele'), 'the user the token was issued to');
    } finally {
      await api.close();
      await web.close();
    }
  });
});
