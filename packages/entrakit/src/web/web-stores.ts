/**
 * Everything createWebAuth keeps, on one KeyValueStore from entrakit/store (memory, SQLite or
 * Redis): sessions (stored under the hash of their id), single-use sign-in transactions, the
 * encrypted token cache, the per-user refresh lock, and two indexes kept as one key per entry
 * (never a list read and written back, so concurrent writers cannot lose each other's entries).
 */
import type { JsonObject } from '../store/json.ts';
import { createKeyedLock } from '../store/keyed-lock.ts';
import type { KeyedLock } from '../store/keyed-lock.ts';
import { openKeyValueStore } from '../store/open-store.ts';
import { createSessionStore } from '../store/session-store.ts';
import type { SessionStore } from '../store/session-store.ts';
import { createEncryptedTokenCacheStore } from '../store/token-cache-store.ts';
import type { TokenCacheStore } from '../store/token-cache-store.ts';
import { createTransactionStore } from '../store/transaction-store.ts';
import type { KeyValueStore } from '../store/types.ts';
import { keyedHash } from './random.ts';
import type { SignInTransaction } from './sign-in-transaction.ts';
import { TRANSACTION_TTL_MS } from './sign-in-transaction.ts';

export type SessionData = {
  /** MSAL's account id (uid.utid): the user's token-cache partition. */
  homeAccountId: string;
  tid: string;
  oid: string;
  /** The identity provider's session id (front-channel logout finds sessions by it). */
  sid: string | null;
  /** Synchronizer token for the session's POST forms. */
  csrf: string;
  signedInAt: number;
  /** The validated ID token's claims (never the token itself). */
  claims: JsonObject;
  /** What onSignIn returned. */
  app: JsonObject | null;
  /** Authentication contexts this sign-in satisfied (`acrs`), for requireAuthContext. */
  acrs: string[];
  /** Group ids resolved through Graph after a groups overage (null until asked for). */
  groups: string[] | null;
  /** The delegated scopes this sign-in asked for (absent in sessions stored before it was kept). */
  scopes?: string[];
};

/** Keys of a set kept as one store key per member, so adds and removes never race. */
export interface KeySet {
  add(owner: string, member: string): Promise<void>;
  remove(owner: string, member: string): Promise<void>;
  list(owner: string): Promise<string[]>;
}

export interface WebStores {
  kv: KeyValueStore;
  sessions: SessionStore<SessionData>;
  transactions: ReturnType<typeof createTransactionStore<SignInTransaction>>;
  tokenCache: TokenCacheStore;
  refreshLock: KeyedLock;
  /** homeAccountId -> session references using that token cache. */
  accountSessions: KeySet;
  /** IdP sid -> session references (front-channel logout). */
  sidSessions: KeySet;
  close(): Promise<void>;
}

const PREFIX = 'ek:web:';

export function createWebStores(options: {
  store: KeyValueStore | string;
  secret: Uint8Array;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  clock: () => number;
  onTokenCacheDiscard?: (info: { reason: string; storedKeyId: string | undefined; keyId: string }) => void;
}): WebStores {
  const { secret, clock, absoluteTimeoutMs } = options;
  const ownStore = typeof options.store === 'string';
  const kv = typeof options.store === 'string' ? openKeyValueStore(options.store, { clock }) : options.store;
  const sessions = createSessionStore<SessionData>(kv, { idleTimeoutMs: options.idleTimeoutMs, absoluteTimeoutMs, clock, prefix: `${PREFIX}session:` });
  const transactions = createTransactionStore<SignInTransaction>(kv, { ttlMs: TRANSACTION_TTL_MS, prefix: `${PREFIX}txn:` });
  const tokenCache = createEncryptedTokenCacheStore(kv, {
    key: Buffer.from(keyedHash(secret, 'token cache key'), 'base64url'),
    prefix: `${PREFIX}tokens:`,
    ttlMs: absoluteTimeoutMs,
    // An entry this key cannot open (the secret changed, or tampering) reads as absent: the user
    // signs in again instead of every page failing.
    onUndecryptable: 'absent',
    ...(options.onTokenCacheDiscard ? { onDiscard: options.onTokenCacheDiscard } : {}),
  });
  const refreshLock = createKeyedLock(kv, { prefix: `${PREFIX}lock:`, clock });

  const keySet = (name: string): KeySet => {
    const prefixOf = (owner: string): string => `${PREFIX}${name}:${keyedHash(secret, name, owner)}:`;
    return {
      add: (owner, member) => kv.set(prefixOf(owner) + member, '1', absoluteTimeoutMs),
      remove: (owner, member) => kv.delete(prefixOf(owner) + member),
      async list(owner) {
        const prefix = prefixOf(owner);
        return (await kv.keys(prefix)).map((key) => key.slice(prefix.length));
      },
    };
  };

  return {
    kv,
    sessions,
    transactions,
    tokenCache,
    refreshLock,
    accountSessions: keySet('account-sessions'),
    sidSessions: keySet('sid-sessions'),
    // A store the app passed in is the app's to close.
    close: async () => (ownStore ? kv.close() : undefined),
  };
}
