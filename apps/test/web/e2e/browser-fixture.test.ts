/**
 * `@entrakit/emulator/playwright` with the reference web app in Chromium: one call signs Megan into
 * the browser context, then the app's own "Sign in" (authorize, callback, code redemption, ID-token
 * validation) completes without the emulator's login page.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { signInBrowserContext } from '@entrakit/emulator/playwright';
import { startStack, type Stack } from './stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed: apt-get install -y chromium';

describe('the browser fixture with the reference web app', { skip, timeout: 120_000 }, () => {
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    const { chromium } = await import('playwright-core');
    stack = await startStack();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('after signInBrowserContext, the web app signs Megan in without the login page', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    await signInBrowserContext(context, stack.emulator, { user: stack.user('megan').username });
    const page = await context.newPage();
    const emulatorPages: string[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(stack.emulator.url) && (response.headers()['content-type'] ?? '').includes('text/html')) emulatorPages.push(response.url());
    });
    await page.goto(`${stack.webUrl}/`);
    await page.locator('header').getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.webUrl}/`);
    assert.match(await page.locator('main').innerText(), /Signed in as Megan Bowen/);
    assert.deepEqual(emulatorPages, [], 'no emulator page (login, picker, consent) was shown');
    await context.close();
  });
});
