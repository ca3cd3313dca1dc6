import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestEmulator } from '../../../emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../../emulator/src/server.ts';
import { createWebAuth } from '../../src/web/index.ts';
import type { CreatedWebAuth } from '../../src/web/index.ts';
import { createTestBrowser } from './helpers/browser.ts';
import { demoUser, type DemoUser } from './helpers/browser.ts';
import { APP_ORIGIN, createDemoApp, demoSettings } from './helpers/demo-app.ts';

describe('createWebAuth: auth routes at the app\'s own paths, and the app\'s own error page', { timeout: 180_000 }, () => {
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let entra: CreatedWebAuth;
  let app: ReturnType<typeof createDemoApp>;
  let failRendering = false;
  const user = (alias: string): DemoUser => demoUser(emulator.devJson.users, alias);
  const browser = () => createTestBrowser(async (request) => app.fetch(request), APP_ORIGIN, emulator.url);

  before(async () => {
    emulator = await startTestEmulator();
    entra = createWebAuth({
      ...demoSettings(emulator),
      routes: { signIn: '/login', signOut: '/auth/sign-out/local', signOutEverywhere: '/auth/sign-out/global' },
      afterSignOut: '/?signedOut=local',
      signedOutState: 'signed-out-everywhere',
      errorPage(error) {
        if (failRendering) throw new Error('renderer bug');
        return new Response(`<h1>Our page</h1><p>${error.code}</p>`, { status: error.status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'max-age=600' } });
      },
    });
    app = createDemoApp(entra);
  });
  after(async () => {
    await entra?.close();
    await emulator?.cleanup();
  });

  it('refuses routes that are not paths, unknown route names, and two routes on one path', () => {
    const base = demoSettings(emulator);
    assert.throws(() => createWebAuth({ ...base, routes: { signOut: 'sign-out' } }), { name: 'TypeError', message: /"routes" must be paths starting with \// });
    assert.throws(() => createWebAuth({ ...base, routes: { logout: '/x' } as never }), { name: 'TypeError', message: /unknown option "logout"/ });
    assert.throws(() => createWebAuth({ ...base, routes: { signOut: '/auth/callback' } }), { name: 'TypeError', message: /five different paths/ });
    assert.throws(() => createWebAuth({ ...base, errorPage: 'page' as never }), { name: 'TypeError', message: /"errorPage" must be a function/ });
    assert.throws(() => createWebAuth({ ...base, signedOutState: 'a b' }), { name: 'TypeError', message: /"signedOutState" must be 1 to 128 URL-safe characters/ });
    for (const afterSignOut of ['https://evil.example/', '//evil.example', 'signed-out', '/auth/sign-in', '/a/../b']) {
      assert.throws(() => createWebAuth({ ...base, afterSignOut }), { name: 'TypeError', message: /"afterSignOut" must be a path of the app/ }, afterSignOut);
    }
  });

  it('signs in through the renamed sign-in route and out at /auth/sign-out/local; the default paths are the app\'s again', async () => {
    const b = browser();
    const start = await b.get('/login?returnTo=%2Fprofile');
    assert.equal(start.status, 302);
    assert.equal(new URL(start.headers.get('location') ?? '').origin, emulator.url);
    const back = await b.signInAt(start.headers.get('location')!, user('adele'));
    assert.equal(back.headers.get('location'), '/profile');
    const { csrf } = (await (await b.get('/profile')).json()) as { csrf: string };
    assert.equal((await b.post('/auth/sign-out', { csrf })).status, 404, 'the default path is not an auth route any more');
    assert.equal((await b.get('/auth/sign-out/local')).status, 405);
    const out = await b.post('/auth/sign-out/local', { csrf });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/?signedOut=local', 'afterSignOut');
    assert.equal(b.app.cookies.has('entrakit-session'), false);
    assert.equal((await b.get('/profile')).status, 302);
  });

  it('a failed sign-in ends on the app\'s page, with the stable code header and no caching; a renderer that throws gives the built-in page', async () => {
    const stray = await browser().get('/auth/callback?state=x&code=y');
    assert.equal(stray.status, 400);
    assert.equal(stray.headers.get('x-entrakit-error'), 'SIGNIN_TRANSACTION_MISSING');
    assert.equal(stray.headers.get('cache-control'), 'no-store');
    assert.equal(await stray.text(), '<h1>Our page</h1><p>SIGNIN_TRANSACTION_MISSING</p>');
    failRendering = true;
    try {
      const fallback = await browser().get('/auth/callback?state=x&code=y');
      assert.equal(fallback.status, 400);
      assert.equal(fallback.headers.get('x-entrakit-error'), 'SIGNIN_TRANSACTION_MISSING');
      assert.match(await fallback.text(), /<h1>Sign-in failed<\/h1>/);
    } finally {
      failRendering = false;
    }
  });

  it('sign-out everywhere at /auth/sign-out/global sends signedOutState as state to the end-session endpoint', async () => {
    const b = browser();
    const start = await b.get('/login?returnTo=%2Fprofile');
    await b.signInAt(start.headers.get('location')!, user('adele'));
    const { csrf } = (await (await b.get('/profile')).json()) as { csrf: string };
    const out = await b.post('/auth/sign-out/global', { csrf });
    assert.equal(out.status, 303);
    const endSession = new URL(out.headers.get('location') ?? '');
    assert.equal(endSession.origin, emulator.url);
    assert.match(endSession.pathname, /\/oauth2\/v2\.0\/logout$/);
    assert.equal(endSession.searchParams.get('state'), 'signed-out-everywhere');
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${APP_ORIGIN}/`);
    assert.equal(b.app.cookies.has('entrakit-session'), false);
  });
});
