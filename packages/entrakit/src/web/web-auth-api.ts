/**
 * createWebAuth's public object: what an app's handlers call with their request object (the
 * signed-in user, access tokens, Graph, step-up, the token cache for pages that explain it).
 */
import { EntrakitError } from '../core/errors.ts';
import { acquireUserToken } from './access-token.ts';
import { callApi } from './call-api.ts';
import { describeTokenCache } from './cached-tokens.ts';
import type { CachedTokens } from './cached-tokens.ts';
import type { LoadedSession } from './core.ts';
import type { WebAuthInternals } from './create-web-auth.ts';
import type { WebAuthEventName, WebAuthListener } from './events.ts';
import { groupsFromClaims, groupsFromGraph, rolesFromClaims } from './groups.ts';
import { httpsOrLoopbackUrl } from './settings.ts';
import { startSignIn } from './start-sign-in.ts';
import { resumeAction, stepUp } from './step-up-resume.ts';
import type { JsonValue } from '../store/json.ts';

/** What the app sees of the signed-in user (from the validated ID token). */
export interface SignedInUser {
  oid: string;
  tid: string;
  name: string | null;
  username: string | null;
  roles: string[];
  /** Authentication contexts satisfied at sign-in (`acrs`). */
  authContexts: string[];
  claims: Readonly<Record<string, unknown>>;
  /** The delegated scopes this sign-in asked for (the `scopes` setting, or signIn's `scopes`). */
  scopes: string[];
  /** What onSignIn returned. */
  app: unknown;
}

/** When the request's session began and when it ends unless used again, epoch ms; never its id. */
export interface SessionTimes {
  createdAt: number;
  /** This request: loading the session moved its idle deadline on. */
  lastSeenAt: number;
  /** The idle timeout counted from lastSeenAt, capped by the absolute timeout. */
  idleExpiresAt: number;
  absoluteExpiresAt: number;
}

/** The public object: one per app. */
export interface WebAuth {
  /** The loaded session's user for this request (Express req, Hono c, or a Request passed to load()). */
  user(key: object): SignedInUser | undefined;
  /**
   * Starts a sign-in from a route of the app: the redirect to the identity provider, back to
   * `returnTo` (same-origin path). `scopes` replaces the `scopes` setting for this sign-in, to
   * consent to an API up front (Entra takes one resource's scopes per request); `prompt` is
   * Entra's (`'login'`, `'select_account'`, `'consent'`).
   */
  signIn(key: object, options?: { returnTo?: string; scopes?: string[]; prompt?: 'login' | 'select_account' | 'consent' }): Promise<Response>;
  /** When this request's session began and ends (idle and absolute timeouts); undefined without a session. */
  session(key: object): SessionTimes | undefined;
  /** An access token for the signed-in user (single-flight refresh); SIGNIN_REQUIRED without a session. */
  getAccessToken(key: object, scopes: string[], options?: { claims?: string }): Promise<string>;
  /**
   * fetch with the user's token for `scopes`, following claims challenges (CAE, step-up) and
   * waiting out throttling (the `throttling` setting). `url` is https; plain http only to
   * localhost, 127.0.0.1 or [::1] (a local API in development).
   */
  fetch(key: object, url: string | URL, options: { scopes: string[] } & RequestInit): Promise<Response>;
  /** Microsoft Graph (from discovery's msgraph_host): `graph(req, '/me')`, User.Read by default. */
  graph(key: object, path: string, options?: { scopes?: string[] } & RequestInit): Promise<Response>;
  /** Group ids: from the ID token, or from Graph after a groups overage (resolved once per session). */
  groups(key: object): Promise<string[]>;
  /** The session's anti-forgery token, for the `csrf` field of POST forms (sign-out). */
  csrfToken(key: object): string;
  /**
   * For a request a claims challenge interrupted (e.g. a POST the API wants step-up for): keeps
   * `action` (small JSON) for this user, and answers the redirect through sign-in with the claims
   * of `challenge` (a STEP_UP_REQUIRED error or a claims request), back to `returnTo?resume=<id>`.
   */
  stepUp(key: object, challenge: unknown, options: { returnTo: string; action?: JsonValue }): Promise<Response>;
  /** The action stepUp kept under `id` (the `resume` query parameter), once, and only for the same user. */
  resumeAction(key: object, id: unknown): Promise<JsonValue | undefined>;
  /** What the user's token cache holds (scopes, issuer, expiry), never a token: for pages that explain tokens. */
  cachedTokens(key: object): Promise<CachedTokens>;
  /**
   * The session's ID token as the identity provider issued it (compact JWT), from the token cache,
   * without a network call; undefined when the cache has none. For pages that decode it or show
   * its validation; like any token it must never be logged.
   */
  cachedIdToken(key: object): Promise<string | undefined>;
  on<K extends WebAuthEventName>(type: K, listener: WebAuthListener<K>): () => void;
  close(): Promise<void>;
  /** For the adapters. */
  readonly internals: WebAuthInternals;
}

const SCOPE_LIST = (value: unknown): value is string[] => Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string' && /^[\x21-\x7e]{1,256}$/.test(s));

