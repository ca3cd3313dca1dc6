/**
 * Unmodified @azure/msal-browser (its UMD build from node_modules) in real Chromium: a SPA signs in
 * with loginRedirect / handleRedirectPromise, then refreshes with acquireTokenSilent. Every call to
 * the emulator's discovery and token endpoints is cross-origin, so the browser enforces its CORS
 * answers. Chromium trusts the emulator's certificate by its public key only
 * (--ignore-certificate-errors-spki-list), not by turning certificate checks off.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import type { BrowserContext, Page } from 'playwright-core';
import { stableGuid } from '../../src/directory/ids.ts';
import { newApplication } from '../../src/directory/new-application.ts';
import { registerApplication } from '../../src/directory/registration.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';
import { signInBrowserContext } from '../../src/playwright.ts';
import { startInteropEnv, type InteropEnv } from './interop-env.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed: apt-get install -y chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ADELE_ID = stableGuid('user:adele');

/** msal-browser's UMD bundle (it defines `window.msal`), as the package ships it. */
const MSAL_LIB = join(dirname(createRequire(import.meta.url).resolve('@azure/msal-browser/package.json')), 'lib');
/**
 * msal-browser v5 takes popup and hidden-iframe responses from a redirect page that broadcasts them
 * to the main frame (its redirect bridge, also shipped as UMD: `window.msalRedirectBridge`).
 */
const REDIRECT_BRIDGE_PAGE = `<!doctype html><meta charset="utf-8"><title>redirect</title>
<script src="/msal-redirect-bridge.js"></script>
<script>msalRedirectBridge.broadcastResponseToMainFrame();</script>`;

/** base64(SHA-256(SubjectPublicKeyInfo)) of the certificate the emulator presents, for Chromium's SPKI allow-list. */
async function leafSpkiHash(url: string, caPem: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), servername: hostname, ca: caPem }, () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate.raw);
    });
    socket.once('error', reject);
  });
  const spki = new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** The SPA: sign in by redirect, then a forced silent refresh; results go to #out as JSON. */
function spaPage(config: { clientId: string; authority: string; knownAuthority: string; redirectUri: string }): string {
  return `<!doctype html><meta charset="utf-8"><title>msal-browser SPA</title><pre id="out">waiting</pre>
<script src="/msal-browser.js"></script>
<script>
const config = ${JSON.stringify(config)};
const out = document.getElementById('out');
const scopes = ['User.Read'];
(async () => {
  try {
    const pca = new msal.PublicClientApplication({
      auth: { clientId: config.clientId, authority: config.authority, knownAuthorities: [config.knownAuthority], redirectUri: config.redirectUri },
      cache: { cacheLocation: 'sessionStorage' },
    });
    await pca.initialize();
    window.pca = pca;
    const signedIn = await pca.handleRedirectPromise();
    if (!signedIn) {
      if (pca.getAllAccounts().length > 0 || sessionStorage.getItem('signed-out')) {
        out.textContent = JSON.stringify({ accounts: pca.getAllAccounts().length, query: location.search });
        return;
      }
      await pca.loginRedirect({ scopes });
      return;
    }
    const refreshed = await pca.acquireTokenSilent({ scopes, account: signedIn.account, forceRefresh: true });
    out.textContent = JSON.stringify({
      username: signedIn.account.username,
      homeAccountId: signedIn.account.homeAccountId,
      idTokenAud: signedIn.idTokenClaims.aud,
      signInScopes: signedIn.scopes,
      signInToken: signedIn.accessToken,
      refreshedToken: refreshed.accessToken,
      refreshedFromCache: refreshed.fromCache,
    });
  } catch (error) {
    out.textContent = JSON.stringify({ error: String(error), errorCode: error.errorCode });
  }
})();
</script>`;
}

