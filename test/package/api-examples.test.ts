/**
 * examples/express-api and examples/hono-api as a user runs them: `node server.ts` in a project
 * that installed entrakit from its packed tarball, settings from the environment only, against the
 * real emulator over HTTPS (trusted through NODE_EXTRA_CA_CERTS). Both give the same answers.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startEmulatorTokens } from '../../packages/entrakit/test/core/helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../../packages/entrakit/test/core/helpers/emulator-tokens.ts';
import { startOnFreePort } from '../helpers/port-for-child.ts';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const rootManifest = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const appsManifest = JSON.parse(await readFile(join(repo, 'apps', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const EXAMPLES = ['express-api', 'hono-api'] as const;

interface Answer {
  status: number;
  challenge: string | null;
  body: unknown;
}

describe('the API examples, installed from the packed tarball', { timeout: 600_000 }, () => {
  let scratch = '';
  let project = '';
  let env: EmulatorTokens;
  const children: ChildProcess[] = [];
  const origins: Record<string, string> = {};

  /** The example reads its port from PORT (a number users give), so one is chosen before it starts. */
  function startExample(name: string): Promise<string> {
    return startOnFreePort((port) => startExampleOn(name, port));
  }

  async function startExampleOn(name: string, port: number): Promise<string> {
    const child = spawn(process.execPath, [join(project, name, 'server.ts')], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      // What a user's shell has: no export condition pointing back at the sources.
      env: {
        PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '',
        AZURE_TENANT_ID: env.tenantId, AZURE_CLIENT_ID: env.apiClientId, AZURE_AUTHORITY_HOST: env.emulator.url,
        PORT: String(port), NODE_EXTRA_CA_CERTS: env.emulator.caFile,
      },
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    await new Promise<void>((done, fail) => {
      child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes(`listening on http://localhost:${port}`) && done());
      child.once('exit', (code) => fail(new Error(`${name} exited with ${code}: ${stderr}`)));
    });
    return `http://127.0.0.1:${port}`;
  }

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'entrakit-api-examples-'));
    const packed = JSON.parse((await run('npm', ['pack', '--json', '--workspace', 'entrakit', '--pack-destination', scratch, '--loglevel=error'], { cwd: repo, maxBuffer: 16 << 20, env: { ...process.env, NODE_OPTIONS: '' } })).stdout) as Array<{ filename: string }>;
    project = join(scratch, 'project');
    await mkdir(project);
    // Only what the API examples import: no MSAL.
    const dependencies = {
      entrakit: `file:${join(scratch, packed[0]!.filename)}`,
      express: rootManifest.devDependencies['express']!,
      hono: appsManifest.dependencies['hono']!,
      '@hono/node-server': appsManifest.dependencies['@hono/node-server']!,
    };
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'examples', private: true, type: 'module', dependencies }));
    await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: project, env: { ...process.env, NODE_OPTIONS: '' } });
    for (const name of EXAMPLES) {
      await mkdir(join(project, name));
      await copyFile(join(repo, 'examples', name, 'server.ts'), join(project, name, 'server.ts'));
    }
    env = await startEmulatorTokens();
    for (const name of EXAMPLES) origins[name] = await startExample(name);
  });
  after(async () => {
    for (const child of children) child.kill();
    await env?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  async function ask(name: string, authorization?: string): Promise<Answer> {
    const res = await fetch(`${origins[name]}/api/me`, authorization ? { headers: { authorization } } : {});
    return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.json() };
  }

  it('GET /api/me: a user with user_impersonation, an app with Api.Admin, the api:// audience; RFC 6750 answers otherwise, the same from both', async () => {
    const user = (await env.signIn('megan')).accessToken;
    const app = await env.appToken();
    const cases: Array<[string, string | undefined, (answer: Answer) => void]> = [
      ['no token', undefined, (a) => assert.deepEqual(a, { status: 401, challenge: 'Bearer realm="api"', body: { error: 'unauthorized', error_description: 'A bearer access token is required' } })],
      ['user', `Bearer ${user}`, (a) => assert.deepEqual(a, { status: 200, challenge: null, body: { oid: env.oid('megan'), scopes: ['user_impersonation'], roles: [] } })],
      ['app', `Bearer ${app}`, (a) => assert.deepEqual({ status: a.status, roles: (a.body as { roles: string[] }).roles }, { status: 200, roles: ['Api.Admin'] })],
      ['api:// audience', `Bearer ${await env.resign(user, { aud: env.apiAppIdUri })}`, (a) => assert.equal(a.status, 200)],
      ['neither scope nor role', `Bearer ${await env.resign(user, { scp: 'openid' })}`, (a) => {
        assert.equal(a.status, 403);
        assert.match(String(a.challenge), /^Bearer realm="api", error="insufficient_scope", error_description="[^"]+", scope="user_impersonation"$/);
      }],
      ['expired', `Bearer ${await env.resign(user, { exp: Math.floor(Date.now() / 1000) - 3600 })}`, (a) => {
        assert.equal(a.status, 401);
        assert.equal(a.challenge, 'Bearer realm="api", error="invalid_token", error_description="Token has expired"');
      }],
      ['another API\'s token', `Bearer ${await env.resign(user, { aud: 'api://someone-else' })}`, (a) => assert.equal(a.status, 401)],
    ];
    for (const [what, authorization, expect] of cases) {
      const express = await ask('express-api', authorization);
      const hono = await ask('hono-api', authorization);
      expect(express);
      assert.deepEqual(hono, express, `${what}: hono-api answers differently from express-api`);
    }
  });
});
