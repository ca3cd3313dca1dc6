import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import { kvContract, manualClock } from './kv-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'entrakit-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNumber = 0;
const freshPath = (): string => join(dir, `store-${++fileNumber}.db`);

kvContract('sqlite file', async (clock) => createSqliteStore({ path: freshPath(), clock }));
kvContract('sqlite :memory:', async (clock) => createSqliteStore({ path: ':memory:', clock }));

function rawRows(path: string, table = 'entrakit_kv'): Array<Record<string, unknown>> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(`SELECT key, value, expires_at FROM "${table}" ORDER BY key`).all();
  } finally {
    db.close();
  }
}

describe('sqlite store specifics', () => {
  test('data survives closing and reopening the file', async () => {
    const path = freshPath();
    const clock = manualClock();
    const first = createSqliteStore({ path, clock });
    await first.set('kept', 'value');
    await first.set('expiring', 'value', 1000);
    await first.close();

    const second = createSqliteStore({ path, clock });
    assert.equal(await second.get('kept'), 'value');
    assert.equal(await second.get('expiring'), 'value');
    clock.advance(1000);
    assert.equal(await second.get('expiring'), undefined);
    await second.close();
  });

  test('creates a missing parent directory and uses WAL', async () => {
    const path = join(dir, 'nested', 'deeper', 'kv.db');
    const store = createSqliteStore({ path });
    await store.set('k', 'v');
    const db = new DatabaseSync(path);
    try {
      assert.deepEqual({ ...db.prepare('PRAGMA journal_mode').get() }, { journal_mode: 'wal' });
    } finally {
      db.close();
    }
    await store.close();
  });

  test('secrets at rest are owner-only: a new folder 0700, the file and its -wal and -shm 0600', async () => {
    const folder = join(dir, 'owner-only', 'inner');
    const path = join(folder, 'kv.db');
    const store = createSqliteStore({ path });
    await store.set('k', 'v');
    try {
      assert.equal(statSync(folder).mode & 0o777, 0o700, 'folder');
      assert.equal(statSync(path).mode & 0o777, 0o600, 'file');
      for (const companion of [`${path}-wal`, `${path}-shm`]) assert.equal(statSync(companion).mode & 0o777, 0o600, companion);
    } finally {
      await store.close();
    }
  });

  test('two stores on one file see each other and take stays single-use across them', async () => {
    const path = freshPath();
    const a = createSqliteStore({ path });
    const b = createSqliteStore({ path });
    await a.set('shared', 'v');
    const results = await Promise.all([a.take('shared'), b.take('shared'), a.take('shared'), b.take('shared')]);
    assert.deepEqual(results.filter((result) => result !== undefined), ['v']);
    await a.close();
    await b.close();
  });

  test('expired rows are deleted when read, and by purgeExpired', async () => {
    const path = freshPath();
    const clock = manualClock();
    const store = createSqliteStore({ path, clock, table: 'custom_kv' });
    await store.set('read-later', 'v', 100);
    await store.set('never-read', 'v', 100);
    await store.set('kept', 'v');
    clock.advance(100);
    assert.equal(await store.get('read-later'), undefined);
    assert.deepEqual(rawRows(path, 'custom_kv').map((row) => row.key), ['kept', 'never-read']);
    assert.equal(store.purgeExpired(), 1);
    assert.deepEqual(rawRows(path, 'custom_kv').map((row) => row.key), ['kept']);
    await store.close();
  });

  test('the periodic timer purges expired rows', async (t) => {
    // Mocked timers: the interval fires when the test says so, not after real waiting.
    t.mock.timers.enable({ apis: ['setInterval'] });
    const path = freshPath();
    const clock = manualClock();
    const store = createSqliteStore({ path, clock, purgeIntervalMs: 1000 });
    await store.set('expiring', 'v', 100);
    await store.set('kept', 'v');
    clock.advance(100);
    t.mock.timers.tick(999);
    assert.equal(rawRows(path).length, 2, 'not before the interval');
    t.mock.timers.tick(1);
    assert.deepEqual(rawRows(path).map((row) => row.key), ['kept']);
    await store.close();
  });

  test('options are checked at creation', () => {
    assert.throws(() => createSqliteStore({ path: '' }), { name: 'TypeError', message: /path/ });
    assert.throws(() => createSqliteStore({ path: ':memory:', table: 'kv; DROP TABLE x' }), { name: 'TypeError', message: /table/ });
    assert.throws(() => createSqliteStore({ path: ':memory:', purgeIntervalMs: 0 }), { name: 'TypeError', message: /purgeIntervalMs/ });
  });
});
