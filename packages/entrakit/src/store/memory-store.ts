/**
 * In-process KeyValueStore: a Map with expiry times. For tests and single-process development;
 * the clock is injectable so TTL behaviour can be tested without waiting.
 */
import type { KeyValueStore } from './types.ts';
import { checkClock, checkKey, checkPrefix, checkValue, normalizeTtl, storeClosedError } from './validate.ts';

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
}

interface Entry {
  value: string;
  /** Absent means the entry never expires. */
  expiresAt?: number;
}

/** Expired entries that are never read again would otherwise stay forever; sweep now and then. */
const SWEEP_EVERY_WRITES = 1000;

export function createMemoryStore(options: MemoryStoreOptions = {}): KeyValueStore {
  const clock = options.clock ?? Date.now;
  checkClock(clock);
  const entries = new Map<string, Entry>();
  let writesSinceSweep = 0;
  let closed = false;

  function assertOpen(): void {
    if (closed) throw storeClosedError();
  }

  function isLive(entry: Entry, now: number): boolean {
    return entry.expiresAt === undefined || entry.expiresAt > now;
  }

  function sweep(now: number): void {
    for (const [key, entry] of entries) if (!isLive(entry, now)) entries.delete(key);
  }

  function read(key: string): string | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (isLive(entry, clock())) return entry.value;
    entries.delete(key);
    return undefined;
  }

  /** Every write counts towards the periodic sweep of expired entries. */
  function write(key: string, value: string, ttl: number | undefined): void {
    const now = clock();
    entries.set(key, ttl === undefined ? { value } : { value, expiresAt: now + ttl });
    if (++writesSinceSweep >= SWEEP_EVERY_WRITES) {
      writesSinceSweep = 0;
      sweep(now);
    }
  }

  return {
    async get(key) {
      assertOpen();
      checkKey(key);
      return read(key);
    },
    async set(key, value, ttlMs) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      write(key, value, normalizeTtl(ttlMs));
    },
    async delete(key) {
      assertOpen();
      checkKey(key);
      entries.delete(key);
    },
    async setIfAbsent(key, value, ttlMs) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      const ttl = normalizeTtl(ttlMs);
      // Check and write in one synchronous step: concurrent callers cannot both see "absent".
      if (read(key) !== undefined) return false;
      write(key, value, ttl);
      return true;
    },
    async deleteIfEquals(key, value) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      if (read(key) !== value) return false;
      entries.delete(key);
      return true;
    },
    async take(key) {
      assertOpen();
      checkKey(key);
      // Read and delete happen in one synchronous step, so concurrent takes cannot both win.
      const value = read(key);
      entries.delete(key);
      return value;
    },
    async keys(prefix) {
      assertOpen();
      checkPrefix(prefix);
      const now = clock();
      sweep(now);
      return [...entries.keys()].filter((key) => key.startsWith(prefix)).sort();
    },
    async close() {
      closed = true;
      entries.clear();
    },
  };
}
