/**
 * Express 4 and 5 (and plain node:http handlers): works from Node's IncomingMessage and
 * ServerResponse only, so nothing of Express is imported. Auth routes are answered here; every
 * other request gets its session loaded and goes on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestState, WebAuthInternals } from './create-web-auth.ts';

/** What Express adds to IncomingMessage that is read here (all optional: plain node:http works too). */
export type NodeRequest = IncomingMessage & { originalUrl?: string; body?: unknown };
export type NodeNext = (error?: unknown) => void;

function stateOf(req: NodeRequest): Omit<RequestState, 'session'> {
  return { method: req.method ?? 'GET', path: req.originalUrl ?? req.url ?? '/', cookie: typeof req.headers.cookie === 'string' ? req.headers.cookie : null };
}

async function readBody(req: NodeRequest): Promise<string> {
  // A body parser (express.urlencoded) may have read the stream already.
  if (req.body !== undefined && req.body !== null && typeof req.body === 'object') return new URLSearchParams(req.body as Record<string, string>).toString();
  if (typeof req.body === 'string') return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Sign-out forms are tiny; anything larger is not one.
    if (size > 16_384) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function toWebRequest(req: NodeRequest, baseUrl: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  const method = req.method ?? 'GET';
  const url = new URL(req.originalUrl ?? req.url ?? '/', baseUrl);
  return new Request(url, { method, headers, ...(method === 'POST' ? { body: await readBody(req) } : {}) });
}

export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  const cookies = response.headers.getSetCookie();
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.end(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
}

/**
 * For Express (or node:http) handlers: sends a Web Response the library answered (stepUp, signIn)
 * through `res`: its status, every header (each Set-Cookie on a line of its own) and its body.
 */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  if (!(response instanceof Response)) throw new TypeError('sendWebResponse: "response" must be a Response');
  if (typeof res !== 'object' || res === null || typeof res.setHeader !== 'function' || typeof res.end !== 'function') {
    throw new TypeError('sendWebResponse: "res" must be Express\'s res (a node:http ServerResponse)');
  }
  if (res.headersSent) throw new TypeError('sendWebResponse: "res" has already sent its headers');
  return writeResponse(res, response);
}

export function expressMiddleware(internals: WebAuthInternals) {
  const { baseUrl } = internals.core.settings;
  return function entrakitWebAuth(req: NodeRequest, res: ServerResponse, next: NodeNext): void {
    const run = async (): Promise<void> => {
      const base = stateOf(req);
      const session = await internals.load(base.cookie);
      internals.bind(req, { ...base, session });
      const pathname = new URL(base.path, baseUrl).pathname;
      if (internals.isAuthRoute(base.method, pathname)) {
        const response = await internals.handle(await toWebRequest(req, baseUrl), session);
        if (response) return writeResponse(res, response);
      }
      next();
    };
    run().catch(next);
  };
}

/** After the routes: a sign-in, interaction or step-up needed by getAccessToken/fetch becomes a redirect through sign-in. */
export function expressErrorHandler(internals: WebAuthInternals) {
  return function entrakitWebAuthErrors(error: unknown, req: NodeRequest, res: ServerResponse, next: NodeNext): void {
    internals
      .recover(error, internals.state(req))
      .then((response) => (response && !res.headersSent ? writeResponse(res, response) : next(error)))
      .catch(next);
  };
}
