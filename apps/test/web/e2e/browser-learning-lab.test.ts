/**
 * Chromium against the real emulator, API and Azurite: the Sessions page says plainly when the
 * identity provider signed the user back in without a password (after "Sign out of this app") and
 * when it asked for one (first sign-in, after "Sign out everywhere"); the Break-it lab shows every
 * tampered token refused. Screenshots at 1280 px and 390 px go to the test's temp folder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { azuriteBlobScript } from '../../../storage/index.ts';
import { startStack } from './stack.ts';
import type { Stack } from './stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) ? 'chromium not installed' : azuriteBlobScript() === undefined ? 'Azurite is not installed: run npm install' : false;

let stack: Stack;
let browser: Browser;
let page: Page;
/** Screenshots are written only when asked: to $ENTRAKIT_TEST_SHOTS (kept). */
const shots: string | undefined = process.env['ENTRAKIT_TEST_SHOTS'] || undefined;

/** Full-page screenshots at desktop and phone widths; the page must not scroll sideways on the phone. */
async function shot(name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  if (shots) await page.screenshot({ path: join(shots, `lab-${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  if (shots) await page.screenshot({ path: join(shots, `lab-${name}-390.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  // Wide tables and the sequence diagram scroll inside their card; nothing else may stick out.
  const wide = overflow > 0 ? await page.evaluate(() => [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.scroll,.diagram')).slice(0, 3).map((e) => `${e.tagName}.${e.className}`)) : [];
  assert.equal(overflow, 0, `${name} is wider than a 390 px phone: ${wide.join(', ')}`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function passwordForm(): Promise<void> {
  const adele = stack.user('adele');
  await page.locator('input[name="password"]').waitFor();
  const username = page.locator('input[name="username"]');
  if (await username.isEditable()) await username.fill(adele.username);
  await page.locator('input[name="password"]').fill(adele.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function verdict(): Promise<string | null> {
  await page.goto(`${stack.webUrl}/sessions`);
  return page.locator('#idp-session [data-verdict]').getAttribute('data-verdict');
}

describe('sessions and the break-it lab in Chromium', { skip, timeout: 180_000 }, () => {
  before(async () => {
    const { chromium } = await import('playwright-core');
    if (shots) await mkdir(shots, { recursive: true });
    stack = await startStack({ withApi: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } })).newPage();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    if (shots) console.log(`screenshots: ${shots}`);
  });

  it('first sign-in: the page says a password was asked', async () => {
    await page.goto(`${stack.webUrl}/sessions`);
    assert.match(await page.locator('#app-session').innerText(), /None: you are not signed in/);
    await page.locator('header').getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.emulator.url}/**`);
    await passwordForm();
    await page.waitForURL(`${stack.webUrl}/`);
    assert.match(await page.locator('#home-sessions').innerText(), /asked for your password: a new SSO session began/);
    assert.match(await page.locator('#demo-accounts').innerText(), /adele@entrakitdemo\.onmicrosoft\.com/);
    await shot('home');
    assert.equal(await verdict(), 'password');
    const appSession = await page.locator('#app-session').innerText();
    assert.match(appSession, /__Host-|entrakit/);
    assert.match(appSession, /Absolute expiry/);
    await shot('sessions-password');
  });

  it('after "Sign out of this app", sign-in comes straight back without a password, and says why', async () => {
    await page.getByRole('button', { name: 'Sign out of this app' }).click();
    await page.waitForURL(`${stack.webUrl}/?signedOut=local`);
    await page.locator('header').getByRole('link', { name: 'Sign in' }).click();
    // No password form: the emulator's SSO session answers at once.
    await page.waitForURL(`${stack.webUrl}/`);
    const home = await page.locator('#home-sessions').innerText();
    assert.match(home, /signed you straight back in without a password/);
    assert.equal(await verdict(), 'sso');
    assert.match(await page.locator('#idp-session').innerText(), /same session id \(sid\)/);
    await shot('sessions-sso');
    await page.goto(`${stack.webUrl}/trace`);
    assert.match(await page.locator('main').innerText(), /SSO: no password asked/);
    await shot('trace-sso');
  });

  it('the lab: every tampered token refused, next to what a decode-only validator believed', async () => {
    await page.goto(`${stack.webUrl}/lab`);
    await page.getByRole('link', { name: 'Run the attacks' }).click();
    // The API scope needs adele's consent once.
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${stack.webUrl}/lab?run=1`);
    const text = await page.locator('main').innerText();
    assert.match(text, /The API refused 12 of 12 tampered tokens; a decode-only validator would have accepted 12/);
    assert.match(await page.locator('[data-lab="original"]').innerText(), /HTTP 200 accepted/);
    assert.match(await page.locator('[data-lab="alg-none"]').innerText(), /refused at algorithm allow-list/);
    assert.match(await page.locator('[data-lab="hs256"]').innerText(), /Token alg is not allowed; only RS256 is accepted/);
    // MSAL's cached ID token is the one from the last refresh (no nonce), so the audience check refuses it.
    assert.match(await page.locator('[data-lab="id-token"]').innerText(), /Token audience is not this API/);
    const html = await page.content();
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(html), 'no token on the page');
    await shot('lab');
  });

  it('the Story call is one trace: web app, API checks, On-Behalf-Of, Storage; the story is text, not markdown', async () => {
    await page.goto(`${stack.webUrl}/story`);
    const story = await page.locator('.card.story').innerText();
    assert.match(story, /^From the API\s+Adele Vance's story/);
    assert.ok(!story.includes('# '), 'markdown rendered');
    const trace = await page.locator('#story-trace').innerText();
    const traceId = /trace id, ([0-9a-f]{32})/.exec(trace)?.[1];
    assert.ok(traceId, trace);
    const timeline = await page.locator('main').innerText();
    assert.match(timeline, new RegExp(`00-${traceId}-[0-9a-f]{16}-01`), 'the traceparent sent to the API');
    assert.match(timeline, /Validate the bearer token/);
    assert.match(timeline, /POST \/token \(On-Behalf-Of\)/);
    assert.match(timeline, /200 Storage token \(v1\)|Storage token from the OBO cache/);
    assert.match(timeline, /The API continued the same trace id/);
    const guid = `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20)}`;
    assert.ok(timeline.includes(guid), 'client-request-id of the On-Behalf-Of call is the trace id');
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(await page.content()), 'no token on the page');
    await shot('story');
  });

  it('the Tokens page decodes and compares ID, Graph, API and Storage tokens, and the refresh token\'s metadata only', async () => {
    await page.goto(`${stack.webUrl}/tokens`);
    const apiClientId = stack.emulator.devJson.apps.api.clientId;
    const api = await page.locator('#api-token').innerText();
    assert.match(api, /Delegated access token v2\.0/);
    assert.match(api, /scp is user_impersonation/);
    const storage = await page.locator('#storage-token').innerText();
    assert.match(storage, /Delegated access token v1\.0/);
    assert.match(storage, new RegExp(`appid\\s+${apiClientId}`));
    assert.match(storage, /https:\/\/storage\.azure\.com/);
    assert.match(await page.locator('#refresh-token').innerText(), /Value\s+\[hidden, \d+ characters\]/);
    // The same user everywhere; a different audience in each token.
    assert.equal(await page.locator('#token-comparison tr', { hasText: /^oid/ }).getAttribute('class'), 'same');
    assert.equal(await page.locator('#token-comparison tr', { hasText: /^aud/ }).getAttribute('class'), 'differs');
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(await page.content()), 'no token on the page');
    await shot('tokens');
  });

  it('declining consent shows a page that says so and keeps the page the user wanted', async () => {
    const alexPage = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } })).newPage();
    try {
      await alexPage.goto(`${stack.webUrl}/story`);
      const alex = stack.user('alex');
      await alexPage.locator('input[name="username"]').fill(alex.username);
      await alexPage.locator('input[name="password"]').fill(alex.password);
      await alexPage.getByRole('button', { name: 'Sign in' }).click();
      await alexPage.getByRole('button', { name: 'Cancel' }).click();
      await alexPage.waitForURL(`${stack.webUrl}/auth/callback?**`);
      const text = await alexPage.locator('main').innerText();
      assert.match(text, /^You declined the permissions/);
      assert.match(text, /The page you wanted \(\/story\) needs them/);
      assert.match(text, /AADSTS65004/);
      assert.equal(await alexPage.getByRole('link', { name: 'Back to /story' }).getAttribute('href'), '/story');
      const previous = page;
      page = alexPage;
      await shot('consent-declined');
      page = previous;
    } finally {
      await alexPage.context().close();
    }
  });

  it('after "Sign out everywhere", sign-in asks for the password again', async () => {
    await page.goto(`${stack.webUrl}/sessions`);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(`${stack.webUrl}/**`);
    await page.locator('header').getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.emulator.url}/**`);
    await passwordForm();
    await page.waitForURL(`${stack.webUrl}/`);
    assert.equal(await verdict(), 'password');
  });
});
