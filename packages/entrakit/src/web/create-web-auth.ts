/**
 * The core behind createWebAuth: the auth routes (sign-in, the callback, sign-out, sign-out
 * everywhere, front-channel logout), the sessions and the sign-in gates, over Web
 * Request/Response. Per-request state (the loaded session) is kept in a WeakMap under whatever
 * object the framework hands the app (Express `req`, Hono `c`, a Request); the public object that
 * reads it is web-auth-api.ts.
 */
import { Buffer } from 'node:buffer';
import { isEntrakitError } from '../core/errors.ts';
import { authContextClaims, validClaimsRequest } from './claims-request.ts';
import { completeSignIn, failedSignInCorrelationId } from './complete-sign-in.ts';
import { cookiePolicy, parseCookies } from './cookies.ts';
import type { LoadedSession, WebCore } from './core.ts';
import { errorPage } from './error-page.ts';
import { createEventHub } from './events.ts';
import { createFetchNetworkClient } from './fetch-network-client.ts';
import { observedFetch } from './observed-fetch.ts';
import { frontchannelLogout } from './frontchannel-logout.ts';
import { createIdentityProvider } from './identity-provider.ts';
import { createMsalClients } from './msal-clients.ts';
import { TOKEN_SHAPE } from './random.ts';
import { resolveSettings } from './settings.ts';
import type { WebAuthOptions } from './settings.ts';
import { createSignInTransactions } from './sign-in-transaction.ts';
import { signOut, signOutEverywhere } from './sign-out.ts';
import { startSignIn } from './start-sign-in.ts';
import { createWebStores } from './web-stores.ts';

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

