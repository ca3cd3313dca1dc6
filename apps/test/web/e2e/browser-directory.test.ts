/**
 * Chromium against the real web app (the demo registration, on a free port) and the real
 * emulator: the Groups page shows Adele's groups four levels deep, Nestor's groups overage is
 * resolved through Graph, and the Admin page opens for Adele (Admin role) and is 403 for Alex.
 * Screenshots go to /tmp/shots/web-directory-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addWebRedirectUris } from '@entrakit/emulator';
import { trustCaCertificate } from '../../../../packages/entrakit/src/core/trust-ca.ts';
import { startEmulator } from '../../../../packages/emulator/src/server.ts';
import type { RunningEmulator } from '../../../../packages/emulator/src/server.ts';
import { startWeb } from '../../../web/server.ts';
import type { RunningWeb } from '../../../web/server.ts';
import { holdPublicPort } from './public-port.ts';
import type { PublicPort } from './public-port.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '/tmp/shots';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed: apt-get install -y chromium';

let dir: string;
let emulator: RunningEmulator;
let web: RunningWeb;
let publicPort: PublicPort | undefined;
let browser: Browser;

/** A new browser context (no cookies), signed in as the demo user, on `path`. */
async function signedIn(alias: string, path: string): Promise<Page> {
  const user = emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`));
  if (!user) throw new Error(`no demo user ${alias}`);
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${web.url}${path}`);
  await page.locator('input[name="username"]').fill(user.username);
  await page.locator('input[name="password"]').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${web.url}${path}`);
  return page;
}

describe('directory pages in Chromium', { skip, timeout: 120_000 }, () => {
  before(async () => {
    const { chromium } = await import('playwright-core');
    await mkdir(SHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'entrakit-web-directory-e2e-'));
    const emulatorDir = join(dir, 'emulator');
    emulator = await startEmulator({ dataDir: emulatorDir, port: 0 });
    trustCaCertificate(emulator.caPem);
    publicPort = await holdPublicPort();
    const base = publicPort.url;
    // The demo app itself (its roles, groups claim and Graph app permissions), registered for this port.
    addWebRedirectUris(emulator.deps.directory, emulator.devJson.apps.web.clientId, [`${base}/auth/callback`, `${base}/`], `${base}/auth/frontchannel-logout`);
    web = await startWeb({
      env: { LOG_LEVEL: 'silent', WEB_BASE_URL: base, STORE_URL: `sqlite:${join(dir, 'web.db')}` },
      dataDir: emulatorDir,
      port: 0,
      host: '127.0.0.1',
      writeDevJson: false,
    });
    publicPort.relayTo(web.listening);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await publicPort?.close();
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows adele\'s inherited groups four levels deep, with the path that brings each', async () => {
    const page = await signedIn('adele', '/groups');
    await page.screenshot({ path: `${SHOTS}/web-directory-groups.png`, fullPage: true });
    const rows = page.locator('#memberships tr[data-group]');
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-group'), tr.getAttribute('data-depth'), tr.querySelector('td.m')?.textContent])), [
      ['Identity Team', '0', 'Adele Vance › Identity Team'],
      ['Platform', '1', 'Adele Vance › Identity Team › Platform'],
      ['Engineering', '2', 'Adele Vance › Identity Team › Platform › Engineering'],
      ['All Staff', '3', 'Adele Vance › Identity Team › Platform › Engineering › All Staff'],
    ]);
    // Four nested lists in the tree: All Staff sits at the fourth level.
    assert.equal(await page.locator('#tree ul.tree ul.tree ul.tree ul.tree > li > strong').textContent(), 'All Staff');
    assert.equal(await page.locator('#claim li').count(), 4);
    await page.context().close();
  });

  it('resolves nestor\'s groups overage through Graph and says so', async () => {
    const page = await signedIn('nestor', '/groups');
    await page.screenshot({ path: `${SHOTS}/web-directory-overage.png` });
    assert.match((await page.locator('#overage .note').textContent()) ?? '', /Groups overage: .* resolved your groups through Microsoft Graph: 210 groups, read in 3 pages\./);
    assert.equal(await page.locator('#memberships tr[data-group]').count(), 210);
    await page.context().close();
  });

  it('opens the Admin page for adele and answers 403 to alex, naming the missing role', async () => {
    const admin = await signedIn('adele', '/admin');
    assert.equal(await admin.locator('h1').textContent(), 'Administration');
    assert.ok((await admin.locator('#users tr[data-user]').count()) >= 1);
    await admin.screenshot({ path: `${SHOTS}/web-directory-admin.png`, fullPage: true });
    await admin.context().close();

    const other = await signedIn('alex', '/groups');
    const response = await other.goto(`${web.url}/admin`);
    assert.equal(response?.status(), 403);
    assert.equal(await other.locator('h1').textContent(), 'You need the Admin role');
    await other.screenshot({ path: `${SHOTS}/web-directory-forbidden.png` });
    await other.context().close();
  });
});
