import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { after, before, describe, it } from 'node:test';
import { startTestEmulator } from '../../../emulator/test/helpers/emulator.ts';
import type { RunningEmulator } from '../../../emulator/src/server.ts';
import { authContextClaims, createWebAuth } from '../../src/web/index.ts';
import type { CreatedWebAuth } from '../../src/web/index.ts';
import { createTestBrowser } from './helpers/browser.ts';
import { demoUser, type DemoUser } from './helpers/browser.ts';
import { APP_ORIGIN, createDemoApp, demoSettings } from './helpers/demo-app.ts';

describe('createWebAuth: a POST interrupted by step-up resumes once after sign-in (stepUp, resumeAction)', { timeout: 180_000 }, () => {
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let entra: CreatedWebAuth;
  let app: ReturnType<typeof createDemoApp>;
  const deleted: string[] = [];
  const user = (alias: string): DemoUser => demoUser(emulator.devJson.users, alias);
  const browser = () => createTestBrowser(async (request) => app.fetch(request), APP_ORIGIN, emulator.url);

  before(async () => {
    emulator = await startTestEmulator();
    entra = createWebAuth(demoSettings(emulator));
    app = createDemoApp(entra);
    // A destructive action that needs authentication context c1, as an API's claims challenge would demand.
    app.post('/danger', entra.requireSignIn(), async (c) => {
      const item = String((await c.req.parseBody())['item'] ?? '');
      if (!entra.user(c)!.authContexts.includes('c1')) return entra.stepUp(c, authContextClaims('c1'), { returnTo: '/danger/done', action: { item } });
      deleted.push(item);
      return c.text(`deleted ${item}`);
    });
    app.get('/danger/done', entra.requireSignIn(), async (c) => {
      const action = (await entra.resumeAction(c, c.req.query('resume'))) as { item: string } | undefined;
      if (action) deleted.push(action.item);
      return c.json({ resumed: action ?? null });
    });
  });
  after(async () => {
    await entra?.close();
    await emulator?.cleanup();
  });

  it('megan\'s delete goes through the second factor with the claims, then runs once on return; another user\'s or a second use of the link does nothing', async () => {
    const b = browser();
    assert.equal((await b.visit('/profile', user('megan'))).status, 200);
    const interrupted = await b.post('/danger', { item: 'story-1' });
    assert.equal(interrupted.status, 302);
    const authorize = new URL(interrupted.headers.get('location') ?? '');
    assert.equal(authorize.origin, emulator.url);
    assert.deepEqual((JSON.parse(authorize.searchParams.get('claims') ?? '{}') as { access_token: { acrs: unknown } }).access_token.acrs, { essential: true, value: 'c1' });
    assert.deepEqual(deleted, [], 'nothing ran before the step-up');
    const back = await b.signInAt(authorize.toString(), user('megan'));
    const returnTo = back.headers.get('location') ?? '';
    assert.match(returnTo, /^\/danger\/done\?resume=[A-Za-z0-9_-]{43}$/);
    // Another signed-in user with megan's link gets nothing, and leaves megan's action in place.
    const alex = browser();
    assert.equal((await alex.visit('/profile', user('alex'))).status, 200);
    assert.deepEqual(await (await alex.get(returnTo)).json(), { resumed: null });
    assert.deepEqual(await (await b.get(returnTo)).json(), { resumed: { item: 'story-1' } });
    assert.deepEqual(await (await b.get(returnTo)).json(), { resumed: null }, 'single use');
    assert.deepEqual(deleted, ['story-1']);
    // With c1 satisfied, the next delete runs at once.
    assert.equal(await (await b.post('/danger', { item: 'story-2' })).text(), 'deleted story-2');
  });

  it('nothing forged or malformed is resumed', async () => {
    const alex = browser();
    assert.equal((await alex.visit('/profile', user('alex'))).status, 200);
    assert.deepEqual(await (await alex.get('/danger/done?resume=not-an-id')).json(), { resumed: null });
    assert.deepEqual(await (await alex.get(`/danger/done?resume=${'A'.repeat(43)}`)).json(), { resumed: null });
    assert.deepEqual(await (await alex.get('/danger/done')).json(), { resumed: null });
  });

  it('GET /auth/sign-in?claims=<base64url>&returnTo=... forwards a well-formed claims request to /authorize; anything else is dropped', async () => {
    const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    const start = async (claims: string) => {
      const response = await entra.handle(new Request(`${APP_ORIGIN}/auth/sign-in?${new URLSearchParams({ returnTo: '/sessions?revoked=1', claims })}`));
      assert.equal(response?.status, 302);
      const location = new URL(response?.headers.get('location') ?? '');
      // MSAL adds its own members (the CP1 capability) to whatever is sent.
      return { origin: location.origin, acrs: (JSON.parse(location.searchParams.get('claims') ?? '{}') as { access_token?: { acrs?: unknown } }).access_token?.acrs };
    };
    const forwarded = await start(encode(authContextClaims('c1')));
    assert.equal(forwarded.origin, emulator.url);
    assert.deepEqual(forwarded.acrs, { essential: true, value: 'c1' });
    assert.equal((await start(encode('{"userinfo":{"acrs":{"essential":true,"value":"c1"}}}'))).acrs, undefined);
    assert.equal((await start('not base64url json')).acrs, undefined);
  });

  it('refuses misuse: no session is SIGNIN_REQUIRED; a challenge that is not a claims request or an oversized action is a TypeError', async () => {
    const anonymous = new Request(`${APP_ORIGIN}/`);
    await entra.handle(anonymous);
    await assert.rejects(entra.stepUp(anonymous, authContextClaims('c1'), { returnTo: '/' }), { name: 'EntrakitError', code: 'SIGNIN_REQUIRED' });
    const b = browser();
    assert.equal((await b.visit('/profile', user('adele'))).status, 200);
    const request = new Request(`${APP_ORIGIN}/`, { headers: { cookie: b.app.header() } });
    await entra.handle(request);
    await assert.rejects(entra.stepUp(request, 'not json', { returnTo: '/' }), { name: 'TypeError', message: /stepUp: "challenge"/ });
    await assert.rejects(entra.stepUp(request, authContextClaims('c1'), { returnTo: '/', action: 'x'.repeat(5000) }), { name: 'TypeError', message: /stepUp: "options.action"/ });
    // An off-site returnTo is not followed: the sign-in comes back to this app.
    const redirect = await entra.stepUp(request, authContextClaims('c1'), { returnTo: 'https://evil.example/x' });
    assert.equal(redirect.status, 302);
    assert.equal(new URL(redirect.headers.get('location') ?? '').origin, emulator.url);
  });
});
