import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isEntrakitError } from '../../src/core/errors.ts';
import { createKeyedLock } from '../../src/store/keyed-lock.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { KeyValueStore } from '../../src/store/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'entrakit-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Work that records how many runs of it overlap. */
function overlapProbe() {
  let running = 0;
  let most = 0;
  return {
    most: () => most,
    async work(): Promise<number> {
      running += 1;
      most = Math.max(most, running);
      await new Promise((done) => setImmediate(done));
      await new Promise((done) => setTimeout(done, 5));
      running -= 1;
      return most;
    },
  };
}

describe('keyed lock', () => {
  test('callers of one key in one process run one at a time; other keys do not wait', async () => {
    const lock = createKeyedLock(createMemoryStore());
    const probe = overlapProbe();
    const other = overlapProbe();
    await Promise.all([
      ...Array.from({ length: 8 }, () => lock.run('alice', () => probe.work())),
      ...Array.from({ length: 2 }, () => lock.run('bob', () => other.work())),
    ]);
    assert.equal(probe.most(), 1);
  });

  test('two processes sharing one store (two SQLite connections to one file) run one at a time', async () => {
    const path = join(dir, 'shared.db');
    const first = createSqliteStore({ path });
    const second = createSqliteStore({ path });
    try {
      const probe = overlapProbe();
      const a = createKeyedLock(first, { retryMs: 2 });
      const b = createKeyedLock(second, { retryMs: 2 });
      await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).run('alice', () => probe.work())));
      assert.equal(probe.most(), 1);
      assert.deepEqual(await first.keys('lock:'), [], 'released');
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('the lock is released when the work throws, and the error reaches the caller', async () => {
    const kv = createMemoryStore();
    const lock = createKeyedLock(kv);
    await assert.rejects(lock.run('alice', async () => Promise.reject(new Error('boom'))), { message: 'boom' });
    assert.deepEqual(await kv.keys('lock:'), []);
    assert.equal(await lock.run('alice', async () => 'next'), 'next');
  });

  test('a holder that never releases blocks others for at most the TTL; waiting past waitMs fails with STORE_LOCK_TIMEOUT', async () => {
    const kv: KeyValueStore = createMemoryStore();
    // Another process took the lock and died.
    await kv.setIfAbsent(`lock:${encodeURIComponent('alice')}`, 'crashed-holder', 50);
    const lock = createKeyedLock(kv, { ttlMs: 50, waitMs: 1_000, retryMs: 5 });
    assert.equal(await lock.run('alice', async () => 'ran after the TTL'), 'ran after the TTL');
    await kv.setIfAbsent(`lock:${encodeURIComponent('alice')}`, 'slow-holder', 60_000);
    const impatient = createKeyedLock(kv, { ttlMs: 60_000, waitMs: 30, retryMs: 5 });
    await assert.rejects(impatient.run('alice', async () => 'never'), (error) => isEntrakitError(error, 'STORE_LOCK_TIMEOUT') && error.status === 503);
    assert.equal(await kv.get(`lock:${encodeURIComponent('alice')}`), 'slow-holder', 'the other holder keeps its lock');
  });

  test('options are checked', () => {
    const kv = createMemoryStore();
    assert.throws(() => createKeyedLock(kv, { ttlMs: 0 }), { name: 'TypeError', message: /ttlMs/ });
    assert.throws(() => createKeyedLock(kv, { retryMs: -1 }), { name: 'TypeError', message: /retryMs/ });
  });
});
