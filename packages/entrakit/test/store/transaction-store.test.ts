import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createTransactionStore } from '../../src/store/transaction-store.ts';
import { manualClock } from './kv-contract.ts';

type SignIn = { state: string; nonce: string; codeVerifier: string; returnTo: string };
const txn: SignIn = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43), returnTo: '/profile' };

function setup() {
  const clock = manualClock();
  const kv = createMemoryStore({ clock });
  return { clock, kv, store: createTransactionStore<SignIn>(kv, { ttlMs: 10 * 60_000, prefix: 'txn:signin:' }) };
}

describe('transaction store', () => {
  test('put then take returns the value once', async () => {
    const { kv, store } = setup();
    await store.put('t1', txn);
    assert.deepEqual(await kv.keys('txn:signin:'), ['txn:signin:t1']);
    assert.deepEqual(await store.take('t1'), txn);
    assert.equal(await store.take('t1'), undefined);
    assert.equal(await store.take('never'), undefined);
  });

  test('concurrent takes: exactly one gets the transaction', async () => {
    const { store } = setup();
    await store.put('t1', txn);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.take('t1')));
    assert.deepEqual(results.filter((result) => result !== undefined), [txn]);
  });

  test('a transaction expires after ttlMs', async () => {
    const { clock, store } = setup();
    await store.put('t1', txn);
    clock.advance(10 * 60_000);
    assert.equal(await store.take('t1'), undefined);
  });

  test('a corrupt record reads as absent', async () => {
    const { kv, store } = setup();
    await kv.set('txn:signin:bad', '{not json');
    assert.equal(await store.take('bad'), undefined);
  });

  test('options are checked at creation', () => {
    const kv = createMemoryStore();
    assert.throws(() => createTransactionStore(kv, { ttlMs: 0, prefix: 'x:' }), { name: 'TypeError', message: /ttlMs/ });
    assert.throws(() => createTransactionStore(kv, { ttlMs: 1000, prefix: '' }), { name: 'TypeError', message: /prefix/ });
  });
});
