import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { BearerAuthenticator, BearerEnv } from './bearer/index.ts';
import type { DirectoryUsers } from './graph/graph-users.ts';
import { renderApiError } from './http/api-error.ts';
import { directJsonListener, mountDirectJsonRoute } from './http/direct-json-route.ts';
import type { DirectJsonRoute } from './http/direct-json-route.ts';
import type { OnBehalfOfClient } from './obo/on-behalf-of.ts';
import { adminUsersRoute } from './routes/admin-users.ts';
import { healthRoute } from './routes/health.ts';
import { meRoute } from './routes/me.ts';
import { storyRoute } from './routes/story.ts';
import type { StoryBlobs } from './storage/story-blobs.ts';

export interface ApiAppDeps {
  authenticator: BearerAuthenticator;
  obo: OnBehalfOfClient;
  blobs: StoryBlobs;
  users: DirectoryUsers;
  /** Called with errors no route expected (bugs); default logs code and message only. */
  onUnexpectedError?: (error: unknown) => void;
}

const KNOWN_DEPS = new Set(['authenticator', 'obo', 'blobs', 'users', 'onUnexpectedError']);

/** The protected API as a web-standard app (`app.fetch`); it does not listen. */
export function createApiApp(deps: ApiAppDeps): Hono<BearerEnv> {
  return buildApp(deps, directRoutes());
}

/**
 * The same API as a Node request listener: the routes that answer synchronously from the caller
 * (`/health`, `/api/me`) are answered straight from Node's objects when the token is already
 * verified; every other request goes through the Hono app.
 */
export function createApiListener(deps: ApiAppDeps): RequestListener {
  const routes = directRoutes();
  const app = buildApp(deps, routes);
  return directJsonListener(routes, deps.authenticator, getRequestListener(app.fetch));
}

function directRoutes(): DirectJsonRoute[] {
  return [healthRoute, meRoute()];
}

function buildApp(deps: ApiAppDeps, routes: readonly DirectJsonRoute[]): Hono<BearerEnv> {
  for (const key of Object.keys(deps ?? {})) if (!KNOWN_DEPS.has(key)) throw new TypeError(`createApiApp: unknown option "${key}"`);
  if (typeof deps?.authenticator !== 'function') throw new TypeError('createApiApp: "authenticator" must come from createBearerAuthenticator');
  if (typeof deps.obo?.acquireToken !== 'function') throw new TypeError('createApiApp: "obo" must be an OnBehalfOfClient');
  if (typeof deps.blobs?.readStory !== 'function') throw new TypeError('createApiApp: "blobs" must be a StoryBlobs');
  if (typeof deps.users?.listUsers !== 'function') throw new TypeError('createApiApp: "users" must be a DirectoryUsers');
  const onUnexpectedError = deps.onUnexpectedError ?? logUnexpected;

  const app = new Hono<BearerEnv>();
  // Set before the handler runs: setting a header after `await next()` forces a full Response
  // copy on @hono/node-server, which costs more than the bearer check itself.
  app.use(async function noSniff(c, next) {
    c.header('X-Content-Type-Options', 'nosniff');
    await next();
  });
  for (const route of routes) mountDirectJsonRoute(app, route, deps.authenticator);
  storyRoute(app, deps);
  adminUsersRoute(app, deps);

  app.notFound((c) => c.json({ error: 'not_found', error_description: `No route for ${c.req.method} ${c.req.path.slice(0, 100)}` }, 404));
  app.onError((error, c) => {
    const response = renderApiError(c, error);
    if (response.status === 500) onUnexpectedError(error);
    return response;
  });
  return app;
}

function logUnexpected(error: unknown): void {
  const e = error as { code?: unknown; message?: unknown } | null;
  console.error(`entrakit api: unexpected error ${typeof e?.code === 'string' ? e.code : ''} ${typeof e?.message === 'string' ? e.message : String(error)}`);
}
