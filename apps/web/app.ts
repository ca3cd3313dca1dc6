/**
 * The sign-in web app as a web-standard app (`app.fetch`). It does not listen: startWeb (or a
 * test) serves it. Every dependency is passed in.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isEntrakitError, isMicrosoftLoginHost } from 'entrakit';
import { createIdentityProvider } from 'entrakit/web';
import { stepUpSignInUrl } from './auth/claims-challenge.ts';
import { presentError } from './auth/error-presentation.ts';
import type { WebConfig } from './config.ts';
import type { AppEnv, WebDeps } from './context.ts';
import { createAppLogger } from '../shared/logger.ts';
import type { AppLogger } from '../shared/logger.ts';
import { cookiePolicy } from './middleware/cookies.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { sessionLoader } from './middleware/session.ts';
import { createFetchNetworkClient } from 'entrakit/web';
import { createMsalClients } from './msal/msal-clients.ts';
import type { MsalClientFactory } from './msal/msal-clients.ts';
import { createAppGraph } from './graph/app-graph.ts';
import { adminRoutes } from './routes/admin.ts';
import { callbackRoute } from './routes/callback.ts';
import { groupsRoute } from './routes/groups.ts';
import { frontchannelLogoutRoute } from './routes/frontchannel-logout.ts';
import { homeRoute } from './routes/home.ts';
import { labRoute } from './routes/lab.ts';
import { sessionsRoute } from './routes/sessions.ts';
import { profileRoute } from './routes/profile.ts';
import { signInRoute } from './routes/sign-in.ts';
import { signOutGlobalRoute } from './routes/sign-out-global.ts';
import { signOutLocalRoute, signOutPageRoute } from './routes/sign-out.ts';
import { storyRoute } from './routes/story.ts';
import { tokensRoute } from './routes/tokens.ts';
import { traceRoute } from './routes/trace.ts';
import type { WebStores } from './stores.ts';
import { errorPage } from './views/error-page.ts';
import { render } from './views/render.ts';

export interface CreateWebAppOptions {
  config: WebConfig;
  stores: WebStores;
  /** Used for discovery, JWKS, MSAL's token calls, Graph and the API. Defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. Defaults to Date.now. */
  clock?: () => number;
  /** Builds MSAL clients; defaults to `new ConfidentialClientApplication(configuration)`. */
  msal?: MsalClientFactory;
  /** Waits between retries of a throttled call (Graph's Retry-After). Defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
  logger?: AppLogger;
}

const MAX_FORM_BYTES = 16 * 1024;

export function createWebApp(options: CreateWebAppOptions): Hono<AppEnv> {
  const { config, stores } = options;
  if (!config || typeof config.clientId !== 'string') throw new TypeError('createWebApp: "config" must be a WebConfig (see loadWebConfig)');
  if (!stores || typeof stores.sessions?.get !== 'function') throw new TypeError('createWebApp: "stores" must be WebStores (see openWebStores)');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('createWebApp: "fetch" must be a function');
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createWebApp: "clock" must be a function returning milliseconds');
  if (options.msal !== undefined && typeof options.msal !== 'function') throw new TypeError('createWebApp: "msal" must be a function');
  const logger = options.logger ?? createAppLogger({ level: config.logLevel });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (typeof sleep !== 'function') throw new TypeError('createWebApp: "sleep" must be a function');

  const provider = createIdentityProvider({ discoveryUrl: config.discoveryUrl, fetch: fetchImpl, clock });
  const msal = createMsalClients({
    config,
    provider,
    tokenCache: stores.tokenCache,
    networkClient: createFetchNetworkClient(fetchImpl),
    clock,
    logger,
    ...(options.msal ? { factory: options.msal } : {}),
  });
  const deps: WebDeps = { config, stores, fetch: fetchImpl, clock, sleep, logger, provider, msal, cookies: cookiePolicy(config.baseUrl) };

  const localIdp = !isMicrosoftLoginHost(new URL(config.instance).host);
  const app = new Hono<AppEnv>();
  app.use(async function logRequest(c, next) {
    const started = performance.now();
    await next();
    // Path only: the query of /auth/callback carries the code and state.
    logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use(securityHeaders({ idpOrigin: config.instance }));
  app.use(bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text('Request body too large', 413) }));
  app.use(sessionLoader(deps));

  homeRoute(app, deps);
  sessionsRoute(app, deps);
  signInRoute(app, deps);
  callbackRoute(app, deps);
  profileRoute(app, deps);
  tokensRoute(app, deps);
  traceRoute(app, deps);
  storyRoute(app, deps);
  const appGraph = createAppGraph(deps);
  groupsRoute(app, deps, appGraph);
  adminRoutes(app, deps, appGraph);
  labRoute(app, deps);
  signOutPageRoute(app, deps);
  signOutLocalRoute(app, deps);
  signOutGlobalRoute(app, deps);
  frontchannelLogoutRoute(app, deps);
  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.notFound((c) =>
    render(c, 'Not found', 'none', errorPage({ status: 404, code: 'NOT_FOUND', title: 'Page not found', explanation: 'There is no page at this address.', action: { href: '/', label: 'Back to the home page' }, sessionUnchanged: false }), 404),
  );
  app.onError((error, c) => {
    if (isEntrakitError(error, 'STEP_UP_REQUIRED') && c.req.method === 'GET') {
      // A claims challenge the identity provider must settle with the user: sign in with the claims, then back here.
      const url = new URL(c.req.url);
      logger.info({ event: 'sign-in.claims-challenge', path: c.req.path }, 'sending the user through sign-in with a claims challenge');
      return c.redirect(stepUpSignInUrl(String(error.details?.['claims']), url.pathname + url.search), 302);
    }
    if (isEntrakitError(error, 'INTERACTION_REQUIRED') && c.req.method === 'GET') {
      // The user must visit /authorize again (revoked or expired refresh token, wiped cache,
      // consent): silent when the IdP session exists, then back to this page, query included.
      const url = new URL(c.req.url);
      logger.info({ event: 'sign-in.required', path: c.req.path, reason: error.details?.['reason'] }, 'sending the user through sign-in again');
      return c.redirect(`/auth/sign-in?returnTo=${encodeURIComponent(url.pathname + url.search)}`, 302);
    }
    const view = presentError(error, { localIdp });
    if (view.status >= 500) logger.error({ err: error, path: c.req.path, errorCode: view.code }, 'request failed');
    else logger.warn({ path: c.req.path, errorCode: view.code, reason: error.message }, 'request refused');
    // The stable code, for scripts and tests (the page shows it too).
    c.header('X-Entrakit-Error', view.code);
    const retryAfterSec = isEntrakitError(error) ? error.details?.['retryAfterSec'] : undefined;
    if (typeof retryAfterSec === 'number') c.header('Retry-After', String(retryAfterSec));
    return render(c, view.title, 'none', errorPage(view), view.status);
  });
  return app;
}
