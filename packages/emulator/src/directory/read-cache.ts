import type { DatabaseSync } from 'node:sqlite';

const MAX_ENTRIES = 10_000;
/** Changes made by another process (a second emulator, a CLI) show up within this time. */
const FOREIGN_CHANGE_CHECK_MS = 1_000;

/** Parsed values are shared between requests, so they are frozen: a caller must copy to change one. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Read-through cache for directory lookups the token endpoint repeats on every request. The owner
 * clears it on each of its own writes; writes by other connections are noticed through SQLite's
 * `data_version`, checked at most once a second.
 */
export function createReadCache(db: DatabaseSync) {
  const dataVersion = db.prepare('PRAGMA data_version');
  const entries = new Map<string, unknown>();
  let seenVersion = -1;
  let checkedAt = -Infinity;

  return {
    get<T>(key: string, load: () => T): T {
      const now = performance.now();
      if (now - checkedAt >= FOREIGN_CHANGE_CHECK_MS || entries.size >= MAX_ENTRIES) {
        checkedAt = now;
        const version = Number((dataVersion.get() as Record<string, number>)['data_version']);
        if (version !== seenVersion || entries.size >= MAX_ENTRIES) {
          entries.clear();
          seenVersion = version;
        }
      }
      if (entries.has(key)) return entries.get(key) as T;
      const value = deepFreeze(load());
      entries.set(key, value);
      return value;
    },
    clear(): void {
      entries.clear();
    },
  };
}

export type ReadCache = ReturnType<typeof createReadCache>;
