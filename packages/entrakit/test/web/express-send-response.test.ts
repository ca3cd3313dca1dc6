/**
 * sendWebResponse: an Express handler sends the Web Response entra.stepUp answers (and any other
 * the library gives back) through a real Express app on a port, signed in against the real emulator.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { startTestEmulator } from '../../../emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../../emulator/src/server.ts';
import { authContextClaims, createWebAuth, sendWebResponse } from '../../src/web/index.ts';
import type { CreatedWebAuth } from '../../src/web/index.ts';
import { createTestBrowser } from './helpers/browser.ts';
import { demoUser, type DemoUser } from './helpers/browser.ts';
import { APP_ORIGIN, demoSettings } from './helpers/demo-app.ts';

describe('sendWebResponse: Express sends the library\'s Web Responses', { timeout: 180_000 }, () => {
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let entra: CreatedWebAuth;
  let server: Server;
  let origin: string;
  const deleted: string[] = [];
  const user = (alias: string): DemoUser => demoUser(emulator.devJson.users, alias);
  /** The browser speaks to APP_ORIGIN (the registered redirect URI); requests go to the Express port. */
  const browser = () =>
    createTestBrowser(
      async (request) => {
        const url = new URL(request.url);
        const body = request.method === 'GET' ? undefined : await request.text();
        return fetch(`${origin}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, body, redirect: 'manual' });
      },
      APP_ORIGIN,
      emulator.url,
    );

  before(async () => {
    emulator = await startTestEmulator();
    entra = createWebAuth(demoSettings(emulator));
    const app = express();
    app.use(entra.express());
    app.get('/profile', entra.requireSignIn(), (req, res) => void res.json({ username: entra.user(req)?.username }));
    app.post('/danger', entra.requireSignIn(), async (req, res, next) => {
      try {
        if (!entra.user(req)!.authContexts.includes('c1')) return await sendWebResponse(res, await entra.stepUp(req, authContextClaims('c1'), { returnTo: '/danger/done', action: { item: 'story-1' } }));
        deleted.push('at once');
        res.send('deleted');
      } catch (error) {
        next(error);
      }
    });
    app.get('/danger/done', entra.requireSignIn(), async (req, res, next) => {
      try {
        const action = (await entra.resumeAction(req, req.query['resume'])) as { item: string } | undefined;
        if (action) deleted.push(action.item);
        res.json({ resumed: action ?? null });
      } catch (error) {
        next(error);
      }
    });
    app.get('/many', (_req, res, next) => {
      const headers = new Headers([['set-cookie', 'a=1; Path=/; HttpOnly'], ['set-cookie', 'b=2; Path=/'], ['x-kind', 'test'], ['content-type', 'text/plain']]);
      sendWebResponse(res, new Response('made here', { status: 203, headers })).catch(next);
    });
    app.get('/misuse', (_req, res) => {
      const refused: string[] = [];
      sendWebResponse(res, 'not a response' as never).catch((error: Error) => refused.push(error.message))
        .then(() => sendWebResponse({} as never, new Response('x')).catch((error: Error) => refused.push(error.message)))
        .then(() => res.json(refused))
        .catch(() => res.status(500).end());
    });
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await entra?.close();
    await emulator?.cleanup();
  });

  it('status, every header (each Set-Cookie on its own line) and the body arrive as the Response had them', async () => {
    const response = await fetch(`${origin}/many`);
    assert.equal(response.status, 203);
    assert.deepEqual(response.headers.getSetCookie(), ['a=1; Path=/; HttpOnly', 'b=2; Path=/']);
    assert.equal(response.headers.get('x-kind'), 'test');
    assert.equal(await response.text(), 'made here');
    assert.deepEqual(await (await fetch(`${origin}/misuse`)).json(), ['sendWebResponse: "response" must be a Response', 'sendWebResponse: "res" must be Express\'s res (a node:http ServerResponse)']);
  });

  it('a POST that needs step-up: stepUp\'s redirect and transaction cookie reach the browser, and the action runs once on return', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('megan'))).status, 200);
    const interrupted = await b.post('/danger', {});
    assert.equal(interrupted.status, 302);
    const authorize = new URL(interrupted.headers.get('location') ?? '');
    assert.equal(authorize.origin, emulator.url);
    assert.deepEqual((JSON.parse(authorize.searchParams.get('claims') ?? '{}') as { access_token: { acrs: unknown } }).access_token.acrs, { essential: true, value: 'c1' });
    assert.ok(interrupted.headers.getSetCookie().length >= 1, 'the sign-in transaction cookie');
    const back = await b.signInAt(authorize.toString(), user('megan'));
    const returnTo = back.headers.get('location') ?? '';
    assert.match(returnTo, /^\/danger\/done\?resume=[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await (await b.get(returnTo)).json(), { resumed: { item: 'story-1' } });
    assert.deepEqual(deleted, ['story-1']);
  });
});
