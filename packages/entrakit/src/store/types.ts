/**
 * Storage seams. Every adapter (memory, SQLite via node:sqlite, Redis via ioredis) implements
 * KeyValueStore; the higher-level stores are built on it, so one contract suite covers them all.
 */
export interface KeyValueStore {
  /** Value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores value; ttlMs > 0 makes it expire. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Atomic get-and-delete: the basis of single-use records (login transactions, codes). */
  take(key: string): Promise<string | undefined>;
  /** Stores value only when the key is absent (or expired); true when it was stored. Atomic: of
   * concurrent callers exactly one wins. ttlMs > 0 makes it expire (locks must pass one). */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Deletes the key only while it still holds `value`; true when it did. Atomic, so a lock whose
   * TTL ran out and was taken by another holder is not released by the first. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Keys starting with prefix (for clean-up and admin views; not for hot paths). */
  keys(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}
