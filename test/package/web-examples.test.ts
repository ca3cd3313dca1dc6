/**
 * examples/express-web and examples/hono-web as a user runs them: `node server.ts` in a project
 * that installed entrakit from its packed tarball, settings from the environment only, against the
 * real emulator over HTTPS (trusted through NODE_EXTRA_CA_CERTS), driven over HTTP.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestEmulator } from '../../packages/emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../packages/emulator/src/server.ts';
import { addWebRedirectUris } from '../../packages/emulator/src/directory/registration.ts';
import { stableGuid } from '../../packages/emulator/src/directory/ids.ts';
import { createTestBrowser } from '../../packages/entrakit/test/web/helpers/browser.ts';
import type { DemoUser } from '../../packages/entrakit/test/web/helpers/browser.ts';
import { redisInstalled, startTestRedis } from '../../apps/test/web/helpers/redis-server.ts';
import type { TestRedis } from '../../apps/test/web/helpers/redis-server.ts';
import { startOnFreePort } from '../helpers/port-for-child.ts';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const repo = resolve(import.meta.dirname, '..', '..');
const examplesManifest = JSON.parse(await readFile(join(repo, 'examples', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

describe('the sign-in examples, installed from the packed tarball', { timeout: 600_000 }, () => {
  let scratch = '';
  let project = '';
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let redis: TestRedis | undefined;
  const children: ChildProcess[] = [];
  const user = (alias: string): DemoUser => emulator.devJson.users.find((u) => u.username.startsWith(`${alias}@`))!;

  /** Starts the example on a port it is told in PORT (a number users give, chosen first) and answers that port. */
  function startExample(name: string, extra: (port: number) => Record<string, string> = () => ({})): Promise<number> {
    return startOnFreePort(async (port) => {
      await startExampleOn(name, port, extra(port));
      return port;
    });
  }

  async function startExampleOn(name: string, port: number, extra: Record<string, string>): Promise<void> {
    const web = emulator.devJson.apps.web;
    const child = spawn(process.execPath, [join(project, name, 'server.ts')], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      // What a user's shell has: no export condition pointing back at the sources.
      env: {
        PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '',
        AZURE_TENANT_ID: emulator.devJson.tenantId, AZURE_CLIENT_ID: web.clientId, AZURE_CLIENT_SECRET: web.clientSecret,
        AZURE_AUTHORITY_HOST: emulator.url, PORT: String(port), NODE_EXTRA_CA_CERTS: emulator.caFile, ...extra,
      },
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    await new Promise<void>((done, fail) => {
      child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening on') && done());
      child.once('exit', (code) => fail(new Error(`${name} exited with ${code}: ${stderr}`)));
    });
    addWebRedirectUris(emulator.deps.directory, web.clientId, [`http://localhost:${port}/auth/callback`, `http://localhost:${port}/`]);
  }

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'entrakit-web-examples-'));
    const packed = JSON.parse((await run('npm', ['pack', '--json', '--workspace', 'entrakit', '--pack-destination', scratch, '--loglevel=error'], { cwd: repo, maxBuffer: 16 << 20, env: { ...process.env, NODE_OPTIONS: '' } })).stdout) as Array<{ filename: string }>;
    project = join(scratch, 'project');
    await mkdir(project);
    const dependencies = { ...examplesManifest.dependencies, entrakit: `file:${join(scratch, packed[0]!.filename)}` };
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'examples', private: true, type: 'module', dependencies }));
    await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: project, env: { ...process.env, NODE_OPTIONS: '' } });
    for (const name of ['express-web', 'hono-web']) {
      await mkdir(join(project, name));
      await copyFile(join(repo, 'examples', name, 'server.ts'), join(project, name, 'server.ts'));
    }
    emulator = await startTestEmulator();
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await redis?.close();
    await emulator?.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  for (const name of ['express-web', 'hono-web']) {
    it(`${name}: / is public, /profile signs in and shows name, preferred_username and Graph displayName, the form signs out`, async () => {
      const port = await startExample(name);
      const origin = `http://localhost:${port}`;
      const b = createTestBrowser((request) => fetch(request), origin, emulator.url);
      const home = await b.get('/');
      assert.equal(home.status, 200);
      assert.match(await home.text(), /Not signed in/);
      const profile = await b.visit('/profile', user('adele'));
      assert.equal(profile.status, 200);
      const html = await profile.text();
      assert.match(html, /<span id="name">Adele Vance<\/span>/);
      assert.match(html, new RegExp(`<span id="username">${user('adele').username}</span>`));
      assert.match(html, /<span id="displayName">Adele Vance<\/span>/);
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
      assert.match(csrf, /^[A-Za-z0-9_-]{43}$/);
      const out = await b.post('/auth/sign-out', { csrf });
      assert.equal(out.status, 303);
      assert.equal((await b.get('/profile')).status, 302);
    });
  }

  it('express-web: 6 parallel requests of one browser without a session all end signed in', async () => {
    const port = await startExample('express-web');
    const b = createTestBrowser((request) => fetch(request), `http://localhost:${port}`, emulator.url);
    const starts = await Promise.all(Array.from({ length: 6 }, (_, i) => b.get(`/profile?tab=${i}`)));
    const first = await b.signInAt(starts[0]!.headers.get('location')!, user('alex'));
    const rest = await Promise.all(starts.slice(1).map((r) => b.signInAt(r.headers.get('location')!, user('alex'))));
    assert.deepEqual([first, ...rest].map((r) => r.status), [302, 302, 302, 302, 302, 302]);
    const pages = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => b.get(`/profile?tab=${i}`)));
    assert.deepEqual(pages.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
  });

  it('express-web: after revokeSignInSessions, Graph\'s claims challenge sends the user through sign-in with the claims and back to /profile', async () => {
    const port = await startExample('express-web');
    const b = createTestBrowser((request) => fetch(request), `http://localhost:${port}`, emulator.url);
    assert.equal((await b.visit('/profile', user('adele'))).status, 200);
    // What POST /v1.0/users/{id}/revokeSignInSessions records, in a later second than the Graph token's iat.
    const revokeFrom = Math.floor(Date.now() / 1000) + 1;
    while (Date.now() < revokeFrom * 1000) await new Promise((done) => setTimeout(done, 50));
    emulator.deps.directory.revokeSignInSessions(stableGuid('user:adele'), Date.now());
    const challenged = await b.get('/profile');
    assert.equal(challenged.status, 302);
    const authorize = new URL(challenged.headers.get('location') ?? '');
    assert.equal(authorize.origin, emulator.url);
    assert.match(authorize.searchParams.get('claims') ?? '', /"nbf"/);
    const back = await b.signInAt(authorize.toString(), user('adele'));
    assert.equal(back.headers.get('location'), '/profile');
    const page = await b.get('/profile');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<span id="displayName">Adele Vance<\/span>/);
  });

  it('express-web: two instances on one Redis, every request to the other instance than the one before', { skip: redisInstalled() ? false : 'needs redis-server (apt-get install redis-server)' }, async () => {
    redis = await startTestRedis(scratch);
    const storeUrl = redis.url;
    // Both instances serve one public URL, the first one's.
    const shared = (port: number) => ({ STORE_URL: storeUrl, ENTRAKIT_SECRET: Buffer.alloc(32, 7).toString('base64url'), ENTRAKIT_BASE_URL: `http://localhost:${port}` });
    const a = await startExample('express-web', shared);
    const b = await startExample('express-web', () => shared(a));
    let turn = 0;
    const roundRobin = (request: Request): Promise<Response> => {
      const url = new URL(request.url);
      url.port = String(turn++ % 2 === 0 ? a : b);
      return fetch(new Request(url, request));
    };
    const browser = createTestBrowser(roundRobin, `http://localhost:${a}`, emulator.url);
    const profile = await browser.visit('/profile', user('megan'));
    assert.equal(profile.status, 200);
    assert.match(await profile.text(), /<span id="displayName">Megan Bowen<\/span>/);
    const again = await Promise.all([0, 1, 2, 3].map(() => browser.get('/profile')));
    assert.deepEqual(again.map((r) => r.status), [200, 200, 200, 200]);
    assert.equal(turn, 7, 'sign-in start, callback and five pages, alternating between the two instances');
  });

  it('hono-web in Chromium: /profile signs in through the emulator page, shows Graph displayName, and the button signs out', { skip: existsSync(CHROMIUM) ? false : 'needs chromium (apt-get install chromium)' }, async () => {
    const port = await startExample('hono-web');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
      const origin = `http://localhost:${port}`;
      await page.goto(`${origin}/profile`);
      await page.waitForURL(`${emulator.url}/**`);
      await page.locator('input[name="password"]').waitFor();
      const username = page.locator('input[name="username"]');
      if (await username.isEditable()) await username.fill(user('megan').username);
      await page.locator('input[name="password"]').fill(user('megan').password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${origin}/profile`);
      assert.equal(await page.locator('#displayName').innerText(), 'Megan Bowen');
      assert.equal(await page.locator('#username').innerText(), user('megan').username);
      const cookies = await page.context().cookies(origin);
      const session = cookies.find((c) => c.name === 'entrakit-session');
      assert.ok(session?.httpOnly && session.sameSite === 'Lax', 'the session cookie is HttpOnly and SameSite=Lax');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${origin}/`);
      assert.match(await page.locator('body').innerText(), /Not signed in/);
    } finally {
      await browser.close();
    }
  });
});
