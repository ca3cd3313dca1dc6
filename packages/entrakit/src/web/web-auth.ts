/**
 * createWebAuth(options): the one call. `app.use(entra.express())` or `app.use(entra.hono())`,
 * `entra.requireSignIn()` on the pages that need a user, `await entra.getAccessToken(req, scopes)`
 * or `entra.graph(req, '/me')` for APIs. The gates work in both frameworks: they tell Express's
 * (req, res, next) from Hono's (c, next) by their arguments.
 */
import type { ServerResponse } from 'node:http';
import { createWebAuthCore } from './create-web-auth.ts';
import type { WebAuthInternals } from './create-web-auth.ts';
import { createWebAuthObject } from './web-auth-api.ts';
import type { WebAuth } from './web-auth-api.ts';
import { expressErrorHandler, expressMiddleware, writeResponse } from './express-adapter.ts';
import type { NodeNext, NodeRequest } from './express-adapter.ts';
import { honoMiddleware } from './hono-adapter.ts';
import type { HonoContextLike, HonoMiddleware, HonoNext } from './hono-adapter.ts';
import type { WebAuthOptions } from './settings.ts';

/** A gate usable as Express middleware and as Hono middleware. */
export interface Gate {
  (req: NodeRequest, res: ServerResponse, next: NodeNext): void;
  (c: HonoContextLike, next: HonoNext): Promise<Response | void>;
}

export interface CreatedWebAuth extends WebAuth {
  /** Express 4/5 (or node:http) middleware: answers the auth routes, loads the session. */
  express(): (req: NodeRequest, res: ServerResponse, next: NodeNext) => void;
  /** Express error middleware, after the routes: sign-in and step-up needed by a route become redirects. */
  expressErrors(): (error: unknown, req: NodeRequest, res: ServerResponse, next: NodeNext) => void;
  /** Hono middleware: answers the auth routes, loads the session, turns sign-in/step-up errors into redirects. */
  hono(): HonoMiddleware;
  /** Without a session: GET goes to sign-in (then back), other methods get 401. */
  requireSignIn(): Gate;
  /** Step-up: the session must have satisfied this authentication context (c1..c99), else sign-in with Entra's claims request. */
  requireAuthContext(id: string): Gate;
  /** Framework-free: answers an auth route (or undefined) and loads the session for `request`. */
  handle(request: Request): Promise<Response | undefined>;
}

function gate(internals: WebAuthInternals, authContext?: string): Gate {
  function entrakitGate(a: NodeRequest | HonoContextLike, b: ServerResponse | HonoNext, c?: NodeNext): void | Promise<Response | void> {
    if (typeof c === 'function') {
      const req = a as NodeRequest;
      const res = b as ServerResponse;
      internals
        .gate(internals.state(req), authContext)
        .then((response) => (response ? writeResponse(res, response) : c()))
        .catch(c);
      return;
    }
    const context = a as HonoContextLike;
    const next = b as HonoNext;
    return internals.gate(internals.state(context), authContext).then(async (response) => {
      if (response) return response;
      await next();
    });
  }
  return entrakitGate as Gate;
}

export function createWebAuth(options: WebAuthOptions = {}): CreatedWebAuth {
  const internals = createWebAuthCore(options);
  const api = createWebAuthObject(internals);
  return Object.assign(api, {
    express: () => expressMiddleware(internals),
    expressErrors: () => expressErrorHandler(internals),
    hono: () => honoMiddleware(internals),
    requireSignIn: () => gate(internals),
    requireAuthContext(id: string) {
      if (typeof id !== 'string' || !/^c([1-9]|[1-9][0-9])$/.test(id)) throw new TypeError('requireAuthContext: "id" must be an authentication context id, c1 to c99');
      return gate(internals, id);
    },
    async handle(request: Request) {
      if (!(request instanceof Request)) throw new TypeError('handle: "request" must be a Request');
      const cookie = request.headers.get('cookie');
      const session = await internals.load(cookie);
      const url = new URL(request.url);
      internals.bind(request, { method: request.method, path: `${url.pathname}${url.search}`, cookie, session });
      return internals.isAuthRoute(request.method, url.pathname) ? internals.handle(request, session) : undefined;
    },
  });
}
