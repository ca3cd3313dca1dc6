import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CACHE_LIFETIME_MS, VerifiedTokenCache } from '../../src/bearer/verified-token-cache.ts';
import { CACHE_INDEX_CHARS } from '../../src/bearer/verified-token-cache.ts';
import type { Principal } from '../../src/bearer/index.ts';

const principal: Principal = {
  kind: 'user', tenantId: 't', objectId: 'o', scopes: [], roles: [], authContexts: [], clientId: 'c', tokenVersion: '2.0',
};
const entry = { principal, claims: {} };

describe('VerifiedTokenCache', () => {
  it('matches only the exact token text: a token differing in one character is a miss', () => {
    const now = 1_000_000_000;
    const cache = new VerifiedTokenCache(10, () => now);
    cache.set('aaa.bbb.ccc', entry, now / 1000 + 60);
    assert.equal(cache.get('aaa.bbb.ccc'), entry);
    for (const other of ['aaa.bbb.ccd', 'aaa.bbc.ccc', 'aaa.bbb.cc', ' aaa.bbb.ccc']) assert.equal(cache.get(other), undefined, other);
  });

  it('compares the whole header: headers ending in the same characters never hit each other', () => {
    const now = 1_000_000_000;
    const cache = new VerifiedTokenCache(10, () => now);
    const tail = 'x'.repeat(CACHE_INDEX_CHARS);
    const other = { principal: { ...principal, objectId: 'someone-else' }, claims: {} };
    cache.set(`Bearer aaa.bbb.${tail}`, entry, now / 1000 + 60);
    assert.equal(cache.get(`Bearer aaa.bbc.${tail}`), undefined);
    assert.equal(cache.get(`bearer aaa.bbb.${tail}`), undefined);
    assert.equal(cache.get(`Bearer aaa.bbb.${tail}`), entry);
    // Both validated: they share a slot, the newer wins and the older is simply a miss again.
    cache.set(`bearer aaa.bbb.${tail}`, other, now / 1000 + 60);
    assert.equal(cache.size, 1);
    assert.equal(cache.get(`bearer aaa.bbb.${tail}`), other);
    assert.equal(cache.get(`Bearer aaa.bbb.${tail}`), undefined);
  });

  it('keeps an entry until min(exp, now + 5 min)', () => {
    let now = 1_000_000_000;
    const cache = new VerifiedTokenCache(10, () => now);
    cache.set('long', entry, now / 1000 + 3600);
    cache.set('short', entry, now / 1000 + 60);
    now += 60_000;
    assert.equal(cache.get('short'), undefined);
    assert.equal(cache.get('long'), entry);
    now += MAX_CACHE_LIFETIME_MS - 60_000;
    assert.equal(cache.get('long'), undefined);
    cache.set('expired', entry, now / 1000 - 1);
    assert.equal(cache.size, 0);
  });

  it('evicts the oldest entry beyond maxEntries, and 0 disables it', () => {
    const now = 1_000_000_000;
    const cache = new VerifiedTokenCache(2, () => now);
    cache.set('a', entry, now / 1000 + 60);
    cache.set('b', entry, now / 1000 + 60);
    cache.set('c', entry, now / 1000 + 60);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('b'), entry);
    assert.equal(cache.get('c'), entry);
    const off = new VerifiedTokenCache(0, () => now);
    off.set('a', entry, now / 1000 + 60);
    assert.equal(off.size, 0);
  });

  it('drops expired entries as new tokens arrive, so it holds the last minutes of tokens, not maxEntries', () => {
    let now = 1_000_000_000;
    const cache = new VerifiedTokenCache(10_000, () => now);
    // 1,000 distinct tokens, one a second, each cached for at most 5 minutes.
    for (let i = 0; i < 1000; i += 1) {
      cache.set(`Bearer token-${i}`, entry, now / 1000 + 3600);
      now += 1000;
    }
    // Only the tokens of the last 5 minutes remain (plus at most one the sweep has not reached).
    assert.ok(cache.size <= 301 && cache.size >= 299, String(cache.size));
    assert.equal(cache.get('Bearer token-999'), entry);
  });
});
