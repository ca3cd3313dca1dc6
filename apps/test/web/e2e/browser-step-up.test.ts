/**
 * Step-up and CAE in Chromium, with the real emulator, API and Azurite:
 * - the Story page's Danger zone deletes through DELETE /api/story, which demands authentication
 *   context c1: the API's claims challenge sends Megan through /authorize with the claims, the
 *   emulator asks for her second factor once (TOTP from dev.json), and the delete then succeeds;
 * - after revokeSignInSessions, the app's CAE Graph token meets Graph's claims challenge, the
 *   silent refresh is refused (AADSTS50173), and the app sends her to sign in again.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../../../packages/emulator/src/mfa/totp.ts';
import { stableGuid } from '../../../../packages/emulator/src/directory/ids.ts';
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
/** The emulator's clock runs ahead of the wall clock by this much: the test moves it on instead of waiting. */
let aheadMs = 0;
let browser: Browser;
let page: Page;

describe('Step-up and CAE in Chromium', { skip, timeout: 180_000 }, () => {
  before(async () => {
    const { chromium } = await import('playwright-core');
    stack = await startStack({ withApi: true, emulatorClock: () => Date.now() + aheadMs });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 900 } })).newPage();
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  const megan = () => stack.user('megan');
  /** Every second-factor page the emulator served to the browser. */
  const codePages: string[] = [];

  it('Danger zone: "Delete my story" asks for the second factor once, then the delete succeeds', async () => {
    page.on('response', async (response) => {
      if (response.url().startsWith(stack.emulator.url) && response.status() === 200 && (response.headers()['content-type'] ?? '').includes('text/html')) {
        if ((await response.text().catch(() => '')).includes('name="otc"')) codePages.push(response.url());
      }
    });
    await page.goto(`${stack.webUrl}/story`);
    await page.waitForURL(`${stack.emulator.url}/**`);
    await page.locator('input[name="username"]').fill(megan().username);
    await page.locator('input[name="password"]').fill(megan().password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${stack.webUrl}/story`);
    assert.match(await page.locator('main').innerText(), /Megan Bowen's story/);
    assert.equal(codePages.length, 0, 'a plain sign-in asks no second factor');

    await page.getByRole('button', { name: 'Delete my story' }).click();
    await page.waitForURL(`${stack.emulator.url}/**`);
    await page.locator('input[name="otc"]').waitFor();
    assert.equal(await page.locator('input[name="password"]').count(), 0, 'the SSO session stands: only the second factor is asked');
    await page.screenshot({ path: join(stack.shotsDir, 'web-step-up-code.png'), fullPage: true });
    const secret = megan().totpSecret;
    assert.ok(secret, 'dev.json lists megan with her TOTP secret');
    await page.locator('input[name="otc"]').fill(totpCode(secret, stack.emulator.deps.clock()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${stack.webUrl}/story?deleted=1`);
    const text = await page.locator('main').innerText();
    assert.match(text, /Your story was deleted\./);
    assert.match(text, /You have no story/);
    assert.equal(codePages.length, 1, 'the second factor was asked exactly once');
    await page.screenshot({ path: join(stack.shotsDir, 'web-step-up-deleted.png'), fullPage: true });
  });

  it('after revokeSignInSessions, Graph challenges the CAE token, silent refresh is refused, and the app sends the user to sign in again', async () => {
    await page.goto(`${stack.webUrl}/profile`);
    assert.equal(page.url(), `${stack.webUrl}/profile`);
    assert.match(await page.locator('main').innerText(), /megan@/);

    // Revoke in a later second than the cached Graph token's iat (both are whole seconds), as
    // POST /users/{id}/revokeSignInSessions records it.
    aheadMs += 1000;
    const log = stack.emulator.deps.requestLog;
    const lastBefore = log.list({ limit: 1 })[0]?.id ?? 0;
    stack.emulator.deps.directory.revokeSignInSessions(stableGuid('user:megan'), stack.emulator.deps.clock());

    await page.goto(`${stack.webUrl}/profile`);
    await page.waitForURL(`${stack.emulator.url}/**`);
    await page.locator('input[name="password"]').waitFor();
    const since = log.list({ after: lastBefore }).reverse();
    const challenged = since.find((e) => e.endpoint === 'graph' && e.status === 401);
    assert.ok(challenged, 'Graph refused the CAE token');
    const refresh = since.find((e) => e.endpoint === 'token' && e.grantType === 'refresh_token');
    assert.equal(refresh?.status, 400, 'the silent refresh was tried and refused');
    assert.equal(refresh?.error, 'invalid_grant');
    assert.equal(refresh?.aadsts, 50173);
    const authorize = since.find((e) => e.endpoint === 'authorize');
    assert.ok(authorize, 'the app sent the browser to /authorize');

    await page.locator('input[name="username"]').fill(megan().username);
    await page.locator('input[name="password"]').fill(megan().password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.webUrl}/profile`);
    assert.match(await page.locator('main').innerText(), /megan@/);
  });
});
