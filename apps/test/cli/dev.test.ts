import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trustCaCertificate } from 'entrakit';
import { Browser } from '../../../bench/lib/browser.ts';
import { passLogin } from '../../../bench/lib/sign-in.ts';
import { startOnFreePort } from '../../../test/helpers/port-for-child.ts';

test('entrakit dev starts emulator, storage, API and web app on the ports given, signs a user in there, and Ctrl-C stops them all', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-dev-'));
  // The web app must run on a port other than the default 5000, chosen before the command starts.
  let child: ChildProcess | undefined;
  let out = '';
  const started = startOnFreePort(async (port) => {
    out = '';
    const args = ['apps/cli/main.ts', 'dev', '--data', dataDir, '--emulator-port', '0', '--storage-port', '0', '--api-port', '0', '--web-port', String(port)];
    const running = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } });
    child = running;
    running.stderr.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in 20 s:\n${out}`)), 20_000);
      running.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Ctrl-C stops everything')) {
          clearTimeout(timer);
          resolve();
        }
      });
      running.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited ${code}:\n${out}`));
      });
    });
    return { child: running, webUrl: `http://localhost:${port}` };
  });
  try {
    const { webUrl, child: dev } = await started;
    const ready = /entrakit is ready in ([\d.]+)s/.exec(out);
    assert.ok(ready, out);
    assert.match(out, /adele@entrakitdemo\.onmicrosoft\.com {2}password: \S+/, 'prints the demo sign-ins');

    const devJson = JSON.parse(await readFile(join(dataDir, 'dev.json'), 'utf8'));
    trustCaCertificate(await readFile(devJson.emulator.caFile, 'utf8'));
    assert.equal(devJson.web.url, webUrl, 'the web URL users open (the demo registration redirects there)');
    const discovery = await fetch(`${devJson.authority}/v2.0/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    const health = await fetch(`${devJson.api.url}/health`);
    assert.equal(health.status, 200);
    const blobs = await fetch(`${devJson.storage.blobUrl}/stories?restype=container&comp=list`);
    assert.equal(blobs.status, 403, 'Azurite answers: an anonymous listing is refused');
    assert.match(await blobs.text(), /<Code>AuthorizationFailure<\/Code>/);

    // A sign-in end to end on that port: the emulator redirects back to it, the app starts a session.
    const user = devJson.users[0] as { username: string; password: string; displayName: string };
    const browser = new Browser();
    const start = await browser.get(`${webUrl}/auth/sign-in?returnTo=/profile`, 'sign-in');
    assert.equal(start.status, 302);
    const back = await passLogin(browser, start.location!, user);
    assert.equal(`${back.origin}${back.pathname}`, `${webUrl}/auth/callback`);
    const callback = await browser.get(back, 'callback');
    assert.equal(callback.status, 302);
    assert.equal(callback.location?.href, `${webUrl}/profile`);
    const home = await browser.get(`${webUrl}/`, 'home');
    assert.equal(home.status, 200);
    assert.ok(home.body.includes(user.displayName), 'the home page shows the signed-in user');

    dev.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => dev.once('exit', resolve));
    assert.equal(code, 0);
    assert.match(out, /SIGINT: stopping/);
    for (const url of [devJson.api.url, devJson.storage.blobUrl, devJson.emulator.url]) {
      await assert.rejects(fetch(url), `${url} is still answering after Ctrl-C`);
    }
  } finally {
    // A graceful stop even after a failed assertion: SIGKILL would orphan the Azurite child.
    if (child && child.exitCode === null) {
      const last = child;
      const exited = new Promise((resolve) => last.once('exit', resolve));
      last.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      last.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  }
});
