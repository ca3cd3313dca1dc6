import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { isEntrakitError } from '../../src/core/errors.ts';
import { openKeyValueStore } from '../../src/store/open-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import { kvContract } from './kv-contract.ts';

const REDIS_SERVER = '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
  });
}

async function startRedis(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await ping(port)) return { url: `redis://127.0.0.1:${port}`, process: child };
    await sleep(50);
  }
  child.kill();
  throw new Error('redis-server did not answer PING within 5 s');
}

if (!existsSync(REDIS_SERVER)) {
  test('redis store', { skip: 'redis-server not installed: apt-get install -y redis-server' }, () => {});
} else {
  let server: { url: string; process: ChildProcess };
  let storeNumber = 0;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    const exited = new Promise((resolve) => server.process.once('exit', resolve));
    server.process.kill('SIGTERM');
    await exited;
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
      const store = openKeyValueStore(`redis://127.0.0.1:${await freePort()}`);
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
