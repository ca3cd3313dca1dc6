import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { isEntrakitError } from '../../src/core/errors.ts';
import { openKeyValueStore } from '../../src/store/open-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import { deadUrl } from '../core/helpers/emulator-tokens.ts';
import { kvContract } from './kv-contract.ts';
import { redisInstalled, startTestRedis, type TestRedis } from './redis-server.ts';

if (!redisInstalled()) {
  test('redis store', { skip: 'redis-server not installed: apt-get install -y redis-server' }, () => {});
} else {
  let server: TestRedis;
  let dir: string;
  let storeNumber = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'entrakit-redis-'));
    server = await startTestRedis(dir);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // A fresh prefix per store keeps tests on the shared server apart.
  // Time travel on the server: every key's remaining TTL shrinks by `ms` (at or below zero it is
  // deleted, as Redis would have expired it), so the contract's expiries need no real waiting.
  const timeTravel = async (ms: number): Promise<void> => {
    const client = new Redis(server.url);
    try {
      for (const key of await client.keys('contract*')) {
        const left = await client.pttl(key);
        if (left < 0) continue;
        if (left <= ms) await client.del(key);
        else await client.pexpire(key, left - ms);
      }
    } finally {
      client.disconnect();
    }
  };
  kvContract('redis', async () => createRedisStore({ url: server.url, prefix: `contract${++storeNumber}:` }), { timeTravel });

  describe('redis store specifics', () => {
    test('keys are namespaced by prefix, TTL is set with PX, and a caller-owned client stays open', async () => {
      const client = new Redis(server.url);
      try {
        const a = createRedisStore({ client, prefix: 'app-a:' });
        const b = createRedisStore({ client, prefix: 'app-b:' });
        await a.set('k', 'from-a', 60_000);
        await b.set('k', 'from-b');
        assert.equal(await a.get('k'), 'from-a');
        assert.equal(await b.get('k'), 'from-b');
        assert.deepEqual(await a.keys(''), ['k']);
        assert.equal(await client.get('app-a:k'), 'from-a');
        const pttl = await client.pttl('app-a:k');
        assert.ok(pttl > 59_000 && pttl <= 60_000, `pttl ${pttl}`);
        assert.equal(await client.pttl('app-b:k'), -1);
        await a.close();
        await b.close();
        assert.equal(await client.ping(), 'PONG');
      } finally {
        await client.quit();
      }
    });

    test('keys() walks SCAN across many keys', async () => {
      const store = createRedisStore({ url: server.url, prefix: 'many:' });
      try {
        await Promise.all(Array.from({ length: 1200 }, (_, i) => store.set(`item:${String(i).padStart(4, '0')}`, 'v')));
        await store.set('other', 'v');
        const keys = await store.keys('item:');
        assert.equal(keys.length, 1200);
        assert.equal(keys[0], 'item:0000');
        assert.equal(keys[1199], 'item:1199');
      } finally {
        await store.close();
      }
    });

    test('openKeyValueStore opens a redis:// URL', async () => {
      const store = openKeyValueStore(server.url);
      try {
        await store.set('opened', 'yes', 60_000);
        assert.equal(await store.take('opened'), 'yes');
      } finally {
        await store.close();
      }
    });

    test('an unreachable server fails each call with STORE_UNAVAILABLE (503) instead of waiting', async () => {
      const store = openKeyValueStore((await deadUrl()).replace('http:', 'redis:'));
      try {
        const unavailable = (error: unknown): boolean => isEntrakitError(error, 'STORE_UNAVAILABLE') && (error as { status?: number }).status === 503;
        await assert.rejects(store.get('k'), unavailable);
        await assert.rejects(store.setIfAbsent('lock', 'me', 1000), unavailable);
      } finally {
        await store.close();
      }
    });

    test('options are checked at creation', () => {
      assert.throws(() => createRedisStore({ url: 'http://127.0.0.1:6379' }), { name: 'TypeError', message: /url/ });
      assert.throws(() => createRedisStore({ client: {} as Redis }), { name: 'TypeError', message: /client/ });
    });
  });
}
