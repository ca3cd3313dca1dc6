import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { claimsChallenge } from '../../src/bearer/index.ts';
import { createDiscoveryClient } from '../../src/core/discovery/discovery-client.ts';
import { startEmulatorTokens } from '../core/helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../core/helpers/emulator-tokens.ts';

type CreateReportsApi = (settings: { discoveryUrl: string; audience: string; authorizationUri: string }) => {
  listen(port: number, host: string, done: () => void): Server;
};

/** The Express example of docs/api.md, as written, with its imports pointed at this checkout. */
async function loadExample(dir: string): Promise<CreateReportsApi> {
  const doc = await readFile(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('### Express'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code?.includes('createReportsApi')) throw new Error('docs/api.md has no Express example');
  const source = code
    .replace("from 'express'", `from '${import.meta.resolve('express')}'`)
    .replace(/from 'entrakit\/bearer(\/[a-z]+)?'/g, (_match, entry: string | undefined) => `from '${import.meta.resolve(`entrakit/bearer${entry ?? ''}`)}'`);
  const file = join(dir, 'reports-api.ts');
  await writeFile(file, source, { mode: 0o600 });
  return ((await import(pathToFileURL(file).href)) as { createReportsApi: CreateReportsApi }).createReportsApi;
}

describe('the Express example in docs/api.md, against emulator tokens', () => {
  let env: EmulatorTokens;
  let dir: string;
  let server: Server;
  let origin: string;
  let authorizationUri: string;
  let userToken: string;

  before(async () => {
    env = await startEmulatorTokens();
    dir = await mkdtemp(join(tmpdir(), 'entrakit-express-'));
    authorizationUri = (await createDiscoveryClient().getMetadata(env.discoveryUrl)).authorization_endpoint;
    const createReportsApi = await loadExample(dir);
    const app = createReportsApi({ discoveryUrl: env.discoveryUrl, audience: env.apiClientId, authorizationUri });
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', resolve);
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    userToken = (await env.signIn('megan')).accessToken;
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers without a token with 401 and a bare challenge', async () => {
    const res = await fetch(`${origin}/reports`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="reports"');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { error: 'unauthorized', error_description: 'A bearer access token is required' });
  });

  it('lets an emulator user token through and refuses an app-only token with 403', async () => {
    const ok = await fetch(`${origin}/reports`, { headers: { authorization: `Bearer ${userToken}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { reports: [] });
    const app = await fetch(`${origin}/reports`, { headers: { authorization: `Bearer ${await env.appToken()}` } });
    assert.equal(app.status, 403);
    assert.equal(((await app.json()) as { error: string }).error, 'insufficient_scope');
  });

  it('answers repeated Authorization headers with 400 invalid_request even though Node keeps only the first', async () => {
    const headers = new Headers();
    headers.append('authorization', `Bearer ${userToken}`);
    headers.append('authorization', 'Bearer garbage');
    const res = await fetch(`${origin}/reports`, { headers });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'invalid_request', error_description: 'The Authorization header must be "Bearer" followed by one token' });
  });

  it('step-up: a token without acrs c1 gets Entra\'s claims challenge; with acrs c1 (re-signed with the emulator key) it passes', async () => {
    const res = await fetch(`${origin}/reports/7`, { method: 'DELETE', headers: { authorization: `Bearer ${userToken}` } });
    assert.equal(res.status, 401);
    const expected = `Bearer realm="reports", authorization_uri="${authorizationUri}", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"`;
    assert.equal(res.headers.get('www-authenticate'), expected);
    assert.equal(claimsChallenge({ realm: 'reports', authContext: 'c1', authorizationUri }), expected);
    assert.deepEqual(await res.json(), {
      error: 'insufficient_claims',
      error_description: 'This resource requires the authentication context c1; acquire a new token with the claims challenge',
    });
    const stepped = await env.resign(userToken, { acrs: ['c1'] });
    const done = await fetch(`${origin}/reports/7`, { method: 'DELETE', headers: { authorization: `Bearer ${stepped}` } });
    assert.equal(done.status, 204);
  });
});
