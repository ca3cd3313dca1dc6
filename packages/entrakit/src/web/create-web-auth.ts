/**
 * createWebAuth: sign-in for a Node web app in one call. It owns the auth routes (sign-in, the
 * callback, sign-out, sign-out everywhere, front-channel logout), the sessions, the encrypted token
 * cache and access tokens for APIs; the adapters (express(), hono()) only carry requests to it.
 * The core speaks Web Request/Response; per-request state (the loaded session) is kept in a
 * WeakMap under whatever object the framework hands the app (Express `req`, Hono `c`, a Request).
 */
import { Buffer } from 'node:buffer';
import { EntrakitError, isEntrakitError } from '../core/errors.ts';
import { acquireUserToken } from './access-token.ts';
import { callApi } from './call-api.ts';
import { describeTokenCache } from './cached-tokens.ts';
import type { CachedTokens } from './cached-tokens.ts';
import { authContextClaims, validClaimsRequest } from './claims-request.ts';
import { completeSignIn, failedSignInCorrelationId } from './complete-sign-in.ts';
import { cookiePolicy, parseCookies } from './cookies.ts';
import type { LoadedSession, WebCore } from './core.ts';
import { errorPage } from './error-page.ts';
import { createEventHub } from './events.ts';
import type { WebAuthEventName, WebAuthListener } from './events.ts';
import { createFetchNetworkClient } from './fetch-network-client.ts';
import { observedFetch } from './observed-fetch.ts';
import { frontchannelLogout } from './frontchannel-logout.ts';
import { groupsFromClaims, groupsFromGraph, rolesFromClaims } from './groups.ts';
import { createIdentityProvider } from './identity-provider.ts';
import { createMsalClients } from './msal-clients.ts';
import { TOKEN_SHAPE } from './random.ts';
import { resolveSettings } from './settings.ts';
import type { WebAuthOptions } from './settings.ts';
import { createSignInTransactions } from './sign-in-transaction.ts';
import { signOut, signOutEverywhere } from './sign-out.ts';
import { startSignIn } from './start-sign-in.ts';
import { resumeAction, stepUp } from './step-up-resume.ts';
import type { JsonValue } from '../store/json.ts';
import { createWebStores } from './web-stores.ts';

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

/** Per request: what the adapters found, before the app's handlers run. */
export interface RequestState {
  method: string;
  /** Path and query of the request (for returnTo). */
  path: string;
  cookie: string | null;
  session: LoadedSession | undefined;
}

export interface WebAuthInternals {
  core: WebCore;
  /** Loads the session for a request's Cookie header (sliding its idle timeout). */
  load(cookie: string | null): Promise<LoadedSession | undefined>;
  bind(key: object, state: RequestState): void;
  state(key: object): RequestState | undefined;
  /** The auth routes' answer, or undefined for any other request. */
  handle(request: Request, session: LoadedSession | undefined): Promise<Response | undefined>;
  isAuthRoute(method: string, pathname: string): boolean;
  /** A Response for the gates: undefined lets the request through. */
  gate(state: RequestState | undefined, authContext?: string): Promise<Response | undefined>;
  /** Turns SIGNIN_REQUIRED / INTERACTION_REQUIRED / STEP_UP_REQUIRED into a sign-in; undefined for other errors. */
  recover(error: unknown, state: RequestState | undefined): Promise<Response | undefined>;
}

