/**
 * KeyValueStore on Redis (ioredis), for several app instances sharing sessions and caches.
 * Every key is namespaced by `prefix`; TTLs use PX; take is GETDEL (atomic in Redis >= 6.2);
 * keys() walks SCAN so it never blocks the server the way KEYS does.
 */
import { createRequire } from 'node:module';
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
  getdel(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
  scan(cursor: string | number, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[cursor: string, keys: string[]]>;
  quit(): Promise<unknown>;
}

export type RedisStoreOptions =
  | { url: string; client?: undefined; prefix?: string }
  /** A caller-provided client stays the caller's: close() does not quit it. */
  | { client: RedisClient; url?: undefined; prefix?: string };

/** ioredis, loaded only when a store is opened from a URL. */
function newRedisClient(url: string): RedisClient {
  let Redis: new (url: string) => RedisClient;
  try {
    ({ Redis } = createRequire(import.meta.url)('ioredis') as { Redis: new (url: string) => RedisClient });
  } catch (error) {
    throw new Error('a redis:// store needs the ioredis package: npm install ioredis', { cause: error });
  }
  return new Redis(url);
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

  return {
    async get(key) {
      assertOpen();
      checkKey(key);
      return (await client.get(prefix + key)) ?? undefined;
    },
    async set(key, value, ttlMs) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      const ttl = normalizeTtl(ttlMs);
      // A plain SET also clears any earlier TTL, matching the other adapters.
      if (ttl === undefined) await client.set(prefix + key, value);
      else await client.set(prefix + key, value, 'PX', ttl);
    },
    async delete(key) {
      assertOpen();
      checkKey(key);
      await client.del(prefix + key);
    },
    async take(key) {
      assertOpen();
      checkKey(key);
      return (await client.getdel(prefix + key)) ?? undefined;
    },
    async keys(keyPrefix) {
      assertOpen();
      checkPrefix(keyPrefix);
      const pattern = matchPrefix(prefix + keyPrefix);
      // SCAN may return a key more than once; the Set removes repeats.
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        for (const key of batch) found.add(key.slice(prefix.length));
        cursor = next;
      } while (cursor !== '0');
      return [...found].sort();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await client.quit();
    },
  };
}
