/**
 * A lock per key, for work that must not run twice at once (redeeming one user's refresh token:
 * with rotation, a second concurrent redemption reuses a spent token). Two layers:
 * - in-process: callers for one key queue on a promise chain, so one process never asks the
 *   shared store more than once per key at a time;
 * - across processes: a KeyValueStore entry set with setIfAbsent and a TTL (so a crashed holder
 *   cannot block anyone for longer than the TTL), released with deleteIfEquals (so a holder whose
 *   TTL ran out never releases the next holder's lock).
 * Waiters poll the store; the work runs only while both layers are held.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EntrakitError } from '../core/errors.ts';
import type { KeyValueStore } from './types.ts';
import { checkClock, checkKey, checkPositiveMs, checkPrefix } from './validate.ts';

export interface KeyedLockOptions {
  /** Key namespace in the key-value store; defaults to 'lock:'. */
  prefix?: string;
  /** How long a held lock lives if its holder never releases it; defaults to 30 s. */
  ttlMs?: number;
  /** How long a caller waits for the lock before STORE_LOCK_TIMEOUT; defaults to ttlMs + 5 s. */
  waitMs?: number;
  /** Pause between attempts while another process holds the lock; defaults to 25 ms. */
  retryMs?: number;
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
}

export interface KeyedLock {
  /** Runs `work` while holding the lock for `key`; the lock is released however `work` ends. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function createKeyedLock(kv: KeyValueStore, options: KeyedLockOptions = {}): KeyedLock {
  const { prefix = 'lock:', ttlMs = 30_000, retryMs = 25 } = options;
  const waitMs = options.waitMs ?? ttlMs + 5_000;
  const clock = options.clock ?? Date.now;
  checkPrefix(prefix);
  checkPositiveMs(ttlMs, 'ttlMs');
  checkPositiveMs(waitMs, 'waitMs');
  checkPositiveMs(retryMs, 'retryMs');
  checkClock(clock);
  /** The tail of each key's in-process queue; removed when its last caller is done. */
  const tails = new Map<string, Promise<void>>();

  async function acquireShared(storeKey: string, holder: string): Promise<void> {
    const deadline = clock() + waitMs;
    while (!(await kv.setIfAbsent(storeKey, holder, ttlMs))) {
      if (clock() >= deadline) {
        throw new EntrakitError('STORE_LOCK_TIMEOUT', 'Another process held the lock for longer than this request may wait');
      }
      // Jitter keeps several waiting processes from retrying in step.
      await sleep(retryMs + Math.floor(Math.random() * retryMs));
    }
  }

  return {
    async run(key, work) {
      checkKey(key);
      if (typeof work !== 'function') throw new TypeError('work must be a function');
      const previous = tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((done) => {
        release = done;
      });
      const tail = previous.then(() => mine);
      tails.set(key, tail);
      try {
        await previous;
        const storeKey = prefix + encodeURIComponent(key);
        const holder = randomBytes(16).toString('base64url');
        await acquireShared(storeKey, holder);
        try {
          return await work();
        } finally {
          // If the store is unreachable now, the entry expires with its TTL; the work's own
          // outcome (result or error) is what the caller must see.
          await kv.deleteIfEquals(storeKey, holder).catch(() => false);
        }
      } finally {
        release();
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
