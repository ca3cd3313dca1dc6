/**
 * Two instances of the web app sharing one real Redis (STORE_URL=redis://…), against the real
 * emulator in strict refresh-token mode with real MSAL: a user's requests may land on either
 * instance, concurrent renewals across both redeem the refresh token once, and a Redis outage
 * fails requests closed (503) until Redis returns.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { createBrowser, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { Browser, EmulatorWeb, WebInstance } from './helpers/emulator-web.ts';
import { redisInstalled, startTestRedis } from './helpers/redis-server.ts';
import type { TestRedis } from './helpers/redis-server.ts';

if (!redisInstalled()) {
  test('web app on Redis', { skip: 'redis-server not installed: apt-get install -y redis-server' }, () => {});
} else {
  let redisDir: string;
  let redis: TestRedis;
  let env: EmulatorWeb;
  let one: WebInstance;
  let two: WebInstance;

  before(async () => {
    redisDir = await mkdtemp(join(tmpdir(), 'entrakit-web-redis-'));
    redis = await startTestRedis(redisDir);
    env = await startEmulatorWeb();
    one = await env.startInstance({ storeUrl: redis.url });
    two = await env.startInstance({ storeUrl: redis.url });
  });

  after(async () => {
    await env.close();
    await redis.close();
    await rm(redisDir, { recursive: true, force: true });
  });

  /** Signs in starting on one instance and completing the callback on the other. */
  async function signInAcross(): Promise<Browser> {
    const browser = createBrowser(env, one);
    const start = await browser.get('/auth/sign-in?returnTo=%2Fprofile');
    assert.equal(start.status, 302);
    const callback = await browser.authorize(start.headers.get('location') ?? '', 'adele');
    browser.use(two);
    const done = await browser.get(callback);
    assert.equal(done.status, 302, await done.clone().text());
    assert.equal(done.headers.get('location'), '/profile');
    return browser;
  }

  async function assertProfile(response: Response): Promise<void> {
    const html = await response.text();
    assert.equal(response.status, 200, html.slice(0, 400));
    assert.ok(html.includes(env.user('adele').username));
  }

  describe('web app on Redis, two instances', () => {
    it('keeps sessions, transactions and the token cache in Redis, none in SQLite', async () => {
      assert.equal(one.config.storeUrl, redis.url);
      assert.equal(existsSync(join(env.dataDir, 'web', 'web.db')), false, 'no SQLite file');
      const browser = await signInAcross();
      assert.equal((await one.stores.kv.keys('ek:web:session:')).length, 1);
      assert.equal((await one.stores.kv.keys('ek:web:tokens:')).length, 1);
      await assertProfile(await browser.get('/profile'));
    });

    it('serves one user alternately from both instances without the user noticing', async () => {
      const browser = await signInAcross();
      for (const instance of [one, two, one, two]) {
        browser.use(instance);
        await assertProfile(await browser.get('/profile'));
      }
      browser.use(one);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await (await browser.get('/sign-out')).text())?.[1] ?? '';
      browser.use(two);
      const signedOut = await browser.post('/auth/sign-out/local', { csrf });
      assert.equal(signedOut.status, 303);
      browser.use(one);
      assert.equal((await browser.get('/profile')).status, 302, 'signed out on both');
    });

    it('concurrent renewals on both instances redeem the refresh token once; the family stays intact', async () => {
      // The sign-in (its code redeemed by instance two) gets tokens due for renewal, as if an hour had passed.
      two.issueDueTokens = true;
      const browser = await signInAcross();
      two.issueDueTokens = false;
      const onOne = browser;
      const onTwo = createBrowser(env, two);
      for (const [name, value] of browser.cookies) onTwo.cookies.set(name, value);
      onOne.use(one);
      const before = one.refreshRequests + two.refreshRequests;
      const responses = await Promise.all([onOne.get('/profile'), onTwo.get('/profile'), onOne.get('/profile'), onTwo.get('/profile'), onOne.get('/profile'), onTwo.get('/profile')]);
      for (const response of responses) await assertProfile(response);
      assert.equal(one.refreshRequests + two.refreshRequests - before, 1);
      assert.deepEqual(await env.revokedFamilies(), []);
      assert.deepEqual(await one.stores.kv.keys('ek:web:lock:'), [], 'the lock is released');
    });

    it('Redis unreachable: requests fail closed with 503, and recover when it returns', async () => {
      const browser = await signInAcross();
      await redis.stop();
      try {
        for (const instance of [one, two]) {
          browser.use(instance);
          const response = await browser.get('/profile');
          assert.equal(response.status, 503);
          assert.equal(response.headers.get('x-entrakit-error'), 'STORE_UNAVAILABLE');
          assert.equal(response.headers.getSetCookie().length, 0, 'the session cookie is left alone');
        }
        const signIn = await browser.get('/auth/sign-in?returnTo=%2Fprofile');
        assert.equal(signIn.status, 503, 'no sign-in can start without the store');
      } finally {
        await redis.start();
      }
      for (const instance of [one, two]) {
        browser.use(instance);
        await assertProfile(await browser.get('/profile'));
      }
    });
  });
}
