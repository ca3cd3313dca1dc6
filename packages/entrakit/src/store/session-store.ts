/**
 * Server-side sessions on any KeyValueStore. The store enforces the idle and absolute timeouts
 * itself with the injected clock; the key-value TTL only lets the backend forget dead sessions.
 * Records are stored under the SHA-256 of the session id (its "reference"), never the id itself:
 * whoever reads the store (a backup, a Redis replica) learns no cookie value that would work.
 */
import { randomBytes } from 'node:crypto';
import { EntrakitError } from '../core/errors.ts';
import { sha256Base64Url } from '../core/secrets.ts';
import type { JsonObject } from './json.ts';
import { isPlainObject, parseStoredJson } from './json.ts';
import type { KeyValueStore } from './types.ts';
import { checkClock, checkPositiveMs, checkPrefix } from './validate.ts';

export interface SessionRecord<T extends JsonObject = JsonObject> {
  data: T;
  /** When the session was created (ms); rotation keeps it, so rotating never extends the absolute timeout. */
  createdAt: number;
  /** Last time the session was read or written (ms); drives the idle timeout. */
  lastSeenAt: number;
}

export interface SessionStoreOptions {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** Key namespace in the key-value store; defaults to 'session:'. */
  prefix?: string;
}

export interface SessionStore<T extends JsonObject = JsonObject> {
  create(data: T): Promise<{ id: string; record: SessionRecord<T> }>;
  /** The live session (its idle expiry slid forward), or undefined when unknown or timed out. */
  get(id: string): Promise<SessionRecord<T> | undefined>;
  /** Replaces the data; undefined when the session is unknown or timed out. */
  update(id: string, data: T): Promise<SessionRecord<T> | undefined>;
  destroy(id: string): Promise<void>;
  /** Moves the session to a fresh id (at sign-in, against fixation); the old id stops working.
   * Throws EntrakitError SESSION_NOT_FOUND when the session is unknown or timed out. */
  rotate(id: string): Promise<string>;
  /** The session's reference: what the store keeps instead of the id. Safe to store in indexes
   * (a reference does not work as a session id); undefined for a value that is not a session id. */
  reference(id: string): string | undefined;
  /** The live session with this reference, without sliding its idle timeout. */
  getByReference(reference: string): Promise<SessionRecord<T> | undefined>;
  destroyByReference(reference: string): Promise<void>;
}

/** 256 random bits, base64url without padding. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** A SHA-256 digest, base64url without padding: the same shape, by design never a valid lookup id. */
const REFERENCE = SESSION_ID;

function referenceOf(id: unknown): string | undefined {
  return typeof id === 'string' && SESSION_ID.test(id) ? sha256Base64Url(`entrakit session\0${id}`) : undefined;
}

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function createSessionStore<T extends JsonObject = JsonObject>(
  kv: KeyValueStore,
  options: SessionStoreOptions,
): SessionStore<T> {
  const { idleTimeoutMs, absoluteTimeoutMs, prefix = 'session:' } = options;
  const clock = options.clock ?? Date.now;
  checkPositiveMs(idleTimeoutMs, 'idleTimeoutMs');
  checkPositiveMs(absoluteTimeoutMs, 'absoluteTimeoutMs');
  checkClock(clock);
  checkPrefix(prefix);

  function remainingMs(record: SessionRecord<T>, now: number): number {
    return Math.min(record.lastSeenAt + idleTimeoutMs, record.createdAt + absoluteTimeoutMs) - now;
  }

  function parse(text: string | undefined): SessionRecord<T> | undefined {
    const value = parseStoredJson(text);
    if (!isPlainObject(value) || !isPlainObject(value.data)) return undefined;
    if (typeof value.createdAt !== 'number' || typeof value.lastSeenAt !== 'number') return undefined;
    return { data: value.data as T, createdAt: value.createdAt, lastSeenAt: value.lastSeenAt };
  }

  async function save(id: string, record: SessionRecord<T>, now: number): Promise<void> {
    await kv.set(prefix + referenceOf(id), JSON.stringify(record), remainingMs(record, now));
  }

  /** The live record under a reference, or undefined (a timed-out record is deleted on the way). */
  async function loadByReference(reference: string, now: number): Promise<SessionRecord<T> | undefined> {
    const record = parse(await kv.get(prefix + reference));
    if (record === undefined) return undefined;
    if (remainingMs(record, now) <= 0) {
      await kv.delete(prefix + reference);
      return undefined;
    }
    return record;
  }

  async function load(id: string, now: number): Promise<SessionRecord<T> | undefined> {
    const reference = referenceOf(id);
    return reference === undefined ? undefined : loadByReference(reference, now);
  }

  return {
    async create(data) {
      if (!isPlainObject(data)) throw new TypeError('data must be a JSON object');
      const now = clock();
      const id = newSessionId();
      const record: SessionRecord<T> = { data, createdAt: now, lastSeenAt: now };
      await save(id, record, now);
      return { id, record };
    },
    async get(id) {
      const now = clock();
      const record = await load(id, now);
      if (record === undefined) return undefined;
      const touched = { ...record, lastSeenAt: now };
      await save(id, touched, now);
      return touched;
    },
    async update(id, data) {
      if (!isPlainObject(data)) throw new TypeError('data must be a JSON object');
      const now = clock();
      const record = await load(id, now);
      if (record === undefined) return undefined;
      const updated = { data, createdAt: record.createdAt, lastSeenAt: now };
      await save(id, updated, now);
      return updated;
    },
    async destroy(id) {
      const reference = referenceOf(id);
      if (reference !== undefined) await kv.delete(prefix + reference);
    },
    async rotate(id) {
      const now = clock();
      const reference = referenceOf(id);
      // take, not get: if two requests rotate the same session at once only one gets it.
      const record = reference === undefined ? undefined : parse(await kv.take(prefix + reference));
      if (record === undefined || remainingMs(record, now) <= 0) {
        throw new EntrakitError('SESSION_NOT_FOUND', 'The session does not exist or has timed out');
      }
      const newId = newSessionId();
      await save(newId, { ...record, lastSeenAt: now }, now);
      return newId;
    },
    reference: referenceOf,
    async getByReference(reference) {
      if (typeof reference !== 'string' || !REFERENCE.test(reference)) return undefined;
      return loadByReference(reference, clock());
    },
    async destroyByReference(reference) {
      if (typeof reference !== 'string' || !REFERENCE.test(reference)) return;
      await kv.delete(prefix + reference);
    },
  };
}
