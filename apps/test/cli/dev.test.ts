import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trustCaCertificate } from '../../../packages/entrakit/src/core/trust-ca.ts';

test('entrakit dev starts emulator, storage, API and web app, records them in dev.json, and Ctrl-C stops them all', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'entrakit-dev-'));
  const args = ['apps/cli/main.ts', 'dev', '--data', dataDir, '--emulator-port', '0', '--storage-port', '0', '--api-port', '0', '--web-port', '0'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } });
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in 20 s:\n${out}`)), 20_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Ctrl-C stops everything')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
    });
    const ready = /entrakit is ready in ([\d.]+)s/.exec(out);
    assert.ok(ready, out);
    assert.match(out, /adele@entrakitdemo\.onmicrosoft\.com {2}password: \S+/, 'prints the demo sign-ins');

    const devJson = JSON.parse(await readFile(join(dataDir, 'dev.json'), 'utf8'));
    trustCaCertificate(await readFile(devJson.emulator.caFile, 'utf8'));
    assert.equal(devJson.web.url, 'http://localhost:5000', 'the web URL users open (the demo registration redirects there)');
    const discovery = await fetch(`${devJson.authority}/v2.0/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    const health = await fetch(`${devJson.api.url}/health`);
    assert.equal(health.status, 200);
    const blobs = await fetch(`${devJson.storage.blobUrl}/stories?restype=container&comp=list`);
    assert.equal(blobs.status, 403, 'Azurite answers: an anonymous listing is refused');
    assert.match(await blobs.text(), /<Code>AuthorizationFailure<\/Code>/);
    const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(listening, out);
    assert.equal((await fetch(`${listening}/`)).status, 200);

    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    assert.match(out, /SIGINT: stopping/);
    for (const url of [devJson.api.url, devJson.storage.blobUrl, devJson.emulator.url]) {
      await assert.rejects(fetch(url), `${url} is still answering after Ctrl-C`);
    }
  } finally {
    // A graceful stop even after a failed assertion: SIGKILL would orphan the Azurite child.
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      child.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  }
});
