import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createApiApp } from '../../src/api/app.ts';
import { loadApiConfig } from '../../src/api/config.ts';
import { createApiDeps } from '../../src/api/deps.ts';
import { directJsonListener } from '../../src/api/http/direct-json-route.ts';
import type { DirectJsonRoute } from '../../src/api/http/direct-json-route.ts';
import { healthRoute } from '../../src/api/routes/health.ts';
import { meRoute } from '../../src/api/routes/me.ts';
import { answerSnapshot, startApiTestEnv } from './helpers/api-test-env.ts';
import type { AnswerSnapshot, ApiTestEnv } from './helpers/api-test-env.ts';

const REALM = 'entrakit-api';

describe('API routes answered straight from Node (verified-token cache hits)', () => {
  let env: ApiTestEnv;
  let server: Server;
  let base: string;
  let nowMs = Date.now();
  /** Requests the Hono app answered (everything the direct path handed over). */
  let appAnswers = 0;

  /** The answer, and whether the Hono app gave it (false: answered straight from Node). */
  const get = async (path: string, authorization?: string, method = 'GET'): Promise<AnswerSnapshot & { byApp: boolean }> => {
    const before = appAnswers;
    const res = await answerSnapshot(await fetch(`${base}${path}`, { method, headers: authorization === undefined ? {} : { authorization } }));
    assert.ok(appAnswers - before <= 1);
    return { ...res, byApp: appAnswers > before };
  };
  const clientView = ({ byApp: _, ...answer }: AnswerSnapshot & { byApp: boolean }): AnswerSnapshot => answer;

  before(async () => {
    env = await startApiTestEnv();
    const config = await loadApiConfig({ env: {}, dataDir: env.dataDir });
    const deps = await createApiDeps(config, { clock: () => nowMs });
    const app = getRequestListener(createApiApp(deps).fetch);
    const countingApp: RequestListener = (req, res) => {
      appAnswers += 1;
      app(req, res);
    };
    server = createServer({ maxHeaderSize: 64 * 1024 }, directJsonListener([healthRoute, meRoute()], deps.authenticator, countingApp));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await env.stop();
  });

  it('answers a token validated before without the app, byte for byte as the app answered it', async () => {
    const auth = `Bearer ${await env.sign(env.userClaims('adele'))}`;
    const first = await get('/api/me', auth);
    const second = await get('/api/me', auth);
    assert.deepEqual([first.byApp, second.byApp], [true, false]);
    assert.equal(first.status, 200);
    assert.deepEqual(clientView(second), clientView(first));
    assert.equal(JSON.parse(second.body).user.oid, env.oid('adele'));
    assert.deepEqual(second.headers, {
      'cache-control': 'no-store',
      'content-length': String(Buffer.byteLength(second.body)),
      'content-type': 'application/json',
      'x-content-type-options': 'nosniff',
    });
  });

  it("gives every caller their own answer, never another cached caller's", async () => {
    const tokens = {
      adele: `Bearer ${await env.sign(env.userClaims('adele'))}`,
      alex: `Bearer ${await env.sign(env.userClaims('alex'))}`,
      megan: `Bearer ${await env.sign(env.userClaims('megan', { scp: undefined, roles: ['Api.Admin'] }))}`,
    };
    for (let round = 0; round < 3; round += 1) {
      for (const alias of ['adele', 'alex', 'megan'] as const) {
        const res = await get('/api/me', tokens[alias]);
        assert.equal(res.status, 200);
        const body = JSON.parse(res.body) as { user: { oid: string }; roles: string[]; scopes: string[] };
        assert.equal(body.user.oid, env.oid(alias), `round ${round}, ${alias}`);
        assert.deepEqual([body.scopes, body.roles], alias === 'megan' ? [[], ['Api.Admin']] : [['user_impersonation'], []]);
      }
    }
  });

  it('hands a cached token that lacks the permission to the app, which answers 403 every time', async () => {
    const auth = `Bearer ${await env.sign(env.userClaims('megan', { scp: 'Other.Read' }))}`;
    for (let i = 0; i < 3; i += 1) {
      const res = await get('/api/me', auth);
      assert.equal(res.byApp, true);
      assert.equal(res.status, 403);
      assert.match(res.headers['www-authenticate'] ?? '', new RegExp(`^Bearer realm="${REALM}", error="insufficient_scope"`));
    }
  });

  it('stops answering from the cache when the token expires: the app answers 401 expired', async () => {
    const t = Math.floor(nowMs / 1000);
    const auth = `Bearer ${await env.sign(env.userClaims('alex', { iat: t, nbf: t, exp: t + 120 }))}`;
    assert.equal((await get('/api/me', auth)).status, 200);
    assert.equal((await get('/api/me', auth)).byApp, false);
    const saved = nowMs;
    nowMs += 121_000 + 5 * 60_000; // past exp and any clock skew
    try {
      const res = await get('/api/me', auth);
      assert.deepEqual([res.byApp, res.status], [true, 401]);
      assert.equal(res.headers['www-authenticate'], `Bearer realm="${REALM}", error="invalid_token", error_description="Token has expired"`);
    } finally {
      nowMs = saved;
    }
  });

  it('leaves other methods, query strings, trailing slashes and failures to the app', async () => {
    const auth = `Bearer ${await env.sign(env.userClaims('adele'))}`;
    assert.equal((await get('/api/me', auth)).status, 200);
    const cases: Array<[string, string, string | undefined, number]> = [
      ['GET', '/api/me?x=1', auth, 200],
      ['HEAD', '/api/me', auth, 200],
      ['POST', '/api/me', auth, 404],
      ['GET', '/api/me/', auth, 404],
      ['GET', '/api/me', undefined, 401],
      ['GET', '/api/me', `${auth}x`, 401],
    ];
    for (const [method, path, authorization, status] of cases) {
      const res = await get(path, authorization, method);
      assert.deepEqual([res.byApp, res.status], [true, status], `${method} ${path}`);
    }
  });

  it('answers /health directly, with the same headers as the app', async () => {
    const res = await get('/health');
    assert.equal(res.byApp, false);
    const viaApp = await createApiApp(await createApiDeps(await loadApiConfig({ env: {}, dataDir: env.dataDir }))).request('/health');
    assert.equal(res.body, await viaApp.text());
    for (const name of ['content-type', 'cache-control', 'x-content-type-options']) assert.equal(res.headers[name], viaApp.headers.get(name), name);
  });

  it('hands a request to the app when an answer throws, so the process keeps serving', async () => {
    const boom: DirectJsonRoute = { path: '/boom', requirement: 'public', answer: () => { throw new Error('bug in a route'); } };
    let handedOver = 0;
    const listener = directJsonListener([boom], { cachedPrincipal: () => undefined } as never, (_req, res) => {
      handedOver += 1;
      res.writeHead(500).end();
    });
    const local = createServer(listener);
    await new Promise<void>((done) => local.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(local.address() as AddressInfo).port}/boom`;
      assert.deepEqual([(await fetch(url)).status, (await fetch(url)).status], [500, 500]);
      assert.equal(handedOver, 2);
    } finally {
      local.closeAllConnections();
      await new Promise((done) => local.close(done));
    }
  });

  it('refuses route lists it cannot serve exactly', () => {
    const app: RequestListener = () => {};
    const deps = { cachedPrincipal: () => undefined } as never;
    const health = (path: string): DirectJsonRoute => ({ path, requirement: 'public', answer: () => '{}' });
    assert.throws(() => directJsonListener([health('/a?b')], deps, app), { name: 'TypeError', message: /"\/a\?b" is not a plain path/ });
    assert.throws(() => directJsonListener([health('a')], deps, app), { name: 'TypeError', message: /"a" is not a plain path/ });
    assert.throws(() => directJsonListener([health('/a'), health('/a')], deps, app), { name: 'TypeError', message: /"\/a" is listed twice/ });
  });
});
