/**
 * A single-page app in real Chromium: the authorization code flow with PKCE and a cross-origin
 * token redemption, so the browser itself enforces the emulator's CORS answers (preflight and
 * response) for a registered SPA origin, and blocks an origin that is not registered.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { newApplication } from '../../src/directory/new-application.ts';
import { registerApplication } from '../../src/directory/registration.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';
import { startTestEmulator, type TestEmulator } from '../sign-in/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed: apt-get install -y chromium';

/** The SPA: starts sign-in with PKCE, and on return redeems the code with fetch (as MSAL.js does). */
function spaPage(authority: string, clientId: string): string {
  const config = JSON.stringify({ authority, clientId });
  return `<!doctype html><meta charset="utf-8"><title>SPA</title><pre id="out">waiting</pre><script>
const { authority, clientId } = ${config};
const out = document.getElementById('out');
const redirectUri = location.origin + '/spa';
const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
(async () => {
  const code = new URLSearchParams(location.search).get('code');
  if (!code) {
    const verifier = b64(crypto.getRandomValues(new Uint8Array(32)));
    sessionStorage.setItem('verifier', verifier);
    const challenge = b64(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const query = new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid profile offline_access', code_challenge: challenge, code_challenge_method: 'S256', state: 's', nonce: 'n' });
    location.assign(authority + '/oauth2/v2.0/authorize?' + query);
    return;
  }
  try {
    const response = await fetch(authority + '/oauth2/v2.0/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', 'x-client-sku': 'spa-test' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirectUri, code_verifier: sessionStorage.getItem('verifier') }),
    });
    const body = await response.json();
    out.textContent = JSON.stringify({ status: response.status, hasAccessToken: typeof body.access_token === 'string', hasRefreshToken: typeof body.refresh_token === 'string', error_codes: body.error_codes });
  } catch (error) {
    out.textContent = JSON.stringify({ blocked: String(error) });
  }
})();
</script>`;
}

describe('a SPA in Chromium redeems its code cross-origin', { skip, timeout: 120_000 }, () => {
  let emulator: TestEmulator;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let clientId: string;
  let spaOrigin: string;

  before(async () => {
    emulator = await startTestEmulator();
    clientId = randomUUID();
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(spaPage(`${emulator.url}/${emulator.tenantId}`, clientId));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    spaOrigin = `http://localhost:${port}`;
    const app = newApplication({ appId: clientId, displayName: 'SPA in Chromium', signInAudience: 'AzureADMyOrg', spa: { redirectUris: [`${spaOrigin}/spa`] } });
    registerApplication(emulator.deps.directory, emulator.tenantId, app);
    emulator.deps.directory.consents.grant(emulator.tenantId, clientId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'offline_access']);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    await emulator?.stop();
  });

  async function result(): Promise<Record<string, unknown>> {
    const out = page.locator('#out');
    await out.filter({ hasNotText: 'waiting' }).waitFor({ timeout: 15_000 });
    return JSON.parse(await out.innerText()) as Record<string, unknown>;
  }

  it('from its registered origin: signs in, and the browser lets it read the token response', async () => {
    await page.goto(`${spaOrigin}/spa`);
    await page.waitForURL(`${emulator.url}/**`);
    const { username, password } = emulator.user('adele');
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${spaOrigin}/spa?**`);
    assert.deepEqual(await result(), { status: 200, hasAccessToken: true, hasRefreshToken: true });
  });

  it('from an origin that is not registered, the browser blocks the redemption', async () => {
    // 127.0.0.1 is another origin than localhost; the page redeems a made-up code there.
    const port = new URL(spaOrigin).port;
    await page.goto(`http://127.0.0.1:${port}/spa?code=made-up`);
    const blocked = await result();
    assert.equal(typeof blocked['blocked'], 'string');
    assert.match(blocked['blocked'] as string, /TypeError: Failed to fetch/);
  });
});
