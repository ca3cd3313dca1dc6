/**
 * The Story page for real: Chromium signs in on the emulator, consents to the API scope on the
 * emulator's consent page, and the page shows the story the real API read from Azurite (On-Behalf-Of).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { azuriteBlobScript } from '../../../storage/index.ts';
import { startStack } from './stack.ts';
import type { Stack } from './stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM)
  ? 'chromium not installed: apt-get install -y chromium'
  : azuriteBlobScript() === undefined
    ? 'Azurite is not installed: run npm install'
    : false;

let stack: Stack;
let browser: Browser;
let page: Page;

describe('Story page in Chromium: consent, then the API and storage', { skip, timeout: 120_000 }, () => {
  before(async () => {
    const { chromium } = await import('playwright-core');
    stack = await startStack({ withApi: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 800 } })).newPage();
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("shows adele's own story after she consents once", async () => {
    await page.goto(`${stack.webUrl}/story`);
    await page.waitForURL(`${stack.emulator.url}/**`);
    const adele = stack.user('adele');
    await page.locator('input[name="username"]').fill(adele.username);
    await page.locator('input[name="password"]').fill(adele.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // First the Graph sign-in (admin-consented), then the API scope needs her consent.
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${stack.webUrl}/story`);
    const text = await page.locator('main').innerText();
    assert.match(text, /From the API/);
    assert.match(text, /Adele Vance's story/);
    assert.ok(!text.includes('Alex Wilber'));
    await page.screenshot({ path: join(stack.shotsDir, 'web-story.png'), fullPage: true });

    await page.goto(`${stack.webUrl}/story`);
    assert.equal(new URL(page.url()).origin, stack.webUrl, 'no second consent');
    assert.match(await page.locator('main').innerText(), /Adele Vance's story/);
  });
});
