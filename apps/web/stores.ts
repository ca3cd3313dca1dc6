/**
 * Everything the web app persists, on one KeyValueStore (SQLite by default, so sessions and the
 * encrypted token cache survive a restart; Redis to share them between instances).
 */
import { randomBytes } from 'node:crypto';
import type { SignInTrace, TraceStep } from 'entrakit/internal';
import {
  createEncryptedTokenCacheStore,
  createKeyedLock,
  createSessionStore,
  createTransactionStore,
  createUserStore,
  openKeyValueStore,
} from 'entrakit/store';
import type { JsonObject, KeyedLock, KeyValueStore, SessionStore, TokenCacheStore, TransactionStore, UserStore } from 'entrakit/store';
import type { AppLogger } from '../shared/logger.ts';

/** What the app remembers of the validated ID token: decoded claims and the checks, never the token. */
export type IdTokenView = {
  header: JsonObject;
  claims: JsonObject;
  checks: Array<{ name: string; detail: string }>;
};

export type WebSessionData = {
  /** MSAL's account id (uid.utid from client_info): the user's token-cache partition. */
  homeAccountId: string;
  tid: string;
  oid: string;
  sid: string | null;
  name: string | null;
  username: string | null;
  /** Synchronizer token for the session's POST forms. */
  csrf: string;
  signedInAt: number;
  traceId: string;
  /** The sign-in's client-request-id, which files it in the identity provider's log. */
  correlationId: string;
  idToken: IdTokenView;
  signInCount: number;
  changedClaims: string[];
  /** Scopes requested at this sign-in (the story page uses it to avoid a consent loop). */
  scopes: string[];
};

export type SignInTransaction = {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  scopes: string[];
  createdAt: number;
  /** Redacted steps of the first leg (JSON of TraceStep[]), completed into the trace at the callback. */
  steps: string;
  /** A claims request (from a claims challenge) sent to /authorize and with the code redemption. */
  claims?: string;
};

/** Session references (SessionStore.reference), never session ids: an index must not hold cookies. */
export interface SidIndex {
  add(sid: string, sessionReference: string): Promise<void>;
  /** The session references signed in with this IdP session, forgotten as they are returned. */
  take(sid: string): Promise<string[]>;
}

/** Which sessions use a user's token cache (one entry per session), so the cache outlives none of them. */
export interface AccountSessions {
  add(homeAccountId: string, sessionReference: string): Promise<void>;
  remove(homeAccountId: string, sessionReference: string): Promise<void>;
  list(homeAccountId: string): Promise<string[]>;
}

/** The sign-in transactions one browser has open (one per tab signing in), oldest first. */
export interface BrowserTransactions {
  get(browserKey: string): Promise<Array<{ key: string; at: number }>>;
  set(browserKey: string, entries: Array<{ key: string; at: number }>): Promise<void>;
  delete(browserKey: string): Promise<void>;
}

export interface TraceStore {
  save(trace: SignInTrace): Promise<string>;
  get(id: string): Promise<SignInTrace | undefined>;
}

export interface WebStores {
  kv: KeyValueStore;
  sessions: SessionStore<WebSessionData>;
  transactions: TransactionStore<SignInTransaction>;
  browserTransactions: BrowserTransactions;
  tokenCache: TokenCacheStore;
  /** Held while one user's refresh token is redeemed, by this process and by every instance sharing the store. */
  refreshLock: KeyedLock;
  accountSessions: AccountSessions;
  users: UserStore;
  sidIndex: SidIndex;
  traces: TraceStore;
  close(): Promise<void>;
}

export interface WebStoreOptions {
  tokenCacheKey: Uint8Array;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  clock: () => number;
  /** Told (once per process) when token-cache entries cannot be decrypted, e.g. after TOKEN_CACHE_KEY changed. */
  logger?: AppLogger;
}

export const TRANSACTION_TTL_MS = 10 * 60_000;
const PREFIX = 'web:';