export function createWebAuthObject(internals: WebAuthInternals): WebAuth {
  const { core } = internals;
  const sessionOf = (key: object, fn: string): LoadedSession => {
    if (typeof key !== 'object' || key === null) throw new TypeError(`${fn}: "request" must be the framework's request object (Express req, Hono c, or a Request)`);
    const session = internals.state(key)?.session;
    if (!session) throw new EntrakitError('SIGNIN_REQUIRED', 'This request has no signed-in session');
    return session;
  };
  const tokenDeps = { msal: core.msal, refreshLock: core.stores.refreshLock, events: core.events };

  const api: WebAuth = {
    internals,
    user(key) {
      const session = internals.state(key)?.session;
      if (!session) return undefined;
      const { claims } = session.data;
      const text = (name: string): string | null => (typeof claims[name] === 'string' ? (claims[name] as string) : null);
      return { oid: session.data.oid, tid: session.data.tid, name: text('name'), username: text('preferred_username'), roles: rolesFromClaims(claims), authContexts: session.data.acrs, claims, scopes: session.data.scopes ?? [], app: session.data.app };
    },
    async signIn(key, options = {}) {
      if (typeof key !== 'object' || key === null) throw new TypeError('signIn: "request" must be the framework\'s request object (Express req, Hono c, or a Request)');
      const { returnTo, scopes, prompt } = options ?? {};
      if (returnTo !== undefined && typeof returnTo !== 'string') throw new TypeError('signIn: "returnTo" must be a path');
      if (scopes !== undefined && !SCOPE_LIST(scopes)) throw new TypeError('signIn: "scopes" must be a non-empty array of scopes');
      if (prompt !== undefined && !['login', 'select_account', 'consent'].includes(prompt)) throw new TypeError('signIn: "prompt" must be login, select_account or consent');
      return startSignIn(core, internals.state(key)?.cookie ?? null, { returnTo: returnTo ?? '/', ...(scopes ? { scopes } : {}), ...(prompt ? { prompt } : {}) });
    },
    session(key) {
      const session = internals.state(key)?.session;
      if (!session) return undefined;
      const { idleTimeoutMs, absoluteTimeoutMs } = core.settings;
      const absoluteExpiresAt = session.createdAt + absoluteTimeoutMs;
      return { createdAt: session.createdAt, lastSeenAt: session.lastSeenAt, idleExpiresAt: Math.min(session.lastSeenAt + idleTimeoutMs, absoluteExpiresAt), absoluteExpiresAt };
    },
    async getAccessToken(key, scopes, options = {}) {
      if (!SCOPE_LIST(scopes)) throw new TypeError('getAccessToken: "scopes" must be a non-empty array of scopes');
      const session = sessionOf(key, 'getAccessToken');
      return (await acquireUserToken(tokenDeps, session.data.homeAccountId, scopes, options.claims)).accessToken;
    },
    async fetch(key, url, options) {
      const { scopes, ...init } = options ?? ({} as { scopes: string[] });
      if (!SCOPE_LIST(scopes)) throw new TypeError('fetch: "options.scopes" must be a non-empty array of scopes');
      const href = url instanceof URL ? url.href : url;
      if (typeof href !== 'string' || !httpsOrLoopbackUrl(href)) throw new TypeError('fetch: "url" must be an https URL (http only to localhost, 127.0.0.1 or [::1])');
      return callApi(core, sessionOf(key, 'fetch'), href, scopes, init);
    },
    async graph(key, path, options = {}) {
      if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('graph: "path" must start with /');
      const { scopes = ['User.Read'], ...init } = options;
      return api.fetch(key, `${await core.provider.graphBaseUrl()}${path}`, { scopes, ...init });
    },
    async groups(key) {
      const session = sessionOf(key, 'groups');
      const found = groupsFromClaims(session.data.claims);
      if (found !== 'overage') return found;
      if (session.data.groups) return session.data.groups;
      const base = await core.provider.graphBaseUrl();
      const groups = await groupsFromGraph((url, init) => callApi(core, session, url, ['User.Read'], init), base);
      session.data.groups = groups;
      await core.stores.sessions.update(session.id, session.data);
      return groups;
    },
    csrfToken(key) {
      return sessionOf(key, 'csrfToken').data.csrf;
    },
    stepUp: async (key, challenge, options) => stepUp(core, sessionOf(key, 'stepUp'), internals.state(key)?.cookie ?? null, challenge, options),
    resumeAction: async (key, id) => resumeAction(core, sessionOf(key, 'resumeAction'), id),
    async cachedTokens(key) {
      const { homeAccountId } = sessionOf(key, 'cachedTokens').data;
      return describeTokenCache(await core.stores.tokenCache.get(homeAccountId), homeAccountId);
    },
    async cachedIdToken(key) {
      const { homeAccountId } = sessionOf(key, 'cachedIdToken').data;
      const { client } = await core.msal.forUserCacheOnly(homeAccountId);
      const account = await client.getTokenCache().getAccountByHomeId(homeAccountId);
      return account?.idToken || undefined;
    },
    on: (type, listener) => core.events.on(type, listener),
    close: () => core.stores.close(),
  };
  return api;
}
