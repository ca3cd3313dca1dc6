import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openKeyValueStore } from '../../src/store/open-store.ts';

describe('openKeyValueStore', () => {
  test('memory: and sqlite:<path> open working stores', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'entrakit-open-'));
    try {
      for (const url of ['memory:', `sqlite:${join(dir, 'sub', 'kv.db')}`, 'sqlite::memory:']) {
        const store = openKeyValueStore(url);
        await store.set('k', url);
        assert.equal(await store.get('k'), url);
        await store.close();
      }
      assert.ok(existsSync(join(dir, 'sub', 'kv.db')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('unknown schemes and an empty sqlite path throw TypeError naming the value', () => {
    assert.throws(() => openKeyValueStore('postgres://db/x'), { name: 'TypeError', message: /"postgres:"/ });
    assert.throws(() => openKeyValueStore('nonsense'), { name: 'TypeError', message: /"nonsense"/ });
    assert.throws(() => openKeyValueStore('sqlite:'), { name: 'TypeError', message: /"sqlite:"/ });
  });
});
