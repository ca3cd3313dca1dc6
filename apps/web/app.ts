/**
 * The sign-in web app as a web-standard app (`app.fetch`). It does not listen: startWeb (or a
 * test) serves it. Every dependency is passed in. Sign-in, sessions, tokens and sign-out are
 * entrakit/web's createWebAuth; the app's pages read the signed-in user from it.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isEntrakitError, isMicrosoftLoginHost } from 'entrakit';
import type { EntrakitError } from 'entrakit';
import { createIdentityProvider, safeReturnTo } from 'entrakit/web';
import { presentError } from './auth/error-presentation.ts';
import { createAppWebAuth } from './auth/web-auth.ts';
import { API_SIGN_IN_PATH } from './auth/tokens.ts';
import type { WebConfig } from './config.ts';
import type { AppEnv, WebDeps } from './context.ts';
import { createAppLogger } from '../shared/logger.ts';
import type { AppLogger } from '../shared/logger.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { sessionView } from './middleware/session.ts';
import { createAppGraph } from './graph/app-graph.ts';
import { adminRoutes } from './routes/admin.ts';
import { groupsRoute } from './routes/groups.ts';
import { homeRoute } from './routes/home.ts';
import { labRoute } from './routes/lab.ts';
import { sessionsRoute } from './routes/sessions.ts';
import { profileRoute } from './routes/profile.ts';
import { signOutPageRoute } from './routes/sign-out.ts';
import { storyRoute } from './routes/story.ts';
import { tokensRoute } from './routes/tokens.ts';
import { traceRoute } from './routes/trace.ts';
import type { WebStores } from './stores.ts';
import { errorPage } from './views/error-page.ts';
import { layout } from './views/layout.ts';
import { render } from './views/render.ts';

export interface CreateWebAppOptions {
  config: WebConfig;
  stores: WebStores;
  /** Used for discovery, JWKS, the token calls, Graph and the API. Defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. Defaults to Date.now. */
  clock?: () => number;
  /** Waits out a throttled Graph or API answer's Retry-After (entrakit/web's `sleep`). Defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
  logger?: AppLogger;
}

const MAX_FORM_BYTES = 16 * 1024;

export function createWebApp(options: CreateWebAppOptions): Hono<AppEnv> {
  const { config, stores } = options;
  if (!config || typeof config.clientId !== 'string') throw new TypeError('createWebApp: "config" must be a WebConfig (see loadWebConfig)');
  if (!stores || typeof stores.users?.get !== 'function') throw new TypeError('createWebApp: "stores" must be WebStores (see openWebStores)');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('createWebApp: "fetch" must be a function');
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createWebApp: "clock" must be a function returning milliseconds');
  const logger = options.logger ?? createAppLogger({ level: config.logLevel });
  if (options.sleep !== undefined && typeof options.sleep !== 'function') throw new TypeError('createWebApp: "sleep" must be a function');

  const localIdp = !isMicrosoftLoginHost(new URL(config.instance).host);
  const entra = createAppWebAuth({ config, stores, fetch: fetchImpl, clock, ...(options.sleep ? { sleep: options.sleep } : {}), logger, errorPage: (error) => libraryErrorPage(error, localIdp) });
  const provider = createIdentityProvider({ discoveryUrl: config.discoveryUrl, fetch: fetchImpl, clock });
  const sessionCookie = `${new URL(config.baseUrl).protocol === 'https:' ? '__Host-' : ''}entrakit-session`;
  const deps: WebDeps = { config, stores, entra, fetch: fetchImpl, clock, logger, provider, sessionCookie };

  const app = new Hono<AppEnv>();
  app.use(async function logRequest(c, next) {
    const started = performance.now();
    await next();
    // Path only: the query of /auth/callback carries the code and state.
    logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use(securityHeaders({ idpOrigin: config.instance }));
  app.use(bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text('Request body too large', 413) }));
  app.use(entra.hono());
  app.use(sessionView(entra));

  // A sign-in that also asks for the API scope (Entra takes one resource's scopes per request).
  app.get(API_SIGN_IN_PATH, async function signInForApi(c) {
    const returnTo = safeReturnTo(c.req.query('returnTo'));
    if (!config.apiScope) return c.redirect(`/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`, 302);
    return entra.signIn(c, { returnTo, scopes: [config.apiScope, 'email'] });
  });
  homeRoute(app, deps);
  sessionsRoute(app, deps);
  profileRoute(app, deps);
  tokensRoute(app, deps);
  traceRoute(app, deps);
  storyRoute(app, deps);
  const appGraph = createAppGraph(deps);
  groupsRoute(app, deps, appGraph);
  adminRoutes(app, deps, appGraph);
  labRoute(app, deps);
  signOutPageRoute(app, deps);
  // Old links and prefetchers may GET other sign-out addresses: show the page instead of acting.
  app.get('/auth/sign-out/*', (c) => c.redirect('/sign-out', 302));
  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.notFound((c) =>
    render(c, 'Not found', 'none', errorPage({ status: 404, code: 'NOT_FOUND', title: 'Page not found', explanation: 'There is no page at this address.', action: { href: '/', label: 'Back to the home page' }, sessionUnchanged: false }), 404),
  );
  app.onError((error, c) => {
    // Sign-in, consent or step-up needed on a GET: entrakit/web answers with the sign-in instead.
    if (c.req.method === 'GET' && (isEntrakitError(error, 'STEP_UP_REQUIRED') || isEntrakitError(error, 'INTERACTION_REQUIRED') || isEntrakitError(error, 'SIGNIN_REQUIRED'))) {
      logger.info({ event: 'sign-in.required', path: c.req.path, reason: isEntrakitError(error) ? error.code : undefined }, 'sending the user through sign-in again');
      return c.text('Sign-in required', 401);
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

/** The page a sign-in or sign-out entrakit/web refused ends on: the app's own, with its own style nonce. */
async function libraryErrorPage(error: EntrakitError, localIdp: boolean): Promise<Response> {
  const view = presentError(error, { localIdp });
  const nonce = randomBytes(16).toString('base64');
  const page = await layout({ title: view.title, nonce, active: 'none', user: undefined }, errorPage(view));
  return new Response(String(page), {
    status: view.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'self'; script-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
      'x-frame-options': 'DENY',
    },
  });
}
