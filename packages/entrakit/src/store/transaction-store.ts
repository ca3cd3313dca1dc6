/**
 * Short-lived single-use records (sign-in transactions: state, nonce, PKCE verifier). take() is
 * the key-value store's atomic get-and-delete, so a replayed callback finds nothing.
 */
import type { JsonValue } from './json.ts';
import { parseStoredJson } from './json.ts';
import type { KeyValueStore } from './types.ts';
import { checkKey, checkPositiveMs } from './validate.ts';

export interface TransactionStoreOptions {
  ttlMs: number;
  /** Key namespace in the key-value store, e.g. 'txn:signin:'. */
  prefix: string;
}

export interface TransactionStore<T extends JsonValue> {
  put(id: string, value: T): Promise<void>;
  /** The value once; undefined when unknown, expired or already taken. */
  take(id: string): Promise<T | undefined>;
}

export function createTransactionStore<T extends JsonValue>(
  kv: KeyValueStore,
  options: TransactionStoreOptions,
): TransactionStore<T> {
  const { ttlMs, prefix } = options;
  checkPositiveMs(ttlMs, 'ttlMs');
  if (typeof prefix !== 'string' || prefix.length === 0) throw new TypeError('prefix must be a non-empty string');

  return {
    async put(id, value) {
      checkKey(id, 'id');
      if (value === undefined) throw new TypeError('value must be JSON');
      await kv.set(prefix + id, JSON.stringify(value), ttlMs);
    },
    async take(id) {
      checkKey(id, 'id');
      const value = parseStoredJson(await kv.take(prefix + id));
      return value === undefined ? undefined : (value as T);
    },
  };
}