describe('unmodified @azure/msal-browser in Chromium against the emulator', { skip, timeout: 120_000 }, () => {
  let env: InteropEnv;
  let server: Server;
  let context: BrowserContext;
  let profileDir: string | undefined;
  let page: Page;
  let spaOrigin: string;
  let clientId: string;
  let organizationsClientId: string;
  // Every answer of the token endpoint to the SPA, as the browser saw it.
  const tokenAnswers: Array<{ status: number; allowOrigin: string | undefined; grantType: string | null }> = [];
  const tokenUrls: string[] = [];

  before(async () => {
    env = await startInteropEnv();
    const scripts = new Map([
      ['/msal-browser.js', await readFile(join(MSAL_LIB, 'msal-browser.js'))],
      ['/msal-redirect-bridge.js', await readFile(join(MSAL_LIB, 'redirect-bridge', 'msal-redirect-bridge.js'))],
    ]);
    let html = '';
    let organizationsHtml = '';
    server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const script = scripts.get(path);
      if (script) {
        response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        response.end(script);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(path === '/redirect' ? REDIRECT_BRIDGE_PAGE : path === '/organizations' ? organizationsHtml : html);
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    spaOrigin = `http://localhost:${(server.address() as AddressInfo).port}`;

    // A single-page app registration: the page's origin, and the redirect-bridge page for silent requests.
    clientId = stableGuid('test-app:msal-browser');
    registerApplication(env.emulator.deps.directory, env.tenantId, newApplication({ appId: clientId, displayName: 'msal-browser SPA', spa: { redirectUris: [spaOrigin, `${spaOrigin}/redirect`] } }));
    env.emulator.deps.directory.consents.grant(env.tenantId, clientId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'offline_access']);
    env.emulator.deps.directory.consents.grant(env.tenantId, clientId, env.emulator.devJson.apps.api.clientId, '', ['user_impersonation']);
    html = spaPage({ clientId, authority: env.authority, knownAuthority: new URL(env.emulator.url).host, redirectUri: spaOrigin });

    // A multi-tenant SPA on the /organizations authority (its discovery document has the {tenantid} issuer template).
    organizationsClientId = stableGuid('test-app:msal-browser-organizations');
    registerApplication(
      env.emulator.deps.directory,
      env.tenantId,
      newApplication({ appId: organizationsClientId, displayName: 'msal-browser multi-tenant SPA', signInAudience: 'AzureADMultipleOrgs', spa: { redirectUris: [`${spaOrigin}/organizations`] } }),
    );
    env.emulator.deps.directory.consents.grant(env.tenantId, organizationsClientId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'offline_access']);
    organizationsHtml = spaPage({ clientId: organizationsClientId, authority: `${env.emulator.url}/organizations`, knownAuthority: new URL(env.emulator.url).host, redirectUri: `${spaOrigin}/organizations` });

    const { chromium } = await import('playwright-core');
    const spki = await leafSpkiHash(env.emulator.url, env.emulator.caPem);
    // A profile that allows third-party cookies (the browser setting "Allow third-party cookies"):
    // msal-browser's hidden iframe needs the emulator's session cookie, as it needs Entra's.
    profileDir = await mkdtemp(join(tmpdir(), 'entrakit-msal-browser-'));
    await mkdir(join(profileDir, 'Default'));
    await writeFile(join(profileDir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
    context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS, `--ignore-certificate-errors-spki-list=${spki}`] });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('response', (response) => {
      const request = response.request();
      if (request.method() !== 'POST' || !response.url().startsWith(env.emulator.url) || !response.url().includes('/oauth2/v2.0/token')) return;
      tokenUrls.push(response.url());
      tokenAnswers.push({ status: response.status(), allowOrigin: response.headers()['access-control-allow-origin'], grantType: new URLSearchParams(request.postData() ?? '').get('grant_type') });
    });
  });

  after(async () => {
    await context?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    await new Promise<void>((closed) => (server ? server.close(() => closed()) : closed()));
    await env?.close();
  });

  it('loginRedirect through the emulator login page, handleRedirectPromise, then acquireTokenSilent with forceRefresh', async () => {
    await page.goto(`${spaOrigin}/`);
    await page.waitForURL(`${env.emulator.url}/**`);
    const authorize = new URL(page.url());
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${env.authority}/oauth2/v2.0/authorize`);
    assert.equal(authorize.searchParams.get('client_id'), clientId);
    assert.equal(authorize.searchParams.get('redirect_uri'), spaOrigin);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');

    const { username, password } = env.user('adele');
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const out = page.locator('#out');
    await out.filter({ hasNotText: 'waiting' }).waitFor({ timeout: 30_000 });
    const result = JSON.parse(await out.innerText()) as Record<string, unknown>;
    assert.equal(result['error'], undefined, JSON.stringify(result));
    assert.equal(result['username'], username);
    assert.equal(result['homeAccountId'], `${ADELE_ID}.${env.tenantId}`);
    assert.equal(result['idTokenAud'], clientId);
    assert.deepEqual(result['signInScopes'], ['User.Read', 'openid', 'profile']);
    assert.equal(result['refreshedFromCache'], false);
    assert.notEqual(result['refreshedToken'], result['signInToken']);
    for (const token of [result['signInToken'], result['refreshedToken']] as string[]) {
      const claims = await env.verifyGraph(token);
      assert.equal(claims['oid'], ADELE_ID);
      assert.equal(claims['appid'], clientId);
      assert.equal(claims['appidacr'], '0');
      assert.equal(claims['scp'], 'User.Read openid profile');
    }
    assert.deepEqual(tokenAnswers, [
      { status: 200, allowOrigin: spaOrigin, grantType: 'authorization_code' },
      { status: 200, allowOrigin: spaOrigin, grantType: 'refresh_token' },
    ]);
  });

  it('ssoSilent in a hidden iframe (prompt=none on the emulator session), then logoutRedirect through the account picker back to the SPA, after which ssoSilent is login_required', async () => {
    tokenAnswers.length = 0;
    const { username } = env.user('adele');
    const silent = await page.evaluate(async (loginHint) => {
      const pca = (window as unknown as { pca: { ssoSilent(request: object): Promise<{ accessToken: string; fromCache: boolean; account: { username: string } }> } }).pca;
      try {
        const result = await pca.ssoSilent({ scopes: ['User.Read'], loginHint, redirectUri: `${location.origin}/redirect` });
        return { accessToken: result.accessToken, username: result.account.username };
      } catch (error) {
        return { error: String(error) };
      }
    }, username);
    assert.equal('error' in silent ? silent.error : undefined, undefined);
    assert.ok('accessToken' in silent);
    assert.equal(silent.username, username);
    const claims = await env.verifyGraph(silent.accessToken);
    assert.equal(claims['oid'], ADELE_ID);
    assert.equal(claims['appid'], clientId);
    assert.deepEqual(tokenAnswers, [{ status: 200, allowOrigin: spaOrigin, grantType: 'authorization_code' }]);

    // Sign-out: msal-browser clears its cache and sends the browser to the end_session_endpoint with
    // only post_logout_redirect_uri and state; the user picks the account, and returns to the SPA.
    await page.evaluate(() => {
      sessionStorage.setItem('signed-out', 'yes');
      void (window as unknown as { pca: { logoutRedirect(request: object): Promise<void> } }).pca.logoutRedirect({ postLogoutRedirectUri: location.origin });
    });
    await page.waitForURL(`${env.authority}/oauth2/v2.0/logout?**`);
    const logout = new URL(page.url());
    assert.equal(logout.searchParams.get('post_logout_redirect_uri'), spaOrigin);
    assert.equal(logout.searchParams.get('client_id'), null);
    assert.equal(logout.searchParams.get('id_token_hint'), null);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${spaOrigin}/?state=**`);
    const out = page.locator('#out');
    await out.filter({ hasNotText: 'waiting' }).waitFor({ timeout: 15_000 });
    assert.equal((JSON.parse(await out.innerText()) as { accounts: number }).accounts, 0);

    // The emulator's session is gone: a silent sign-in now answers login_required (AADSTS50058).
    const after = await page.evaluate(async (loginHint) => {
      const pca = (window as unknown as { pca: { ssoSilent(request: object): Promise<unknown> } }).pca;
      try {
        await pca.ssoSilent({ scopes: ['User.Read'], loginHint, redirectUri: `${location.origin}/redirect` });
        return { errorCode: 'none' };
      } catch (error) {
        return { errorCode: (error as { errorCode: string }).errorCode, name: (error as Error).name, message: (error as Error).message };
      }
    }, username);
    assert.equal(after.errorCode, 'login_required');
    assert.equal(after.name, 'InteractionRequiredAuthError');
    assert.match(after.message ?? '', /^login_required: AADSTS50058: /);
  });

  it('acquireTokenPopup for the demo API (the login page in a popup, answered through the redirect bridge), then acquireTokenSilent for Graph from the same refresh token', async () => {
    tokenAnswers.length = 0;
    const { api } = env.emulator.devJson.apps;
    const { username, password } = env.user('adele');
    const popupOpened = page.context().waitForEvent('page');
    const pending = page.evaluate<{ apiToken?: string; graphToken?: string; graphFromCache?: boolean; error?: string }, string>(async (scope) => {
      const pca = (window as unknown as { pca: { acquireTokenPopup(request: object): Promise<{ accessToken: string; account: object }>; acquireTokenSilent(request: object): Promise<{ accessToken: string; fromCache: boolean }> } }).pca;
      try {
        const popup = await pca.acquireTokenPopup({ scopes: [scope], redirectUri: `${location.origin}/redirect` });
        const graph = await pca.acquireTokenSilent({ scopes: ['User.Read'], account: popup.account });
        return { apiToken: popup.accessToken, graphToken: graph.accessToken, graphFromCache: graph.fromCache };
      } catch (error) {
        return { error: String(error) };
      }
    }, api.scope);
    const popup = await popupOpened;
    await popup.waitForURL(`${env.authority}/oauth2/v2.0/authorize?**`);
    await popup.locator('input[name="username"]').fill(username);
    await popup.locator('input[name="password"]').fill(password);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    const result = await pending;
    assert.equal(result.error, undefined);
    assert.ok(result.apiToken && result.graphToken);
    const apiClaims = await env.verify(result.apiToken, { issuer: env.v2Issuer, audience: api.clientId });
    assert.equal(apiClaims['scp'], 'user_impersonation');
    assert.equal(apiClaims['azp'], clientId);
    assert.equal(apiClaims['azpacr'], '0');
    assert.equal(apiClaims['oid'], ADELE_ID);
    assert.equal(result.graphFromCache, false);
    const graphClaims = await env.verifyGraph(result.graphToken);
    assert.equal(graphClaims['scp'], 'User.Read openid profile');
    assert.equal(graphClaims['appid'], clientId);
    assert.deepEqual(tokenAnswers, [
      { status: 200, allowOrigin: spaOrigin, grantType: 'authorization_code' },
      { status: 200, allowOrigin: spaOrigin, grantType: 'refresh_token' },
    ]);
  });

  it('a multi-tenant SPA on the /organizations authority signs in by redirect (the emulator session still holds) and refreshes', async () => {
    tokenAnswers.length = 0;
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${spaOrigin}/organizations`);
    const out = page.locator('#out');
    await out.filter({ hasNotText: 'waiting' }).waitFor({ timeout: 30_000 });
    const result = JSON.parse(await out.innerText()) as Record<string, unknown>;
    assert.equal(result['error'], undefined, JSON.stringify(result));
    assert.equal(result['homeAccountId'], `${ADELE_ID}.${env.tenantId}`);
    assert.equal(result['idTokenAud'], organizationsClientId);
    for (const token of [result['signInToken'], result['refreshedToken']] as string[]) {
      const claims = await env.verifyGraph(token);
      assert.equal(claims['appid'], organizationsClientId);
      assert.equal(claims['tid'], env.tenantId);
    }
    assert.deepEqual(tokenAnswers, [
      { status: 200, allowOrigin: spaOrigin, grantType: 'authorization_code' },
      { status: 200, allowOrigin: spaOrigin, grantType: 'refresh_token' },
    ]);
    assert.deepEqual(tokenUrls.slice(-2).map((url) => new URL(url).pathname), ['/organizations/oauth2/v2.0/token', '/organizations/oauth2/v2.0/token']);
  });

  it('@entrakit/emulator/playwright: without a session ssoSilent is login_required; after signInBrowserContext it succeeds as that user', async () => {
    const ssoSilent = (loginHint: string) =>
      page.evaluate(async (hint) => {
        const pca = (window as unknown as { pca: { ssoSilent(request: object): Promise<{ account: { username: string } }> } }).pca;
        try {
          return { username: (await pca.ssoSilent({ scopes: ['User.Read'], loginHint: hint, redirectUri: `${location.origin}/redirect` })).account.username };
        } catch (error) {
          return { errorCode: (error as { errorCode: string }).errorCode };
        }
      }, loginHint);
    await context.clearCookies();
    await page.goto(`${spaOrigin}/`);
    await page.evaluate(() => sessionStorage.setItem('signed-out', 'yes'));
    await page.goto(`${spaOrigin}/`);
    await page.locator('#out').filter({ hasNotText: 'waiting' }).waitFor({ timeout: 15_000 });
    const { username } = env.user('megan');
    assert.deepEqual(await ssoSilent(username), { errorCode: 'login_required' });
    await signInBrowserContext(context, env.emulator, { user: username });
    assert.deepEqual(await ssoSilent(username), { username });
  });
});
