import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiTestEnv } from './helpers/api-test-env.ts';
import type { ApiTestEnv } from './helpers/api-test-env.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'cli', 'main.ts');
const OUR_VARIABLES = /^(ENTRA_|API_|STORAGE_|GRAPH_|PORT$|HOST$|ENTRAKIT_DATA$|NODE_TEST_CONTEXT$)/;

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !OUR_VARIABLES.test(name)));
}

/** Children still running; after() stops them when a test failed before it could. */
const running = new Set<ReturnType<typeof spawn>>();

function run(args: string[]): { child: ReturnType<typeof spawn>; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=entrakit-source', MAIN, 'api', ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exit };
}

async function waitFor(read: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${read()}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('entrakit api (CLI)', () => {
  let env: ApiTestEnv;
  let empty: string;
  before(async () => {
    env = await startApiTestEnv();
    empty = await mkdtemp(join(tmpdir(), 'entrakit-api-cli-'));
  });
  after(async () => {
    for (const child of running) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    }
    await env.stop();
    await rm(empty, { recursive: true, force: true });
  });

  it('serves on the given port with dev.json defaults and stops cleanly on SIGTERM', async () => {
    const api = run(['--port', '0', '--data', env.dataDir]);
    const [, url] = await waitFor(api.output, /entrakit api listening on (http:\/\/localhost:\d+)/);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${await env.sign(env.userClaims('adele'))}` } });
    assert.equal(me.status, 200);
    // Over the real listener a token over 16 KB still reaches the policy: 401 invalid_token, not Node's 431.
    const big = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${await env.sign(env.userClaims('adele', { padding: 'x'.repeat(17_000) }))}` } });
    assert.equal(big.status, 401);
    assert.equal(big.headers.get('www-authenticate'), 'Bearer realm="entrakit-api", error="invalid_token", error_description="Token is larger than 16384 bytes"');
    api.child.kill('SIGTERM');
    assert.equal(await api.exit, 0);
    assert.match(api.output(), /SIGTERM: stopping the API/);
  });

  it('exits 1 naming the missing variables when there is no configuration', async () => {
    const api = run(['--data', empty, '--port', '0']);
    assert.equal(await api.exit, 1);
    assert.match(api.output(), /entrakit api: Invalid API configuration: AZURE_TENANT_ID is required.*\(API_CONFIG_INVALID\)/);
  });

  it('exits 2 on a bad option and 0 on --help', async () => {
    const bad = run(['--port', 'eighty']);
    assert.equal(await bad.exit, 2);
    assert.match(bad.output(), /--port must be a port number/);
    const help = run(['--help']);
    assert.equal(await help.exit, 0);
    assert.match(help.output(), /^Usage: entrakit api/);
  });
});
