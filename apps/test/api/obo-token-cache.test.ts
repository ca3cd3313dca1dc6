import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OBO_REFRESH_MARGIN_MS, OboTokenCache } from '../../api/obo/obo-token-cache.ts';

describe('OboTokenCache', () => {
  const HOUR = 3_600_000;

  it('keys on the assertion and the scopes, never on a token value', () => {
    const key = OboTokenCache.keyFor('assertion', ['b', 'a']);
    assert.equal(key, OboTokenCache.keyFor('assertion', ['a', 'b']));
    assert.notEqual(key, OboTokenCache.keyFor('assertion', ['a']));
    assert.notEqual(key, OboTokenCache.keyFor('assertion2', ['a', 'b']));
    assert.ok(!key.includes('assertion'));
  });

  it('reuses a token until the refresh margin before it expires', async () => {
    let now = 1_000_000;
    let calls = 0;
    const cache = new OboTokenCache(10, () => now);
    const acquire = async () => ({ accessToken: `t${++calls}`, expiresOnTimestamp: 1_000_000 + HOUR });
    assert.equal((await cache.getOrAcquire('k', acquire)).accessToken, 't1');
    now += HOUR - OBO_REFRESH_MARGIN_MS - 1;
    assert.equal((await cache.getOrAcquire('k', acquire)).accessToken, 't1');
    now += 1;
    assert.equal((await cache.getOrAcquire('k', acquire)).accessToken, 't2');
  });

  it('shares one acquisition between concurrent callers and does not cache failures', async () => {
    let calls = 0;
    const cache = new OboTokenCache(10, () => 0);
    // The acquisition stays pending until all three callers have asked (no timer involved).
    let release: () => void = () => undefined;
    const gate = new Promise<void>((done) => (release = done));
    const slow = async () => {
      calls += 1;
      await gate;
      return { accessToken: 'shared', expiresOnTimestamp: HOUR };
    };
    const pending = [cache.getOrAcquire('k', slow), cache.getOrAcquire('k', slow), cache.getOrAcquire('k', slow)];
    release();
    const results = await Promise.all(pending);
    assert.equal(calls, 1);
    assert.deepEqual(results.map((r) => r.accessToken), ['shared', 'shared', 'shared']);
    await assert.rejects(cache.getOrAcquire('bad', async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal((await cache.getOrAcquire('bad', async () => ({ accessToken: 'ok', expiresOnTimestamp: HOUR }))).accessToken, 'ok');
  });

  it('stays within maxEntries, evicting the least recently used', async () => {
    const cache = new OboTokenCache(2, () => 0);
    const token = (name: string) => async () => ({ accessToken: name, expiresOnTimestamp: HOUR });
    await cache.getOrAcquire('a', token('a'));
    await cache.getOrAcquire('b', token('b'));
    await cache.getOrAcquire('a', token('a2')); // touch a
    await cache.getOrAcquire('c', token('c')); // evicts b
    assert.equal(cache.size, 2);
    assert.equal((await cache.getOrAcquire('a', token('a3'))).accessToken, 'a');
    assert.equal((await cache.getOrAcquire('b', token('b2'))).accessToken, 'b2');
  });

  it('refuses a bad maxEntries', () => {
    assert.throws(() => new OboTokenCache(-1, Date.now), { name: 'TypeError', message: /"maxEntries"/ });
  });
});
