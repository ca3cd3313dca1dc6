import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { isEntrakitError } from '../../src/core/errors.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createEncryptedTokenCacheStore, toMsalCacheClient } from '../../src/store/token-cache-store.ts';

const SECRET = '{"RefreshToken":{"rt":{"secret":"0.AAAA-refresh-token-secret"}},"AccessToken":{}}';
const decryptFailed = (error: unknown): boolean => isEntrakitError(error, 'TOKEN_CACHE_DECRYPT_FAILED');

function setup() {
  const kv = createMemoryStore();
  const key = randomBytes(32);
  return { kv, key, cache: createEncryptedTokenCacheStore(kv, { key }) };
}

/** Flips one bit of the base64url field at index `field` of the stored value. */
function tamper(stored: string, field: number): string {
  const parts = stored.split('.');
  const bytes = Buffer.from(parts[field] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[field] = bytes.toString('base64url');
  return parts.join('.');
}

describe('encrypted token cache store', () => {
  test('round trip; absent partition is undefined; delete removes', async () => {
    const { cache } = setup();
    assert.equal(await cache.get('user-1'), undefined);
    await cache.set('user-1', SECRET);
    assert.equal(await cache.get('user-1'), SECRET);
    await cache.delete('user-1');
    assert.equal(await cache.get('user-1'), undefined);
  });

  test('values are not stored in plaintext, and each write uses a fresh IV', async () => {
    const { kv, cache } = setup();
    await cache.set('user-1', SECRET);
    const first = await kv.get('tokencache:user-1');
    await cache.set('user-1', SECRET);
    const second = await kv.get('tokencache:user-1');
    assert.ok(first !== undefined && second !== undefined);
    for (const stored of [first, second]) {
      assert.match(stored, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      assert.ok(!stored.includes('refresh-token-secret'));
      assert.ok(!Buffer.from(stored.split('.')[3] ?? '', 'base64url').toString('latin1').includes('RefreshToken'));
    }
    assert.notEqual(first.split('.')[2], second.split('.')[2]);
  });

  test('a tampered ciphertext, IV or header fails closed with TOKEN_CACHE_DECRYPT_FAILED', async () => {
    const { kv, cache } = setup();
    await cache.set('user-1', SECRET);
    const stored = (await kv.get('tokencache:user-1')) ?? '';
    for (const corrupted of [tamper(stored, 3), tamper(stored, 2), stored.replace(/^v1\./, 'v2.'), stored.slice(0, -4), 'garbage']) {
      await kv.set('tokencache:user-1', corrupted);
      await assert.rejects(cache.get('user-1'), decryptFailed);
    }
  });

  test('a ciphertext moved to another partition fails', async () => {
    const { kv, cache } = setup();
    await cache.set('victim', SECRET);
    await kv.set('tokencache:attacker', (await kv.get('tokencache:victim')) ?? '');
    await assert.rejects(cache.get('attacker'), decryptFailed);
  });

  test('another key cannot read the entries, even under the same key id', async () => {
    const { kv, cache } = setup();
    await cache.set('user-1', SECRET);
    await assert.rejects(createEncryptedTokenCacheStore(kv, { key: randomBytes(32) }).get('user-1'), decryptFailed);
    const writer = createEncryptedTokenCacheStore(kv, { key: randomBytes(32), keyId: 'k1' });
    const reader = createEncryptedTokenCacheStore(kv, { key: randomBytes(32), keyId: 'k1' });
    await writer.set('user-2', SECRET);
    await assert.rejects(reader.get('user-2'), decryptFailed);
  });

  test('toMsalCacheClient exposes exactly get and set; get gives "" when absent', async () => {
    const { cache } = setup();
    const client = toMsalCacheClient(cache);
    assert.deepEqual(Object.keys(client).sort(), ['get', 'set']);
    assert.equal(await client.get('home-account-id'), '');
    assert.equal(await client.set('home-account-id', SECRET), 'OK');
    assert.equal(await client.get('home-account-id'), SECRET);
    assert.equal(await cache.get('home-account-id'), SECRET);
  });

  test('options are checked at creation', () => {
    const kv = createMemoryStore();
    assert.throws(() => createEncryptedTokenCacheStore(kv, { key: randomBytes(16) }), { name: 'TypeError', message: /key/ });
    assert.throws(() => createEncryptedTokenCacheStore(kv, { key: 'x'.repeat(32) as unknown as Uint8Array }), {
      name: 'TypeError',
      message: /key/,
    });
    assert.throws(() => createEncryptedTokenCacheStore(kv, { key: randomBytes(32), keyId: 'has.dot' }), {
      name: 'TypeError',
      message: /keyId/,
    });
  });

  test("onUndecryptable 'absent': an entry under another key reads as absent, is dropped, and onDiscard hears of it without secrets", async () => {
    const kv = createMemoryStore();
    const oldKey = randomBytes(32);
    await createEncryptedTokenCacheStore(kv, { key: oldKey }).set('user-1', SECRET);
    const heard: unknown[] = [];
    const cache = createEncryptedTokenCacheStore(kv, { key: randomBytes(32), onUndecryptable: 'absent', onDiscard: (info) => heard.push(info) });
    assert.equal(await cache.get('user-1'), undefined);
    assert.equal(await kv.get('tokencache:user-1'), undefined, 'dropped');
    assert.equal(heard.length, 1);
    const info = heard[0] as { reason: string; storedKeyId: string; keyId: string };
    assert.match(info.reason, /another key/);
    assert.notEqual(info.storedKeyId, info.keyId);
    assert.ok(!JSON.stringify(info).includes('refresh-token-secret'));
    await cache.set('user-1', SECRET);
    assert.equal(await cache.get('user-1'), SECRET, 'a fresh entry works');
  });

  test("onUndecryptable 'absent' also covers tampering, and 'throw' stays the default", async () => {
    const { kv, key, cache } = setup();
    await cache.set('user-1', SECRET);
    const stored = (await kv.get('tokencache:user-1')) ?? '';
    await kv.set('tokencache:user-1', tamper(stored, 3));
    await assert.rejects(cache.get('user-1'), decryptFailed);
    const lenient = createEncryptedTokenCacheStore(kv, { key, onUndecryptable: 'absent' });
    assert.equal(await lenient.get('user-1'), undefined);
    assert.throws(() => createEncryptedTokenCacheStore(kv, { key, onUndecryptable: 'ignore' as 'absent' }), { name: 'TypeError', message: /onUndecryptable/ });
  });
});
