import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { updateDevJson } from '../../../packages/emulator/src/dev-json.ts';
import { ensureLocalTls } from '../../../packages/emulator/src/tls/local-ca.ts';

const MAIN = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
let dataDir: string;
/** Children still running; after() stops them when a test failed before it could. */
const running = new Set<ChildProcess>();

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'entrakit-web-cli-'));
  const tls = await ensureLocalTls(dataDir);
  const tenantId = '11111111-2222-4333-8444-555555555555';
  await updateDevJson(dataDir, {
    emulator: { url: 'https://localhost:8443', caFile: tls.caFile },
    tenantId,
    authority: `https://localhost:8443/${tenantId}`,
    graphBaseUrl: 'https://localhost:8443/v1.0',
    apps: {
      web: { clientId: '66666666-7777-4888-9999-000000000000', clientSecret: 'x', redirectUri: 'http://localhost:5000/auth/callback' },
      api: { clientId: tenantId, clientSecret: 'x', scope: `api://${tenantId}/user_impersonation` },
    },
    users: [],
  });
});
after(async () => {
  for (const child of running) {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
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
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('entrakit web (webCommand)', () => {
  it('serves the app from dev.json defaults and stops cleanly on SIGTERM', async () => {
    const web = run(['--port', '0', '--host', '127.0.0.1', '--data', dataDir]);
    const deadline = Date.now() + 15_000;
    while (!/listening on (http:\/\/\S+)\)/.test(web.output().stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const listening = /listening on (http:\/\/\S+)\)/.exec(web.output().stdout)?.[1];
    assert.ok(listening, web.output().stderr);
    const health = await fetch(`${listening}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    web.child.kill('SIGTERM');
    assert.equal(await web.exited, 0);
  });

  it('exits 1 naming the bad variable', async () => {
    const web = run(['--data', dataDir], { AZURE_CLIENT_ID: 'not-a-guid' });
    assert.equal(await web.exited, 1);
    assert.match(web.output().stderr, /^entrakit web: AZURE_CLIENT_ID must be a GUID/);
  });

  it('prints help', async () => {
    const web = run(['--help']);
    assert.equal(await web.exited, 0);
    assert.match(web.output().stdout, /^Usage: entrakit web \[--port N\] \[--host H\] \[--data DIR\]/);
  });
});
