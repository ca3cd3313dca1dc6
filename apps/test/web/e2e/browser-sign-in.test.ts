/**
 * Chromium drives the real web app against the real emulator: sign-in, profile, tokens, trace,
 * SSO after "Sign out of this app", the password form after "Sign out everywhere", and a session
 * that survives a restart of the web app. Screenshots of each page (web-*.png) go to the folder in
 * $ENTRAKIT_TEST_SHOTS, or to the stack's temporary folder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack } from './stack.ts';
import type { Stack } from './stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed: apt-get install -y chromium';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(stack.shotsDir, `web-${name}.png`), fullPage: true });
}

/** On the emulator's login form: type the demo user's password and submit. */
async function enterPassword(alias: 'adele' | 'alex' | 'megan'): Promise<void> {
  const user = stack.user(alias);
  await page.locator('input[name="password"]').waitFor();
  const username = page.locator('input[name="username"]');
  if (await username.isEditable()) await username.fill(user.username);
  await page.locator('input[name="password"]').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function clickSignIn(): Promise<void> {
  await page.locator('header').getByRole('link', { name: 'Sign in' }).click();
}

describe('web app in Chromium against the emulator', { skip, timeout: 120_000 }, () => {
  before(async () => {
    const { chromium } = await import('playwright-core');
    stack = await startStack();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 800 } });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs adele in with her password and lands back on the app', async () => {
    await page.goto(`${stack.webUrl}/`);
    await shot('home');
    await clickSignIn();
    await page.waitForURL(`${stack.emulator.url}/**`);
    await enterPassword('adele');
    await page.waitForURL(`${stack.webUrl}/`);
    assert.match(await page.locator('main').innerText(), /Signed in as Adele Vance/);
  });

  it('profile shows her Graph data', async () => {
    await page.goto(`${stack.webUrl}/profile`);
    const text = await page.locator('main').innerText();
    assert.match(text, /Adele Vance/);
    assert.match(text, /adele@entrakitdemo\.onmicrosoft\.com/);
    assert.match(text, /Identity Engineer/);
    await shot('profile');
  });

  it('tokens page shows her oid and tid, and no raw token', async () => {
    await page.goto(`${stack.webUrl}/profile`);
    const oid = await page.locator('tr', { hasText: 'object id (oid)' }).locator('td.v').innerText();
    await page.goto(`${stack.webUrl}/tokens`);
    const html = await page.content();
    assert.ok(html.includes(oid.trim()), 'oid shown');
    assert.ok(html.includes(stack.emulator.devJson.tenantId), 'tid shown');
    assert.ok(!html.includes('eyJ'), 'no JWT in the page');
    assert.match(await page.locator('main').innerText(), /must not validate this token/);
    await shot('tokens');
  });

  it('trace page lists the exchanges', async () => {
    await page.goto(`${stack.webUrl}/trace`);
    const text = await page.locator('main').innerText();
    for (const step of ['GET /auth/sign-in', '302 to /authorize', '302 to /auth/callback', 'POST /token', '200 from /token', 'Validate the ID token']) {
      assert.ok(text.includes(step), step);
    }
    assert.equal(await page.locator('svg[aria-label="Sequence diagram of the sign-in"]').count(), 1);
    await shot('trace');
  });

  it('a signed-in session is still valid after restarting the web app', async () => {
    await stack.restartWeb();
    await page.goto(`${stack.webUrl}/tokens`);
    assert.equal(new URL(page.url()).origin, stack.webUrl, 'not sent to sign in again');
    assert.match(await page.locator('main').innerText(), /Your tokens, decoded/);
  });

  it('story page asks for consent once, then calls the API', async () => {
    await page.goto(`${stack.webUrl}/story`);
    await page.waitForURL(`${stack.emulator.url}/**`);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${stack.webUrl}/story`);
    const text = await page.locator('main').innerText();
    assert.match(text, /Your story/);
    assert.match(text, /could not be reached|From the API|answered HTTP/);
    await shot('story-api-down');
  });

  it('"Sign out of this app" keeps the IdP session: Sign in completes without the password form', async () => {
    await page.goto(`${stack.webUrl}/sign-out`);
    await shot('sign-out');
    await page.getByRole('button', { name: 'Sign out of this app' }).click();
    await page.waitForURL(`${stack.webUrl}/?signedOut=local`);
    await shot('signed-out-local');
    assert.equal(await page.locator('header').getByRole('link', { name: 'Sign in' }).count(), 1);
    await clickSignIn();
    await page.waitForURL(`${stack.webUrl}/`);
    assert.match(await page.locator('main').innerText(), /Signed in as Adele Vance/);
    assert.equal(await page.locator('input[name="password"]').count(), 0);
  });

  it('"Sign out everywhere" ends the IdP session: Sign in shows the password form', async () => {
    await page.goto(`${stack.webUrl}/sign-out`);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL((url) => url.origin === stack.webUrl && url.searchParams.get('state') === 'signed-out-everywhere', { timeout: 15_000 });
    await shot('signed-out-everywhere');
    await clickSignIn();
    await page.waitForURL(`${stack.emulator.url}/**`);
    await page.locator('input[name="password"]').waitFor();
    assert.equal(await page.locator('input[name="password"]').count(), 1);
  });

  it('front-channel logout: signing out at the IdP (from anywhere) ends the app session too', async () => {
    await enterPassword('adele');
    await page.waitForURL(`${stack.webUrl}/`);
    const frontchannel = page.waitForResponse((response) => response.url().startsWith(`${stack.webUrl}/auth/frontchannel-logout?`));
    await page.goto(`${stack.emulator.url}/${stack.emulator.devJson.tenantId}/oauth2/v2.0/logout`);
    // Without an id_token_hint the emulator asks which account to sign out of, as Entra does.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    const response = await frontchannel;
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-security-policy'] ?? '', new RegExp(`frame-ancestors ${stack.emulator.url}`));
    await page.goto(`${stack.webUrl}/tokens`);
    await page.waitForURL(`${stack.emulator.url}/**`);
    await page.locator('input[name="password"]').waitFor();
  });

  it('renders a refused sign-in (forged state) as a clear error page', async () => {
    // The previous test left a sign-in open at the password form: its transaction cookie is here.
    await page.goto(`${stack.webUrl}/auth/callback?code=x&state=forged`);
    const text = await page.locator('main').innerText();
    assert.match(text, /The sign-in response belongs to another sign-in/);
    assert.match(text, /SIGNIN_STATE_MISMATCH/);
    await shot('error');
  });
});
