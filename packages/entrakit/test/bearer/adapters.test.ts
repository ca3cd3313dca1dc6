/**
 * One policy, every adapter, the same answers: Hono, Express 5, Express 4, Fastify and the
 * framework-free authenticator, each on a real server over HTTP with emulator tokens.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { createBearerAuthenticator, httpProblem } from '../../src/bearer/index.ts';
import type { BearerAuthenticator, RouteRequirement } from '../../src/bearer/index.ts';
import { bearerAuth as honoBearerAuth } from '../../src/bearer/hono.ts';
import type { BearerEnv } from '../../src/bearer/hono.ts';
import { BearerAuthError, bearerAuth as expressBearerAuth, bearerErrorHandler } from '../../src/bearer/express.ts';
import { bearerAuth as fastifyBearerAuth, bearerAuthPlugin } from '../../src/bearer/fastify.ts';
import { startEmulatorTokens } from '../core/helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../core/helpers/emulator-tokens.ts';

/** Express 4 is installed beside Express 5 under the name express4 (same API, no own types). */
const express4 = ((await import('express4' as string)) as { default: typeof express }).default;

const ME: RouteRequirement = { scopes: ['user_impersonation'], roles: ['Api.Admin'] };
const WRITE: RouteRequirement = { scopes: ['Reports.Write'] };

interface Running {
  origin: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<Running> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

const whoAmI = (p: { objectId: string; scopes: readonly string[]; roles: readonly string[] }) => ({ oid: p.objectId, scopes: p.scopes, roles: p.roles });

async function startHono(auth: BearerAuthenticator): Promise<Running> {
  const app = new Hono<BearerEnv>();
  app.get('/me', honoBearerAuth(auth, ME), (c) => c.json(whoAmI(c.get('principal'))));
  app.get('/write', honoBearerAuth(auth, WRITE), (c) => c.json({ ok: true }));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({ origin: `http://127.0.0.1:${info.port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

async function startExpress(auth: BearerAuthenticator, framework: typeof express): Promise<Running> {
  const app = framework();
  app.get('/me', expressBearerAuth(auth, ME), (req, res) => {
    res.json(whoAmI(req.auth!));
  });
  app.get('/write', expressBearerAuth(auth, WRITE), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(bearerErrorHandler());
  return listen(app.listen(0, '127.0.0.1') as unknown as Server).then((running) => running);
}

async function startFastify(auth: BearerAuthenticator): Promise<Running> {
  const app = Fastify();
  await app.register(bearerAuthPlugin);
  app.get('/me', { preHandler: fastifyBearerAuth(auth, ME) }, async (request) => whoAmI(request.auth!));
  app.get('/write', { preHandler: fastifyBearerAuth(auth, WRITE) }, async () => ({ ok: true }));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { origin: address, close: () => app.close() };
}

/** Framework-free: node:http, a web Request, the authenticator, httpProblem. */
async function startPlain(auth: BearerAuthenticator): Promise<Running> {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const request = new Request(`http://localhost${req.url ?? '/'}`, { headers });
    auth(request, req.url === '/write' ? WRITE : ME).then(
      (principal) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.url === '/write' ? { ok: true } : whoAmI(principal)));
      },
      (error: unknown) => {
        const { status, headers: problemHeaders, body } = httpProblem(error, { realm: auth.realm });
        res.writeHead(status, { ...problemHeaders, 'cache-control': 'no-store', 'content-type': 'application/json' }).end(JSON.stringify(body));
      },
    );
  });
  return listen(server);
}

interface Answer {
  status: number;
  challenge: string | null;
  cacheControl: string | null;
  body: unknown;
}

async function ask(origin: string, path: string, authorization: string[]): Promise<Answer> {
  const headers = new Headers();
  for (const value of authorization) headers.append('authorization', value);
  const res = await fetch(`${origin}${path}`, { headers });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), cacheControl: res.status === 200 ? null : res.headers.get('cache-control'), body: await res.json() };
}

