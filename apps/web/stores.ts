/**
 * What the web app itself persists, on the KeyValueStore it shares with entrakit/web (SQLite by
 * default, so records survive a restart; Redis to share them between instances). Sessions, sign-in
 * transactions and the encrypted token cache are the library's (keys under `ek:web:`); the app
 * keeps its user records and the sign-in traces of its learning pages (keys under `web:`).
 */
import { randomBytes } from 'node:crypto';
import type { SignInTrace, TraceStep } from '../shared/trace.ts';
import { createUserStore, openKeyValueStore } from 'entrakit/store';
import type { KeyValueStore, UserStore } from 'entrakit/store';

export interface TraceStore {
  save(trace: SignInTrace): Promise<string>;
  get(id: string): Promise<SignInTrace | undefined>;
}

export interface WebStores {
  kv: KeyValueStore;
  users: UserStore;
  traces: TraceStore;
  close(): Promise<void>;
}

export interface WebStoreOptions {
  /** How long a sign-in trace is kept (the session's absolute lifetime). */
  sessionAbsoluteMs: number;
  clock: () => number;
}

const PREFIX = 'web:';

export function createWebStores(kv: KeyValueStore, options: WebStoreOptions): WebStores {
  const { clock, sessionAbsoluteMs } = options;
  const users = createUserStore(kv, { clock, prefix: `${PREFIX}user:` });
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

  return { kv, users, traces, close: () => kv.close() };
}

/** Opens the configured store (STORE_URL) and builds the app's stores on it. */
export function openWebStores(storeUrl: string, options: WebStoreOptions): WebStores {
  return createWebStores(openKeyValueStore(storeUrl, { clock: options.clock }), options);
}
