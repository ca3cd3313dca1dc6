/**
 * KeyValueStore on Redis (ioredis), for several app instances sharing sessions and caches.
 * Every key is namespaced by `prefix`; TTLs use PX; take is GETDEL (atomic in Redis >= 6.2);
 * keys() walks SCAN so it never blocks the server the way KEYS does; setIfAbsent is SET NX and
 * deleteIfEquals a one-line Lua script, both atomic on the server.
 *
 * Unreachable Redis fails closed and fast: a URL-opened client gives up a command after one
 * reconnection attempt (or 2 s without an answer) and the store throws STORE_UNAVAILABLE (503);
 * the client keeps reconnecting in the background, so the app recovers when Redis returns.
 */
import { createRequire } from 'node:module';
import { EntrakitError, isEntrakitError } from '../core/errors.ts';
import type { KeyValueStore } from './types.ts';
import { checkKey, checkPrefix, checkValue, normalizeTtl, storeClosedError } from './validate.ts';

/**
 * The part of an ioredis client the store uses. Declared here so the library's types do not need
 * ioredis, an optional peer dependency that only Redis users install.
 */
export interface RedisClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, mode: 'PX', ttlMs: number): Promise<unknown>;
  set(key: string, value: string, nx: 'NX'): Promise<'OK' | null>;
  set(key: string, value: string, mode: 'PX', ttlMs: number, nx: 'NX'): Promise<'OK' | null>;
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
  getdel(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
  scan(cursor: string | number, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[cursor: string, keys: string[]]>;
  quit(): Promise<unknown>;
  /** Drops the connection at once (used when quit cannot reach the server). */
  disconnect?(): void;
}

export type RedisStoreOptions =
  | { url: string; client?: undefined; prefix?: string }
  /** A caller-provided client stays the caller's: close() does not quit it. */
  | { client: RedisClient; url?: undefined; prefix?: string };

/** The client options that make an outage fail fast instead of queueing requests forever. */
const FAIL_FAST_OPTIONS = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  commandTimeout: 2_000,
  retryStrategy: (times: number): number => Math.min(times * 100, 1_000),
};

type IoRedisConstructor = new (url: string, options: typeof FAIL_FAST_OPTIONS) => RedisClient & { on(event: 'error', listener: (error: unknown) => void): unknown };

/** ioredis, loaded only when a store is opened from a URL. */
function newRedisClient(url: string): RedisClient {
  let Redis: IoRedisConstructor;
  try {
    ({ Redis } = createRequire(import.meta.url)('ioredis') as { Redis: IoRedisConstructor });
  } catch (error) {
    throw new Error('a redis:// store needs the ioredis package: npm install ioredis', { cause: error });
  }
  const client = new Redis(url, FAIL_FAST_OPTIONS);
  // Connection errors reach callers as STORE_UNAVAILABLE; without a listener ioredis would also
  // print each reconnection failure (with the URL, which may hold a password) to the console.
  client.on('error', () => undefined);
  return client;
}

/** Deletes KEYS[1] only while it holds ARGV[1]. */
const DELETE_IF_EQUALS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

function unavailable(cause: unknown): EntrakitError {
  return new EntrakitError('STORE_UNAVAILABLE', 'The shared store (Redis) did not answer', { cause });
}

/** Redis MATCH patterns treat * ? [ ] and \ specially; a backslash makes each literal. */
function matchPrefix(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, (char) => `\\${char}`) + '*';
}

function clientFrom(options: RedisStoreOptions): { client: RedisClient; owned: boolean } {
  if (options.client !== undefined) {
    // Duck-typed rather than instanceof, so a client from another copy of ioredis still works.
    if (typeof (options.client as Partial<RedisClient> | null)?.getdel !== 'function') {
      throw new TypeError('client must be an ioredis Redis instance');
    }
    return { client: options.client, owned: false };
  }
  const { url } = options;
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
    throw new TypeError('url must be a redis:// or rediss:// URL');
  }
  return { client: newRedisClient(url), owned: true };
}

export function createRedisStore(options: RedisStoreOptions): KeyValueStore {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const prefix = options.prefix ?? 'entrakit:';
  checkPrefix(prefix);
  const { client, owned } = clientFrom(options);
  let closed = false;

  function assertOpen(): void {
    if (closed) throw storeClosedError();
  }

  /** Runs one Redis call; a connection or timeout failure becomes STORE_UNAVAILABLE. */
  async function call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw isEntrakitError(error) ? error : unavailable(error);
    }
  }

  return {
    async get(key) {
      assertOpen();
      checkKey(key);
      return (await call(() => client.get(prefix + key))) ?? undefined;
    },
    async set(key, value, ttlMs) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      const ttl = normalizeTtl(ttlMs);
      // A plain SET also clears any earlier TTL, matching the other adapters.
      if (ttl === undefined) await call(() => client.set(prefix + key, value));
      else await call(() => client.set(prefix + key, value, 'PX', ttl));
    },
    async delete(key) {
      assertOpen();
      checkKey(key);
      await call(() => client.del(prefix + key));
    },
    async setIfAbsent(key, value, ttlMs) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      const ttl = normalizeTtl(ttlMs);
      const reply = await call(() => (ttl === undefined ? client.set(prefix + key, value, 'NX') : client.set(prefix + key, value, 'PX', ttl, 'NX')));
      return reply === 'OK';
    },
    async deleteIfEquals(key, value) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      return (await call(() => client.eval(DELETE_IF_EQUALS, 1, prefix + key, value))) === 1;
    },
    async take(key) {
      assertOpen();
      checkKey(key);
      return (await call(() => client.getdel(prefix + key))) ?? undefined;
    },
    async keys(keyPrefix) {
      assertOpen();
      checkPrefix(keyPrefix);
      const pattern = matchPrefix(prefix + keyPrefix);
      // SCAN may return a key more than once; the Set removes repeats.
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await call(() => client.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
        for (const key of batch) found.add(key.slice(prefix.length));
        cursor = next;
      } while (cursor !== '0');
      return [...found].sort();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!owned) return;
      try {
        await client.quit();
      } catch {
        // Redis is unreachable: there is nothing to say goodbye to; stop reconnecting.
        client.disconnect?.();
      }
    },
  };
}
