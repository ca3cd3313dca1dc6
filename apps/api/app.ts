import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { BearerAuthenticator } from 'entrakit/bearer';
import type { BearerEnv } from 'entrakit/bearer/hono';
import type { DirectoryUsers } from './graph/graph-users.ts';
import { renderApiError } from './http/api-error.ts';
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
  /** The clock of the trace the API reports (the one its On-Behalf-Of client uses); default Date.now. */
  clock?: () => number;
  /** Called with errors no route expected (bugs); default logs code and message only. */
  onUnexpectedError?: (error: unknown) => void;
}

const KNOWN_DEPS = new Set(['authenticator', 'obo', 'blobs', 'users', 'clock', 'onUnexpectedError']);

/** The protected API as a web-standard app (`app.fetch`); it does not listen. */
export function createApiApp(deps: ApiAppDeps): Hono<BearerEnv> {
  for (const key of Object.keys(deps ?? {})) if (!KNOWN_DEPS.has(key)) throw new TypeError(`createApiApp: unknown option "${key}"`);
  if (typeof deps?.authenticator !== 'function') throw new TypeError('createApiApp: "authenticator" must come from createBearerAuthenticator');
  if (typeof deps.obo?.acquireToken !== 'function') throw new TypeError('createApiApp: "obo" must be an OnBehalfOfClient');
  if (typeof deps.blobs?.readStory !== 'function') throw new TypeError('createApiApp: "blobs" must be a StoryBlobs');
  if (typeof deps.users?.listUsers !== 'function') throw new TypeError('createApiApp: "users" must be a DirectoryUsers');
  const onUnexpectedError = deps.onUnexpectedError ?? logUnexpected;

  const app = new Hono<BearerEnv>();
  // Set before the handler runs: setting a header after `await next()` makes @hono/node-server
  // copy the whole Response.
  app.use(async function noSniff(c, next) {
    c.header('X-Content-Type-Options', 'nosniff');
    await next();
  });
  healthRoute(app);
  meRoute(app, deps);
  storyRoute(app, deps);
  adminUsersRoute(app, deps);

  app.notFound((c) => c.json({ error: 'not_found', error_description: `No route for ${c.req.method} ${c.req.path.slice(0, 100)}` }, 404));
  app.onError((thrown, c) => {
    // bearerAuth's failures arrive as HTTPException; the library error they carry renders as any other.
    const error = thrown instanceof HTTPException && thrown.cause !== undefined ? thrown.cause : thrown;
    const response = renderApiError(c, error, deps.authenticator.realm);
    if (response.status === 500) onUnexpectedError(error);
    return response;
  });
  return app;
}

function logUnexpected(error: unknown): void {
  const e = error as { code?: unknown; message?: unknown } | null;
  console.error(`entrakit api: unexpected error ${typeof e?.code === 'string' ? e.code : ''} ${typeof e?.message === 'string' ? e.message : String(error)}`);
}
