/**
 * Everything the web app persists, on one KeyValueStore (SQLite by default, so sessions and the
 * encrypted token cache survive a restart; Redis to share them between instances).
 */
import { randomBytes } from 'node:crypto';
import type { SignInTrace, TraceStep } from 'entrakit';
import {
  createEncryptedTokenCacheStore,
  createSessionStore,
  createTransactionStore,
  createUserStore,
  openKeyValueStore,
} from 'entrakit/store';
import type { JsonObject, KeyValueStore, SessionStore, TokenCacheStore, TransactionStore, UserStore } from 'entrakit/store';

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
};

export interface SidIndex {
  add(sid: string, sessionId: string): Promise<void>;
  /** The session ids signed in with this IdP session, forgotten as they are returned. */
  take(sid: string): Promise<string[]>;
}

export interface TraceStore {
  save(trace: SignInTrace): Promise<string>;
  get(id: string): Promise<SignInTrace | undefined>;
}

export interface WebStores {
  kv: KeyValueStore;
  sessions: SessionStore<WebSessionData>;
  transactions: TransactionStore<SignInTransaction>;
  tokenCache: TokenCacheStore;
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
}

const TRANSACTION_TTL_MS = 10 * 60_000;
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
  const tokenCache = createEncryptedTokenCacheStore(kv, { key: options.tokenCacheKey, prefix: `${PREFIX}tokencache:`, ttlMs: sessionAbsoluteMs });
  const users = createUserStore(kv, { clock, prefix: `${PREFIX}user:` });

  const sidKey = (sid: string): string => `${PREFIX}sid:${encodeURIComponent(sid)}`;
  const sidIndex: SidIndex = {
    async add(sid, sessionId) {
      const current = parseList(await kv.get(sidKey(sid)));
      // Read-modify-write: a lost concurrent add leaves one session to its own timeouts; acceptable.
      await kv.set(sidKey(sid), JSON.stringify([...current.filter((id) => id !== sessionId), sessionId].slice(-50)), sessionAbsoluteMs);
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

  return { kv, sessions, transactions, tokenCache, users, sidIndex, traces, close: () => kv.close() };
}

/** Opens the configured store (STORE_URL) and builds the app's stores on it. */
export function openWebStores(storeUrl: string, options: WebStoreOptions): WebStores {
  return createWebStores(openKeyValueStore(storeUrl, { clock: options.clock }), options);
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
