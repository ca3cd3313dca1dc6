/**
 * The one behaviour every KeyValueStore adapter must have. Each adapter's test file calls
 * kvContract with a factory; the factory receives a manual clock, which adapters that keep
 * time themselves (Redis) ignore: those pass { timeTravel }, which moves their stored expiries
 * forward by the same amount, so no test waits in real time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isEntrakitError } from '../../src/core/errors.ts';
import type { KeyValueStore } from '../../src/store/types.ts';

export interface ManualClock {
  (): number;
  advance(ms: number): void;
}

export function manualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  const clock = (() => now) as ManualClock;
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

export type KvFactory = (clock: ManualClock) => Promise<KeyValueStore>;

export function kvContract(name: string, factory: KvFactory, options: { timeTravel?: (ms: number) => Promise<void> } = {}): void {
  const { timeTravel } = options;
  // Long enough that the real milliseconds a test takes never matter, whoever keeps the time.
  const TTL = 60_000;

  /** Runs body with a fresh store and a clock; always closes the store. */
  async function withStore(body: (store: KeyValueStore, elapse: (ms: number) => Promise<void>) => Promise<void>): Promise<void> {
    const clock = manualClock();
    const store = await factory(clock);
    const elapse = async (ms: number): Promise<void> => {
      clock.advance(ms);
      if (timeTravel) await timeTravel(ms);
    };
    try {
      await body(store, elapse);
    } finally {
      await store.close();
    }
  }

  describe(`KeyValueStore contract: ${name}`, () => {
    test('get of a missing key is undefined', () =>
      withStore(async (store) => {
        assert.equal(await store.get('missing'), undefined);
      }));

    test('set then get returns the value; set again overwrites it', () =>
      withStore(async (store) => {
        await store.set('k', 'v1');
        assert.equal(await store.get('k'), 'v1');
        await store.set('k', 'v2');
        assert.equal(await store.get('k'), 'v2');
      }));

    test('values round-trip exactly (empty, unicode, large)', () =>
      withStore(async (store) => {
        const large = 'x'.repeat(200_000);
        const unicode = 'ünïcödé ✓ 𝄞 "quoted" \n\0 nul';
        await store.set('empty', '');
        await store.set('unicode', unicode);
        await store.set('large', large);
        assert.equal(await store.get('empty'), '');
        assert.equal(await store.get('unicode'), unicode);
        assert.equal(await store.get('large'), large);
      }));

    test('delete removes the key; deleting a missing key is a no-op', () =>
      withStore(async (store) => {
        await store.set('k', 'v');
        await store.delete('k');
        assert.equal(await store.get('k'), undefined);
        await store.delete('never-set');
      }));

    test('a value with ttlMs expires; one without ttlMs does not', () =>
      withStore(async (store, elapse) => {
        await store.set('short', 'v', TTL);
        await store.set('forever', 'v');
        await store.set('zero', 'v', 0);
        assert.equal(await store.get('short'), 'v');
        await elapse(TTL * 2);
        assert.equal(await store.get('short'), undefined);
        assert.equal(await store.get('forever'), 'v');
        assert.equal(await store.get('zero'), 'v');
      }));

    // Exact to the millisecond only with the injected clock (a server's own clock keeps running).
    if (!timeTravel) {
      test('expiry is exact: alive 1 ms before ttlMs, gone at ttlMs', () =>
        withStore(async (store, elapse) => {
          await store.set('k', 'v', 1000);
          await elapse(999);
          assert.equal(await store.get('k'), 'v');
          await elapse(1);
          assert.equal(await store.get('k'), undefined);
        }));
    }

    test('set without ttlMs clears an earlier ttl; set with ttlMs restarts it', () =>
      withStore(async (store, elapse) => {
        await store.set('cleared', 'v1', TTL);
        await store.set('cleared', 'v2');
        await store.set('restarted', 'v1', TTL);
        await elapse(TTL / 2);
        await store.set('restarted', 'v2', TTL * 3);
        await elapse(TTL * 2);
        assert.equal(await store.get('cleared'), 'v2');
        assert.equal(await store.get('restarted'), 'v2');
      }));

    test('take returns the value once and removes it', () =>
      withStore(async (store) => {
        await store.set('k', 'v');
        assert.equal(await store.take('k'), 'v');
        assert.equal(await store.take('k'), undefined);
        assert.equal(await store.get('k'), undefined);
        assert.equal(await store.take('never-set'), undefined);
      }));

    test('take of an expired value is undefined', () =>
      withStore(async (store, elapse) => {
        await store.set('k', 'v', TTL);
        await elapse(TTL * 2);
        assert.equal(await store.take('k'), undefined);
      }));

    test('20 concurrent takes of one key: exactly one gets the value', () =>
      withStore(async (store) => {
        for (let round = 0; round < 5; round++) {
          await store.set('once', `value-${round}`);
          const results = await Promise.all(Array.from({ length: 20 }, () => store.take('once')));
          assert.deepEqual(
            results.filter((result) => result !== undefined),
            [`value-${round}`],
          );
        }
      }));

    test('setIfAbsent stores only when absent; an expired value counts as absent', () =>
      withStore(async (store, elapse) => {
        assert.equal(await store.setIfAbsent('lock', 'first', TTL), true);
        assert.equal(await store.setIfAbsent('lock', 'second', TTL), false);
        assert.equal(await store.get('lock'), 'first');
        await elapse(TTL * 2);
        assert.equal(await store.get('lock'), undefined);
        assert.equal(await store.setIfAbsent('lock', 'third', TTL), true);
        assert.equal(await store.get('lock'), 'third');
        await store.set('plain', 'v');
        assert.equal(await store.setIfAbsent('plain', 'other'), false);
        assert.equal(await store.get('plain'), 'v');
        assert.equal(await store.setIfAbsent('forever', 'v'), true);
        await elapse(TTL * 2);
        assert.equal(await store.get('forever'), 'v');
      }));

    test('20 concurrent setIfAbsent of one key: exactly one wins', () =>
      withStore(async (store) => {
        for (let round = 0; round < 5; round++) {
          const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent(`race-${round}`, `holder-${i}`, 60_000)));
          const winners = results.flatMap((won, i) => (won ? [i] : []));
          assert.equal(winners.length, 1);
          assert.equal(await store.get(`race-${round}`), `holder-${winners[0]}`);
        }
      }));

    test('deleteIfEquals deletes only the value it names, and never an expired one', () =>
      withStore(async (store, elapse) => {
        await store.set('lock', 'mine', TTL);
        assert.equal(await store.deleteIfEquals('lock', 'theirs'), false);
        assert.equal(await store.get('lock'), 'mine');
        assert.equal(await store.deleteIfEquals('lock', 'mine'), true);
        assert.equal(await store.get('lock'), undefined);
        assert.equal(await store.deleteIfEquals('lock', 'mine'), false);
        await store.set('stale', 'mine', TTL);
        await elapse(TTL * 2);
        assert.equal(await store.deleteIfEquals('stale', 'mine'), false);
        assert.equal(await store.setIfAbsent('stale', 'next', TTL * 10), true);
        assert.equal(await store.deleteIfEquals('stale', 'mine'), false);
        assert.equal(await store.get('stale'), 'next');
      }));

    test('keys(prefix) lists live keys with that prefix only', () =>
      withStore(async (store, elapse) => {
        await store.set('user:a', '1');
        await store.set('user:b', '2');
        await store.set('user:expiring', '3', TTL);
        await store.set('users', '4');
        await store.set('session:a', '5');
        assert.deepEqual((await store.keys('user:')).sort(), ['user:a', 'user:b', 'user:expiring']);
        await elapse(TTL * 2);
        assert.deepEqual((await store.keys('user:')).sort(), ['user:a', 'user:b']);
        assert.deepEqual((await store.keys('')).sort(), ['session:a', 'user:a', 'user:b', 'users']);
        assert.deepEqual(await store.keys('nothing:'), []);
      }));

    test('keys(prefix) treats pattern characters in the prefix literally', () =>
      withStore(async (store) => {
        for (const key of ['a*1', 'a?2', 'a[3]', 'a%4', 'a_5', 'a\\6', 'ab', 'A*7']) await store.set(key, 'v');
        assert.deepEqual(await store.keys('a*'), ['a*1']);
        assert.deepEqual(await store.keys('a?'), ['a?2']);
        assert.deepEqual(await store.keys('a['), ['a[3]']);
        assert.deepEqual(await store.keys('a%'), ['a%4']);
        assert.deepEqual(await store.keys('a_'), ['a_5']);
        assert.deepEqual(await store.keys('a\\'), ['a\\6']);
      }));

    test('misuse throws TypeError naming the argument', () =>
      withStore(async (store) => {
        await assert.rejects(store.set('k', 'v', -1), { name: 'TypeError', message: /ttlMs/ });
        await assert.rejects(store.set('k', 'v', Number.NaN), { name: 'TypeError', message: /ttlMs/ });
        await assert.rejects(store.set('', 'v'), { name: 'TypeError', message: /key/ });
        await assert.rejects(store.set('k', 42 as unknown as string), { name: 'TypeError', message: /value/ });
        await assert.rejects(store.get(undefined as unknown as string), { name: 'TypeError', message: /key/ });
        await assert.rejects(store.setIfAbsent('k', 'v', -1), { name: 'TypeError', message: /ttlMs/ });
        await assert.rejects(store.setIfAbsent('', 'v'), { name: 'TypeError', message: /key/ });
        await assert.rejects(store.deleteIfEquals('k', 42 as unknown as string), { name: 'TypeError', message: /value/ });
        assert.equal(await store.get('k'), undefined);
      }));

    test('after close every operation rejects with STORE_CLOSED; close is idempotent', async () => {
      const store = await factory(manualClock());
      await store.close();
      await store.close();
      const isClosed = (error: unknown): boolean => isEntrakitError(error, 'STORE_CLOSED');
      await assert.rejects(store.get('k'), isClosed);
      await assert.rejects(store.set('k', 'v'), isClosed);
      await assert.rejects(store.delete('k'), isClosed);
      await assert.rejects(store.take('k'), isClosed);
      await assert.rejects(store.keys(''), isClosed);
      await assert.rejects(store.setIfAbsent('k', 'v', 1000), isClosed);
      await assert.rejects(store.deleteIfEquals('k', 'v'), isClosed);
    });
  });
}
