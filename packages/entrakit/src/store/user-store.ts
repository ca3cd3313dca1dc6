/**
 * Local user records keyed by (tid, oid): the only stable, unique identity of an Entra user
 * across apps. Names and emails are kept for display and change detection, never for identity.
 */
import { EntrakitError } from '../core/errors.ts';
import { isPlainObject, parseStoredJson } from './json.ts';
import type { KeyValueStore } from './types.ts';
import { checkClock, checkPrefix } from './validate.ts';

export interface UserRecord {
  tid: string;
  oid: string;
  name: string | null;
  /** The preferred_username claim. */
  username: string | null;
  email: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  signInCount: number;
  /** Profile fields that changed at the latest sign-in. */
  lastChangedClaims: ProfileField[];
}

export type ProfileField = 'name' | 'username' | 'email';

export interface UserStoreOptions {
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** Key namespace in the key-value store; defaults to 'user:'. */
  prefix?: string;
}

export interface UserStore {
  get(tid: string, oid: string): Promise<UserRecord | undefined>;
  /** Records a sign-in from validated ID token claims. */
  upsertFromClaims(claims: Readonly<Record<string, unknown>>): Promise<{ user: UserRecord; created: boolean; changedClaims: ProfileField[] }>;
  list(): Promise<UserRecord[]>;
}

const PROFILE_FIELDS: readonly ProfileField[] = ['name', 'username', 'email'];

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function parseUser(text: string | undefined): UserRecord | undefined {
  const value = parseStoredJson(text);
  if (!isPlainObject(value) || typeof value.tid !== 'string' || typeof value.oid !== 'string') return undefined;
  return value as unknown as UserRecord;
}

export function createUserStore(kv: KeyValueStore, options: UserStoreOptions = {}): UserStore {
  const { prefix = 'user:' } = options;
  const clock = options.clock ?? Date.now;
  checkClock(clock);
  checkPrefix(prefix);

  // Encoded so that ':' inside an id cannot make two different (tid, oid) pairs share a key.
  const keyOf = (tid: string, oid: string): string => `${prefix}${encodeURIComponent(tid)}:${encodeURIComponent(oid)}`;

  return {
    async get(tid, oid) {
      if (typeof tid !== 'string' || typeof oid !== 'string' || !tid || !oid) return undefined;
      return parseUser(await kv.get(keyOf(tid, oid)));
    },
    async upsertFromClaims(claims) {
      const { tid, oid } = claims;
      if (typeof tid !== 'string' || tid.length === 0 || typeof oid !== 'string' || oid.length === 0) {
        throw new EntrakitError('USER_CLAIMS_INCOMPLETE', 'The token has no tid or oid claim, so the user cannot be identified');
      }
      const profile = {
        name: optionalString(claims.name),
        username: optionalString(claims.preferred_username),
        email: optionalString(claims.email),
      };
      const now = clock();
      const key = keyOf(tid, oid);
      // Read-modify-write: two simultaneous sign-ins of one user may count once; nothing depends on it.
      const existing = parseUser(await kv.get(key));
      const changedClaims = existing ? PROFILE_FIELDS.filter((field) => existing[field] !== profile[field]) : [];
      const user: UserRecord = {
        tid,
        oid,
        ...profile,
        firstSeenAt: existing?.firstSeenAt ?? now,
        lastSeenAt: now,
        signInCount: (existing?.signInCount ?? 0) + 1,
        lastChangedClaims: changedClaims,
      };
      await kv.set(key, JSON.stringify(user));
      return { user, created: existing === undefined, changedClaims };
    },
    async list() {
      const users: UserRecord[] = [];
      for (const key of await kv.keys(prefix)) {
        const user = parseUser(await kv.get(key));
        if (user) users.push(user);
      }
      return users;
    },
  };
}
