/**
 * Opens a KeyValueStore from one configuration string, so apps and the CLI can take a single
 * setting: `memory:`, `sqlite:<path>` (or `sqlite::memory:`), `redis://…` / `rediss://…`.
 */
import { createMemoryStore } from './memory-store.ts';
import { createRedisStore } from './redis-store.ts';
import { createSqliteStore } from './sqlite-store.ts';
import type { KeyValueStore } from './types.ts';

export interface OpenKeyValueStoreOptions {
  /** Milliseconds since the epoch, for the memory and SQLite stores; defaults to Date.now. */
  clock?: () => number;
}

export function openKeyValueStore(url: string, options: OpenKeyValueStoreOptions = {}): KeyValueStore {
  if (typeof url !== 'string') throw new TypeError(`Unsupported store URL: ${String(url)}`);
  const clock = options.clock ?? Date.now;
  if (url === 'memory:') return createMemoryStore({ clock });
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path.length === 0) throw new TypeError(`Store URL "${url}" needs a path: sqlite:<path>`);
    return createSqliteStore({ path, clock });
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return createRedisStore({ url });
  // Name the scheme only: a redis-like URL with a typo may still carry a password.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url)?.[0];
  throw new TypeError(
    `Unsupported store URL ${scheme ? `scheme "${scheme}"` : `"${url}"`}: use memory:, sqlite:<path> or redis://host:port`,
  );
}
