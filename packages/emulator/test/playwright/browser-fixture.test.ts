/**
 * `@entrakit/emulator/playwright` in real Chromium (playwright-core): after signInBrowserContext,
 * an app's authorize request completes without the login page, in-process and over HTTP.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { trustCaCertificate } from '../../../entrakit/src/core/trust-ca.ts';
import { signInBrowserContext } from '../../src/playwright.ts';
import { startEmulator, type RunningEmulator } from '../../src/server.ts';
import { addWebRedirectUris } from '../../src/directory/registration.ts';
import { DEMO_TENANT, WEB_APP_ID } from '../../src/seed/demo-tenant.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed: apt-get install -y chromium';
const adele = `adele@${DEMO_TENANT.domain}`;

describe('signInBrowserContext in Chromium', { skip, timeout: 120_000 }, () => {
  let emulator: RunningEmulator;
  let browser: Browser;
  /** The app's callback: a local server standing in for a server-side web app's redirect URI. */
  let callback: Server;
  let redirectUri: string;
  let lastCode: string | null = null;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    trustCaCertificate(emulator.caPem);
    callback = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      // Browsers also ask for /favicon.ico; only the callback carries the code.
      if (url.pathname === '/auth/callback') lastCode = url.searchParams.get('code');
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('signed in');
    });
    await new Promise<void>((done) => callback.listen(0, '127.0.0.1', done));
    redirectUri = `http://localhost:${(callback.address() as AddressInfo).port}/auth/callback`;
    addWebRedirectUris(emulator.deps.directory, WEB_APP_ID, [redirectUri]);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((done) => (callback ? callback.close(() => done()) : done()));
    await emulator?.close();
  });

  /**
   * A server-side app's sign-in: the browser follows /authorize; the app's redirect URI is
   * answered by the test, which then redeems the code as the app's server would.
   */
  async function serverSideSignIn(context: BrowserContext): Promise<{ sawLoginPage: boolean; idTokenUser: string | undefined }> {
    const verifier = 'x'.repeat(64);
    const authorize = new URL(`${emulator.url}/${DEMO_TENANT.id}/oauth2/v2.0/authorize`);
    const params = { client_id: WEB_APP_ID, response_type: 'code', redirect_uri: redirectUri, scope: 'openid profile User.Read', state: 'st', nonce: 'n', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' };
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
    const page = await context.newPage();
    let sawLoginPage = false;
    page.on('response', async (response) => {
      if (response.url().startsWith(emulator.url) && (response.headers()['content-type'] ?? '').includes('text/html')) {
        if ((await response.text().catch(() => '')).includes('name="password"')) sawLoginPage = true;
      }
    });
    lastCode = null;
    await page.goto(authorize.href);
    await page.close();
    const code = lastCode as string | null;
    if (!code) return { sawLoginPage, idTokenUser: undefined };
    const redeemed = await fetch(`${emulator.url}/${DEMO_TENANT.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: WEB_APP_ID, client_secret: emulator.devJson.apps.web.clientSecret, code, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    assert.equal(redeemed.status, 200);
    const { id_token } = (await redeemed.json()) as { id_token: string };
    const claims = JSON.parse(Buffer.from(id_token.split('.')[1]!, 'base64url').toString()) as { preferred_username?: string };
    return { sawLoginPage, idTokenUser: claims.preferred_username };
  }

  test('without the fixture the same sign-in stops at the login page', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const result = await serverSideSignIn(context);
    assert.equal(result.sawLoginPage, true);
    assert.equal(result.idTokenUser, undefined);
    await context.close();
  });

  test('in-process emulator: one call, then the sign-in completes silently as the user', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const session = await signInBrowserContext(context, emulator, { user: adele });
    const cookies = await context.cookies(emulator.url);
    assert.deepEqual(cookies.map((c) => [c.name, c.secure, c.httpOnly, c.sameSite, c.path]), [['__Host-entrakit-sso', true, true, 'None', '/']]);
    const result = await serverSideSignIn(context);
    assert.equal(result.sawLoginPage, false);
    assert.equal(result.idTokenUser, adele);
    assert.match(session.sid, /^[0-9a-f-]{36}$/);
    await context.close();
  });

  test('emulator in another process: URL, admin key and CA (dev.json) are enough', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    await signInBrowserContext(context, { url: emulator.url, adminKey: emulator.deps.adminKey, caPem: emulator.caPem }, { user: `megan@${DEMO_TENANT.domain}` });
    const result = await serverSideSignIn(context);
    assert.equal(result.sawLoginPage, false);
    assert.equal(result.idTokenUser, `megan@${DEMO_TENANT.domain}`);
    await context.close();
    await assert.rejects(signInBrowserContext(context, { url: emulator.url, adminKey: 'wrong', caPem: emulator.caPem }, { user: adele }), /HTTP 401/);
    await assert.rejects(signInBrowserContext(context, emulator, { user: 'ghost@example.com' }), /no user "ghost@example.com"/);
  });
});