export function createWebStores(kv: KeyValueStore, options: WebStoreOptions): WebStores {
  const { clock, sessionAbsoluteMs } = options;
  const sessions = createSessionStore<WebSessionData>(kv, {
    idleTimeoutMs: options.sessionIdleMs,
    absoluteTimeoutMs: sessionAbsoluteMs,
    clock,
    prefix: `${PREFIX}session:`,
  });
  const transactions = createTransactionStore<SignInTransaction>(kv, { ttlMs: TRANSACTION_TTL_MS, prefix: `${PREFIX}txn:` });
  let discardLogged = false;
  const tokenCache = createEncryptedTokenCacheStore(kv, {
    key: options.tokenCacheKey,
    prefix: `${PREFIX}tokencache:`,
    ttlMs: sessionAbsoluteMs,
    // An entry this key cannot open (TOKEN_CACHE_KEY changed, or tampering) reads as absent:
    // the user signs in again instead of every page failing.
    onUndecryptable: 'absent',
    onDiscard({ reason, storedKeyId, keyId }) {
      if (discardLogged) return;
      discardLogged = true;
      options.logger?.warn(
        { event: 'token-cache.discarded', reason, storedKeyId, keyId },
        'token cache entries that cannot be decrypted are discarded (logged once): was TOKEN_CACHE_KEY changed? Users sign in again.',
      );
    },
  });
  const users = createUserStore(kv, { clock, prefix: `${PREFIX}user:` });
  const refreshLock = createKeyedLock(kv, { prefix: `${PREFIX}lock:refresh:`, clock });

  const accountPrefix = (homeAccountId: string): string => `${PREFIX}account-session:${encodeURIComponent(homeAccountId)}:`;
  // One key per session rather than a list: adds and removes never race with each other.
  const accountSessions: AccountSessions = {
    add: (homeAccountId, reference) => kv.set(accountPrefix(homeAccountId) + reference, '1', sessionAbsoluteMs),
    remove: (homeAccountId, reference) => kv.delete(accountPrefix(homeAccountId) + reference),
    async list(homeAccountId) {
      const prefix = accountPrefix(homeAccountId);
      return (await kv.keys(prefix)).map((key) => key.slice(prefix.length));
    },
  };

  const browserKey = (key: string): string => `${PREFIX}txn-browser:${key}`;
  const browserTransactions: BrowserTransactions = {
    async get(key) {
      const value = parseStoredList(await kv.get(browserKey(key)));
      return value.filter((item): item is { key: string; at: number } => typeof item?.key === 'string' && typeof item.at === 'number');
    },
    set: (key, entries) => kv.set(browserKey(key), JSON.stringify(entries), TRANSACTION_TTL_MS),
    delete: (key) => kv.delete(browserKey(key)),
  };

  const sidKey = (sid: string): string => `${PREFIX}sid:${encodeURIComponent(sid)}`;
  const sidIndex: SidIndex = {
    async add(sid, reference) {
      const current = parseList(await kv.get(sidKey(sid)));
      // Read-modify-write: a lost concurrent add leaves one session to its own timeouts; acceptable.
      await kv.set(sidKey(sid), JSON.stringify([...current.filter((item) => item !== reference), reference].slice(-50)), sessionAbsoluteMs);
    },
    async take(sid) {
      return parseList(await kv.take(sidKey(sid)));
    },
  };

  const traces: TraceStore = {
    async save(trace) {
      const id = randomBytes(16).toString('base64url');
      await kv.set(`${PREFIX}trace:${id}`, JSON.stringify(trace), sessionAbsoluteMs);
      return id;
    },
    async get(id) {
      if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return undefined;
      const text = await kv.get(`${PREFIX}trace:${id}`);
      if (text === undefined) return undefined;
      try {
        const value = JSON.parse(text) as { startedAt?: unknown; steps?: unknown };
        return typeof value.startedAt === 'number' && Array.isArray(value.steps)
          ? { startedAt: value.startedAt, steps: value.steps as TraceStep[] }
          : undefined;
      } catch {
        return undefined;
      }
    },
  };

  return { kv, sessions, transactions, browserTransactions, tokenCache, refreshLock, accountSessions, users, sidIndex, traces, close: () => kv.close() };
}

/** Opens the configured store (STORE_URL) and builds the app's stores on it. */
export function openWebStores(storeUrl: string, options: WebStoreOptions): WebStores {
  return createWebStores(openKeyValueStore(storeUrl, { clock: options.clock }), options);
}

function parseStoredList(text: string | undefined): Array<{ key?: unknown; at?: unknown } | null> {
  if (text === undefined) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as Array<{ key?: unknown; at?: unknown } | null>) : [];
  } catch {
    return [];
  }
}

function parseList(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}
