/**
 * Every page of the web app and of the emulator, in Chromium at 1280 px and 390 px, signed out and
 * signed in: nothing scrolls sideways (document scrollWidth <= innerWidth), no SVG text falls
 * outside its SVG's box, and at 1280 px no card, table scroller or diagram overflows. The stack is
 * the one `entrakit dev` runs: emulator, Azurite, the API and the web app with the demo app.
 * Screenshots only when ENTRAKIT_TEST_SHOTS names a folder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addWebRedirectUris, ensureLocalTls } from '@entrakit/emulator';
import { startEmulator } from '../../../../packages/emulator/src/server.ts';
import type { RunningEmulator } from '../../../../packages/emulator/src/server.ts';
import { startApi } from '../../../api/server.ts';
import type { RunningApi } from '../../../api/server.ts';
import { startStorage } from '../../../storage/index.ts';
import { startWeb } from '../../../web/server.ts';
import type { RunningWeb } from '../../../web/server.ts';
import { holdPublicPort } from './public-port.ts';
import type { PublicPort } from './public-port.ts';
import { trustCaCertificate } from 'entrakit';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed: apt-get install -y chromium';
const SHOTS = process.env['ENTRAKIT_TEST_SHOTS'];
const WIDTHS = [1280, 390] as const;

let dir: string;
let emulator: RunningEmulator;
let storage: { close(): Promise<void> } | undefined;
let api: RunningApi | undefined;
let web: RunningWeb;
let publicPort: PublicPort | undefined;
let browser: Browser;

interface LayoutFault {
  page: string;
  width: number;
  fault: string;
}

/** What is wrong with the page's layout as shown (an empty list when nothing is). */
async function layoutFaults(page: Page, name: string, width: number): Promise<LayoutFault[]> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `layout-${name.replace(/[^a-z0-9]+/gi, '-')}-${width}.png`), fullPage: true });
  const faults = await page.evaluate((wide: boolean) => {
    const found: string[] = [];
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow > 0) found.push(`the page scrolls sideways by ${overflow} px`);
    for (const svg of Array.from(document.querySelectorAll('svg'))) {
      const view = svg.viewBox.baseVal;
      const box = view && view.width > 0 ? view : { x: 0, y: 0, width: svg.width.baseVal.value, height: svg.height.baseVal.value };
      for (const text of Array.from(svg.querySelectorAll('text'))) {
        const b = text.getBBox();
        if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5 || b.y + b.height > box.y + box.height + 0.5) {
          found.push(`SVG text "${text.textContent}" is outside its SVG box (${Math.round(b.x)}..${Math.round(b.x + b.width)} of ${Math.round(box.width)})`);
        }
      }
    }
    // The web app's header on a phone: one short bar, not a third of the screen.
    const header = document.querySelector('header.top');
    if (!wide && header && header.getBoundingClientRect().height > 110) found.push(`the header is ${Math.round(header.getBoundingClientRect().height)} px tall`);
    // E-mail addresses (user names) are not broken mid-word.
    for (const upn of Array.from(document.querySelectorAll('code.upn'))) {
      if (upn.getClientRects().length > 1) found.push(`"${upn.textContent}" wraps over ${upn.getClientRects().length} lines`);
    }
    // A notice is a banner: it has a background of its own.
    for (const notice of Array.from(document.querySelectorAll('.note'))) {
      if (getComputedStyle(notice).backgroundColor === 'rgba(0, 0, 0, 0)') found.push(`the notice "${notice.textContent?.slice(0, 40)}" has no banner style`);
    }
    if (wide) {
      // On a desktop screen nothing needs a sideways scroll inside the page either.
      for (const element of Array.from(document.querySelectorAll<HTMLElement>('.card, .scroll, .diagram, section, main'))) {
        const excess = element.scrollWidth - element.clientWidth;
        if (excess > 1) found.push(`${element.tagName.toLowerCase()}.${element.className || '-'}${element.id ? `#${element.id}` : ''} overflows by ${excess} px`);
      }
    }
    return found;
  }, width >= 1000);
  return faults.map((fault) => ({ page: name, width, fault }));
}

async function newPage(width: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, ignoreHTTPSErrors: true });
  return { context, page: await context.newPage() };
}

/** Signs in through the emulator's login page in this context; the login page itself is checked. */
async function signIn(page: Page, alias: string, width: number, faults: LayoutFault[]): Promise<void> {
  const user = emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`))!;
  await page.goto(`${web.url}/auth/sign-in?returnTo=%2Fprofile`);
  await page.locator('input[name="username"]').waitFor();
  faults.push(...(await layoutFaults(page, 'emulator login page', width)));
  await page.locator('input[name="username"]').fill(user.username);
  await page.locator('input[name="password"]').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${web.url}/profile`);
}