export function createWebAuthCore(options: WebAuthOptions): WebAuthInternals {
  const resolved = resolveSettings(options);
  const events = createEventHub(resolved.clock);
  // Every outgoing call (discovery, keys, MSAL, Graph, APIs) is observed: the 'http-call' event.
  const settings = { ...resolved, fetch: observedFetch(resolved.fetch, events) };
  const cookies = cookiePolicy(settings.baseUrl);
  const stores = createWebStores({ ...settings, onTokenCacheDiscard: (info) => events.emit('token-cache-discarded', info) });
  const provider = createIdentityProvider({ discoveryUrl: settings.discoveryUrl, fetch: settings.fetch, clock: settings.clock });
  const core: WebCore = {
    settings,
    stores,
    cookies,
    sessionCookie: `${cookies.prefix}entrakit-session`,
    provider,
    events,
    transactions: createSignInTransactions({ store: stores.transactions, secret: settings.secret, cookies, clock: settings.clock }),
    msal: createMsalClients({
      clientId: settings.clientId,
      authority: settings.authority,
      credential: settings.credential,
      provider,
      tokenCache: stores.tokenCache,
      networkClient: createFetchNetworkClient(settings.fetch, { timeoutMs: settings.tokenTimeoutMs }),
    }),
  };
  const states = new WeakMap<object, RequestState>();
  const { callbackPath, routes } = settings;

  async function load(cookie: string | null): Promise<LoadedSession | undefined> {
    const id = parseCookies(cookie).get(core.sessionCookie);
    if (id === undefined || !TOKEN_SHAPE.test(id)) return undefined;
    const record = await stores.sessions.get(id);
    return record ? { id, data: record.data, createdAt: record.createdAt, lastSeenAt: record.lastSeenAt } : undefined;
  }

  function signInFrom(state: RequestState | undefined, claims?: string): Promise<Response> {
    return startSignIn(core, state?.cookie ?? null, { returnTo: state?.path ?? '/', ...(claims ? { claims } : {}) });
  }

  async function answerError(error: unknown): Promise<Response> {
    if (!isEntrakitError(error)) {
      // A bug, not a protocol outcome: nothing about its cause reaches the browser.
      core.events.emit('sign-in-failed', { code: 'INTERNAL_ERROR', message: error instanceof Error ? error.message.slice(0, 200) : 'unexpected error' });
      return new Response('Sign-in failed on an unexpected error.', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
    }
    const correlationId = failedSignInCorrelationId(error);
    core.events.emit('sign-in-failed', { code: error.code, message: error.message, ...(correlationId ? { correlationId } : {}) });
    if (!settings.errorPage) return errorPage(error);
    try {
      // The app's page, with the stable code and no caching whatever it sets.
      const page = await settings.errorPage(error);
      const response = new Response(page.body, page);
      response.headers.set('x-entrakit-error', error.code);
      response.headers.set('cache-control', 'no-store');
      return response;
    } catch {
      // A failing renderer must not hide the sign-in's outcome: the built-in page.
      return errorPage(error);
    }
  }

  return {
    core,
    load,
    bind: (key, state) => states.set(key, state),
    state: (key) => states.get(key),
    isAuthRoute(method, pathname) {
      return pathname === callbackPath || pathname === routes.signIn || pathname === routes.signOut || pathname === routes.signOutEverywhere || pathname === routes.frontchannelLogout;
    },
    async handle(request, session) {
      const url = new URL(request.url);
      const { method } = request;
      try {
        if (url.pathname === callbackPath && method === 'GET') return await completeSignIn(core, request, session);
        if (url.pathname === routes.signIn && method === 'GET') {
          const sent = url.searchParams.get('claims');
          const claims = sent && sent.length <= 4096 ? validClaimsRequest(Buffer.from(sent, 'base64url').toString('utf8')) : undefined;
          return await startSignIn(core, request.headers.get('cookie'), { returnTo: url.searchParams.get('returnTo') ?? '/', ...(claims ? { claims } : {}) });
        }
        if (url.pathname === routes.signOut && method === 'POST') return await signOut(core, request, session);
        if (url.pathname === routes.signOutEverywhere && method === 'POST') return await signOutEverywhere(core, request, session);
        if (url.pathname === routes.frontchannelLogout && method === 'GET') return await frontchannelLogout(core, request);
      } catch (error) {
        return answerError(error);
      }
      if (url.pathname === routes.signOut || url.pathname === routes.signOutEverywhere) {
        // Prefetchers and old links GET these: nothing is destroyed by a GET.
        return new Response('Sign-out needs a POST with the form on the page.', { status: 405, headers: { allow: 'POST' } });
      }
      return undefined;
    },
    async gate(state, authContext) {
      const session = state?.session;
      const satisfied = session !== undefined && (authContext === undefined || session.data.acrs.includes(authContext));
      if (satisfied) return undefined;
      if (state?.method !== 'GET' && state?.method !== 'HEAD') {
        return new Response('Sign-in required', { status: 401, headers: { 'x-entrakit-error': 'SIGNIN_REQUIRED', 'cache-control': 'no-store' } });
      }
      return signInFrom(state, authContext !== undefined && session !== undefined ? authContextClaims(authContext) : undefined);
    },
    async recover(error, state) {
      if (!isEntrakitError(error)) return undefined;
      if (error.code !== 'SIGNIN_REQUIRED' && error.code !== 'INTERACTION_REQUIRED' && error.code !== 'STEP_UP_REQUIRED') return undefined;
      if (state?.method !== 'GET') return new Response('Sign-in required', { status: 401, headers: { 'x-entrakit-error': error.code, 'cache-control': 'no-store' } });
      const claims = typeof error.details?.['claims'] === 'string' ? error.details['claims'] : undefined;
      return signInFrom(state, claims);
    },
  };
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
  /** fetch with the user's token for `scopes`, following claims challenges (CAE, step-up). */
  fetch(key: object, url: string, options: { scopes: string[] } & RequestInit): Promise<Response>;
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
      if (typeof url !== 'string' || !/^https:\/\//.test(url)) throw new TypeError('fetch: "url" must be an https URL');
      return callApi(core, sessionOf(key, 'fetch'), url, scopes, init);
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
