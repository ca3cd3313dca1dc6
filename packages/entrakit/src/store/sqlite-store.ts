/**
 * KeyValueStore on node:sqlite, the embedded default. One table (key, value, expires_at); WAL so
 * readers never block the writer; a busy timeout so several processes can share one file.
 * Expired rows are hidden from every read, deleted when met, and swept on an unref'd timer.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { KeyValueStore } from './types.ts';
import { checkClock, checkKey, checkPositiveMs, checkPrefix, checkValue, normalizeTtl, storeClosedError } from './validate.ts';

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. A missing parent directory is created. */
  path: string;
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** Table name (letters, digits, underscore); defaults to 'entrakit_kv'. */
  table?: string;
  /** How often expired rows are swept; defaults to 60 s. */
  purgeIntervalMs?: number;
  /** How long a write waits for another connection's lock; defaults to 5 s. */
  busyTimeoutMs?: number;
}

export interface SqliteKeyValueStore extends KeyValueStore {
  /** Deletes expired rows now; returns how many. The timer calls this too. */
  purgeExpired(): number;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** GLOB is case-sensitive (unlike LIKE); its wildcards are escaped by bracketing them. */
function globPrefix(prefix: string): string {
  return prefix.replace(/[*?[]/g, (char) => `[${char}]`) + '*';
}

export function createSqliteStore(options: SqliteStoreOptions): SqliteKeyValueStore {
  const { path, table = 'entrakit_kv', purgeIntervalMs = 60_000, busyTimeoutMs = 5_000 } = options;
  const clock = options.clock ?? Date.now;
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new TypeError('table must be a SQL identifier (letters, digits, underscore)');
  }
  checkClock(clock);
  checkPositiveMs(purgeIntervalMs, 'purgeIntervalMs');
  checkPositiveMs(busyTimeoutMs, 'busyTimeoutMs');

  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Create the file owner-only before SQLite does (its -wal and -shm files copy this mode).
    closeSync(openSync(path, 'a', 0o600));
  }
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA busy_timeout = ${Math.ceil(busyTimeoutMs)}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    expires_at INTEGER
  ) WITHOUT ROWID`);
  db.exec(`CREATE INDEX IF NOT EXISTS "${table}_expires_at" ON "${table}" (expires_at) WHERE expires_at IS NOT NULL`);

  const live = '(expires_at IS NULL OR expires_at > ?)';
  const selectOne = db.prepare(`SELECT value, expires_at FROM "${table}" WHERE key = ?`);
  const deleteIfExpired = db.prepare(`DELETE FROM "${table}" WHERE key = ? AND expires_at <= ?`);
  const upsert = db.prepare(
    `INSERT INTO "${table}" (key, value, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
  );
  const deleteOne = db.prepare(`DELETE FROM "${table}" WHERE key = ?`);
  // An expired row counts as absent: the upsert replaces it only then, in one statement.
  const insertIfAbsent = db.prepare(
    `INSERT INTO "${table}" (key, value, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
     WHERE "${table}".expires_at IS NOT NULL AND "${table}".expires_at <= ?`,
  );
  const deleteIfValue = db.prepare(`DELETE FROM "${table}" WHERE key = ? AND value = ? AND ${live}`);
  // One statement, so two takers (threads or processes) can never both receive the row.
  const takeOne = db.prepare(`DELETE FROM "${table}" WHERE key = ? RETURNING value, expires_at`);
  const selectKeys = db.prepare(`SELECT key FROM "${table}" WHERE key GLOB ? AND ${live} ORDER BY key`);
  const purge = db.prepare(`DELETE FROM "${table}" WHERE expires_at <= ?`);

  let closed = false;
  const timer = setInterval(() => {
    if (!closed) purgeExpired();
  }, purgeIntervalMs);
  timer.unref();

  function assertOpen(): void {
    if (closed) throw storeClosedError();
  }

  function isLive(row: Record<string, unknown> | undefined, now: number): row is { value: string; expires_at: number | null } {
    if (row === undefined || typeof row.value !== 'string') return false;
    return row.expires_at === null || (typeof row.expires_at === 'number' && row.expires_at > now);
  }

  function purgeExpired(): number {
    assertOpen();
    return Number(purge.run(clock()).changes);
  }

  return {
    purgeExpired,
    async get(key) {
      assertOpen();
      checkKey(key);
      const now = clock();
      const row = selectOne.get(key);
      if (isLive(row, now)) return row.value;
      if (row !== undefined) deleteIfExpired.run(key, now);
      return undefined;
    },
    async set(key, value, ttlMs) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      const ttl = normalizeTtl(ttlMs);
      upsert.run(key, value, ttl === undefined ? null : clock() + ttl);
    },
    async delete(key) {
      assertOpen();
      checkKey(key);
      deleteOne.run(key);
    },
    async setIfAbsent(key, value, ttlMs) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      const ttl = normalizeTtl(ttlMs);
      const now = clock();
      return Number(insertIfAbsent.run(key, value, ttl === undefined ? null : now + ttl, now).changes) === 1;
    },
    async deleteIfEquals(key, value) {
      assertOpen();
      checkKey(key);
      checkValue(value);
      return Number(deleteIfValue.run(key, value, clock()).changes) === 1;
    },
    async take(key) {
      assertOpen();
      checkKey(key);
      const row = takeOne.get(key);
      return isLive(row, clock()) ? row.value : undefined;
    },
    async keys(prefix) {
      assertOpen();
      checkPrefix(prefix);
      return selectKeys.all(globPrefix(prefix), clock()).map((row) => String(row.key));
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      db.close();
    },
  };
}