const WEB_PAGES_SIGNED_OUT = ['/', '/sessions', '/no-such-page'];
const WEB_PAGES_SIGNED_IN = ['/', '/profile', '/tokens', '/trace', '/story', '/story?deleted=1', '/sessions', '/lab', '/groups', '/admin', '/admin/registrations', '/sign-out', '/no-such-page'];
const EMULATOR_PAGES = ['/', '/error', '/error?code=50011', '/error?code=abc', '/common/oauth2/deviceauth', '/_admin/sign-in'];

describe('page layout in Chromium at 1280 and 390 px', { skip, timeout: 300_000 }, () => {
  before(async () => {
    const { chromium } = await import('playwright-core');
    dir = await mkdtemp(join(tmpdir(), 'entrakit-layout-'));
    emulator = await startEmulator({ dataDir: dir, port: 0 });
    trustCaCertificate(emulator.caPem);
    const tls = await ensureLocalTls(dir);
    const users = emulator.devJson.users.map((u) => {
      const user = emulator.deps.directory.findUserByUsername(emulator.devJson.tenantId, u.username)!;
      return { oid: user.id, displayName: user.displayName };
    });
    storage = await startStorage({ dataDir: dir, tls, users, port: 0 });
    api = await startApi({ env: { LOG_LEVEL: 'silent' }, dataDir: dir, port: 0, host: '127.0.0.1' });
    publicPort = await holdPublicPort();
    const base = publicPort.url;
    addWebRedirectUris(emulator.deps.directory, emulator.devJson.apps.web.clientId, [`${base}/auth/callback`, `${base}/`], `${base}/auth/frontchannel-logout`);
    web = await startWeb({ env: { LOG_LEVEL: 'silent', WEB_BASE_URL: base, API_URL: api.url }, dataDir: dir, port: 0, host: '127.0.0.1', writeDevJson: false });
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
    await api?.close();
    await storage?.close();
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const width of WIDTHS) {
    it(`at ${width} px nothing overflows, signed out and signed in, in the web app and the emulator`, async () => {
      const faults: LayoutFault[] = [];
      const { context, page } = await newPage(width);
      try {
        for (const path of WEB_PAGES_SIGNED_OUT) {
          await page.goto(`${web.url}${path}`);
          faults.push(...(await layoutFaults(page, `web ${path} (signed out)`, width)));
        }
        for (const path of EMULATOR_PAGES) {
          await page.goto(`${emulator.url}${path}`);
          faults.push(...(await layoutFaults(page, `emulator ${path} (no session)`, width)));
        }
        // The landing page summarises the 210 "Project NNN" groups and lists them on request.
        await page.goto(`${emulator.url}/`);
        const summary = page.locator('details.groups summary');
        assert.match((await summary.textContent()) ?? '', /^210 groups named Project 001 … Project 210/);
        assert.equal(await page.locator('details.groups').getAttribute('open'), null, 'closed until asked');
        await summary.click();
        assert.ok(await page.locator('details.groups p').isVisible(), 'the list opens');
        assert.match((await page.locator('details.groups p').textContent()) ?? '', /Project 137 \(\d+ direct members\)/);
        faults.push(...(await layoutFaults(page, 'emulator / (groups expanded)', width)));
        await signIn(page, 'adele', width, faults);
        for (const path of WEB_PAGES_SIGNED_IN) {
          const response = await page.goto(`${web.url}${path}`);
          if (path === '/story?deleted=1') assert.equal(await page.locator('.note[role="status"]').textContent(), 'Your story was deleted.');
          if (path === '/story') {
            // The first visit asks for consent to the API: the emulator's consent page.
            if (page.url().startsWith(emulator.url)) {
              faults.push(...(await layoutFaults(page, 'emulator consent page', width)));
              await page.getByRole('button', { name: /accept/i }).click();
              await page.waitForURL(`${web.url}/story`);
            }
            assert.equal(await page.locator('#story-trace svg').count(), 1, 'the Story diagram is drawn');
          }
          assert.ok(response, path);
          faults.push(...(await layoutFaults(page, `web ${path} (signed in)`, width)));
        }
        for (const path of EMULATOR_PAGES) {
          await page.goto(`${emulator.url}${path}`);
          faults.push(...(await layoutFaults(page, `emulator ${path} (SSO session)`, width)));
        }
        // The request log page, after entering the admin key.
        await page.goto(`${emulator.url}/_admin/sign-in`);
        await page.locator('input[name="key"]').fill(emulator.devJson.emulator.adminKey ?? '');
        await page.getByRole('button', { name: /open the request log/i }).click();
        await page.waitForURL(`${emulator.url}/_admin/requests`);
        faults.push(...(await layoutFaults(page, 'emulator /_admin/requests', width)));
      } finally {
        await context.close();
      }
      assert.deepEqual(faults, []);
    });
  }
});