describe('every adapter answers the same policy the same way', () => {
  let env: EmulatorTokens;
  const servers: Record<string, Running> = {};
  const cases: Record<string, [string, string[]]> = {};

  before(async () => {
    env = await startEmulatorTokens();
    const user = (await env.signIn('megan')).accessToken;
    const app = await env.appToken();
    const expired = await env.resign(user, { exp: Math.floor(Date.now() / 1000) - 3600 });
    const noScope = await env.resign(user, { scp: 'openid' });
    const roleNamedLikeScope = await env.resign(app, { roles: ['user_impersonation'] });
    Object.assign(cases, {
      'no token': ['/me', []],
      'another scheme': ['/me', ['Basic dXNlcjpwYXNz']],
      'malformed header': ['/me', ['Bearer a b']],
      'two tokens': ['/me', [`Bearer ${user}`, 'Bearer x.y.z']],
      'garbage token': ['/me', ['Bearer abc.def.ghi']],
      expired: ['/me', [`Bearer ${expired}`]],
      'user with the scope': ['/me', [`Bearer ${user}`]],
      'user with the scope (cached)': ['/me', [`Bearer ${user}`]],
      'app with the role': ['/me', [`Bearer ${app}`]],
      'user without the scope': ['/me', [`Bearer ${noScope}`]],
      'a role named like the scope': ['/me', [`Bearer ${roleNamedLikeScope}`]],
      'scope this route lacks': ['/write', [`Bearer ${user}`]],
    });
    const policy = { discoveryUrls: [env.discoveryUrl], audiences: [env.apiClientId, env.apiAppIdUri], realm: 'reports' };
    // One authenticator per server, so each server's cache starts cold.
    servers['hono'] = await startHono(createBearerAuthenticator(policy));
    servers['express 5'] = await startExpress(createBearerAuthenticator(policy), express);
    servers['express 4'] = await startExpress(createBearerAuthenticator(policy), express4);
    servers['fastify'] = await startFastify(createBearerAuthenticator(policy));
    servers['framework-free'] = await startPlain(createBearerAuthenticator(policy));
  });
  after(async () => {
    for (const server of Object.values(servers)) await server.close();
    await env.close();
  });

  it('answers each case identically on Hono, Express 5, Express 4, Fastify and the framework-free check', async () => {
    for (const [name, [path, authorization]] of Object.entries(cases)) {
      const answers: Record<string, Answer> = {};
      for (const [server, running] of Object.entries(servers)) answers[server] = await ask(running.origin, path, authorization);
      const reference = answers['hono']!;
      for (const [server, answer] of Object.entries(answers)) assert.deepEqual(answer, reference, `${name}: ${server} differs from hono`);
    }
  });

  it('gives the RFC 6750 answers expected for each case', async () => {
    const hono = servers['hono']!.origin;
    const answer = (name: string): Promise<Answer> => ask(hono, cases[name]![0], cases[name]![1]);
    assert.deepEqual(await answer('no token'), { status: 401, challenge: 'Bearer realm="reports"', cacheControl: 'no-store', body: { error: 'unauthorized', error_description: 'A bearer access token is required' } });
    assert.equal((await answer('two tokens')).status, 400);
    assert.match(String((await answer('expired')).challenge), /^Bearer realm="reports", error="invalid_token", error_description="Token has expired"$/);
    const me = await answer('user with the scope');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { oid: env.oid('megan'), scopes: ['user_impersonation'], roles: [] });
    assert.equal((await answer('app with the role')).status, 200);
    for (const name of ['user without the scope', 'a role named like the scope']) {
      const refused = await answer(name);
      assert.equal(refused.status, 403, name);
      assert.match(String(refused.challenge), /error="insufficient_scope".*scope="user_impersonation"$/, name);
    }
  });
});

describe('Express: failures go to next(err) as BearerAuthError', () => {
  let env: EmulatorTokens;
  before(async () => {
    env = await startEmulatorTokens();
  });
  after(() => env.close());

  for (const [name, framework] of [['express 5', express], ['express 4', express4]] as const) {
    it(`${name}: the app's error middleware receives status, headers and the cause; without one Express still sends both`, async () => {
      const auth = createBearerAuthenticator({ discoveryUrls: [env.discoveryUrl], audiences: [env.apiClientId] });
      const seen: unknown[] = [];
      const app = framework();
      app.get('/me', expressBearerAuth(auth, ME), (_req, res) => {
        res.json({ ok: true });
      });
      app.get('/bare', expressBearerAuth(auth, ME), (_req, res) => {
        res.json({ ok: true });
      });
      app.use('/me', (error: unknown, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
        seen.push(error);
        res.status(418).json({ mine: true });
      });
      const running = await listen(app.listen(0, '127.0.0.1') as unknown as Server);
      try {
        const res = await fetch(`${running.origin}/me`, { headers: { authorization: `Bearer ${await env.appToken().then((t) => env.resign(t, { roles: [] }))}` } });
        assert.equal(res.status, 418);
        assert.equal(seen.length, 1);
        const error = seen[0] as BearerAuthError;
        assert.ok(error instanceof BearerAuthError);
        assert.equal(error.status, 403);
        assert.equal(error.statusCode, 403);
        assert.equal(error.code, 'BEARER_INSUFFICIENT_SCOPE');
        assert.equal(error.cause.code, 'BEARER_INSUFFICIENT_SCOPE');
        assert.match(error.headers['WWW-Authenticate'] ?? '', /^Bearer realm="api", error="insufficient_scope"/);
        assert.equal(error.body.error, 'insufficient_scope');
        // Express's own final handler uses err.status and err.headers.
        const bare = await fetch(`${running.origin}/bare`);
        assert.equal(bare.status, 401);
        assert.equal(bare.headers.get('www-authenticate'), 'Bearer realm="api"');
        assert.equal(bare.headers.get('cache-control'), 'no-store');
        await bare.text();
      } finally {
        await running.close();
      }
    });
  }
});
