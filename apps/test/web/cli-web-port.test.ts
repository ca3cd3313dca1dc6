/**
 * `entrakit web --port N` (the real command, in its own process) beside a running emulator: the
 * demo app's registration gains http://localhost:N/auth/callback, and a user signs in on port N.
 * With a registration the command cannot change (a real tenant's), it refuses and names the
 * registered redirect URI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { trustCaCertificate } from 'entrakit';
import { startEmulator } from '../../../packages/emulator/src/server.ts';
import type { RunningEmulator } from '../../../packages/emulator/src/server.ts';
import { Browser } from '../../../bench/lib/browser.ts';
import { passLogin } from '../../../bench/lib/sign-in.ts';
import { startOnFreePort } from '../../../test/helpers/port-for-child.ts';

const MAIN = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
let dataDir: string;
let emulator: RunningEmulator;
const running = new Set<ChildProcess>();

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'entrakit-web-port-'));
  emulator = await startEmulator({ dataDir, port: 0 });
  trustCaCertificate(emulator.caPem);
});

after(async () => {
  for (const child of running) {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  }
  await emulator?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function web(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--conditions=entrakit-source', MAIN, 'web', ...args], {
    cwd: dataDir,
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const url = /^entrakit web: (\S+) \(listening/m.exec(stdout)?.[1];
      if (url) resolve(url);
    });
    void exited.then((code) => reject(new Error(`entrakit web exited ${code}: ${stderr}`)));
  });
  // A command expected to refuse never gets ready: that rejection is not a failure by itself.
  ready.catch(() => undefined);
  return { child, exited, ready, output: () => ({ stdout, stderr }) };
}

describe('entrakit web --port N', () => {
  it('against the emulator: registers port N for the demo app, and a user signs in there', async () => {
    // The command takes a port number (0 would leave the redirect URI unknown): one chosen first.
    const { base, running, url } = await startOnFreePort(async (port) => {
      const running = web(['--port', String(port), '--data', dataDir]);
      return { base: `http://localhost:${port}`, running, url: await running.ready };
    });
    assert.equal(url, base, 'the app takes its URL from the port');
    const app = emulator.deps.directory.findApplicationByClientId(emulator.devJson.apps.web.clientId);
    assert.ok(app?.app.web.redirectUris.includes(`${base}/auth/callback`), 'the demo app lists the new redirect URI');

    const user = emulator.devJson.users.find((u) => u.username.startsWith('alex@'))!;
    const browser = new Browser();
    const start = await browser.get(`${base}/auth/sign-in?returnTo=/profile`, 'sign-in');
    assert.equal(start.status, 302);
    assert.equal(start.location?.searchParams.get('redirect_uri'), `${base}/auth/callback`);
    const back = await passLogin(browser, start.location!, user);
    assert.equal(`${back.origin}${back.pathname}`, `${base}/auth/callback`);
    const callback = await browser.get(back, 'callback');
    assert.equal(callback.status, 302, callback.body.slice(0, 300));
    assert.equal(callback.location?.href, `${base}/profile`);
    const profile = await browser.get(`${base}/profile`, 'profile');
    assert.equal(profile.status, 200);
    assert.ok(profile.body.includes(user.username));

    running.child.kill('SIGTERM');
    assert.equal(await running.exited, 0);
  });

  it('against another registration: refuses with exit 2, naming the registered redirect URI', async () => {
    const refused = web(['--port', '5099', '--data', dataDir], {
      ENTRA_INSTANCE: 'https://login.microsoftonline.com',
      ENTRA_TENANT_ID: '11111111-2222-4333-8444-555555555555',
      ENTRA_CLIENT_ID: '66666666-7777-4888-9999-000000000000',
      ENTRA_CLIENT_SECRET: 'not-used',
      TOKEN_CACHE_KEY: Buffer.alloc(32).toString('base64'),
    });
    assert.equal(await refused.exited, 2);
    assert.match(
      refused.output().stderr,
      /^entrakit web: --port 5099: the app registration 66666666-7777-4888-9999-000000000000 sends sign-ins back to http:\/\/localhost:5000\/auth\/callback, which is not on port 5099\. Register http:\/\/localhost:5099\/auth\/callback for it and set WEB_BASE_URL=http:\/\/localhost:5099/,
    );
  });
});
