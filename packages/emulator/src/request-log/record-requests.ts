import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Directory } from '../directory/directory.ts';
import { SSO_COOKIE } from '../sign-in/cookies.ts';
import { classifyPath } from './classify.ts';
import { explainRequest, type ObservedRequest, type ObservedResponse } from './explain.ts';
import type { RequestLog } from './request-log.ts';

const WHY = 'entrakitWhy';
const USER = 'entrakitUser';
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_REMEMBERED_TRANSACTIONS = 1000;
/** Form fields the log may read; codes, passwords, secrets, assertions and tokens are never read. */
const SAFE_FIELDS = ['client_id', 'grant_type', 'scope', 'redirect_uri', 'response_type', 'response_mode', 'prompt', 'login_hint', 'code_challenge_method', 'action', 'post_logout_redirect_uri', 'client-request-id', 'username', 'requested_token_use', 'resource', 'api-version', 'principal_id', 'object_id', 'mi_res_id', 'msi_res_id'];
const PRESENCE_FIELDS = ['code_challenge', 'code_verifier', 'client_secret', 'client_assertion', 'refresh_token', 'code', 'device_code', 'password', 'id_token_hint', 'user_code', 'assertion', 'otc'];

/** Adds a reason to this request's log entry (endpoint code calls it where it decides something). */
export function explain(c: Context, why: string): void {
  const list = c.get(WHY) as string[] | undefined;
  if (list) list.push(why);
}

/** Names the user this request acted for (UPN), when the handler knows it. */
export function noteUser(c: Context, userPrincipalName: string): void {
  if (c.get(WHY) !== undefined) c.set(USER, userPrincipalName);
}

function safeParams(params: URLSearchParams): { values: Map<string, string>; present: Set<string> } {
  const values = new Map<string, string>();
  const present = new Set<string>();
  for (const name of SAFE_FIELDS) {
    const value = params.get(name);
    if (value !== null) values.set(name, value.slice(0, 512));
  }
  for (const name of PRESENCE_FIELDS) if (params.get(name)) present.add(name);
  return { values, present };
}

async function requestParams(c: Context): Promise<URLSearchParams> {
  // Token requests carry no query string: skip building a URL for them.
  const url = c.req.url;
  const question = url.indexOf('?');
  const query = new URLSearchParams(question < 0 ? '' : url.slice(question + 1).split('#')[0]);
  if (c.req.method !== 'POST') return query;
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded')) return query;
  try {
    // Hono caches the body the handler already read; this does not read the stream twice.
    const form = new URLSearchParams(await c.req.text());
    for (const [k, v] of query) if (!form.has(k)) form.set(k, v);
    return form;
  } catch {
    return query;
  }
}

async function observeResponse(res: Response): Promise<ObservedResponse> {
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  const observed: ObservedResponse = { status: res.status, location: res.headers.get('location') };
  // Error bodies are small; success bodies (tokens) are never read.
  if (type.includes('json') && res.status >= 400) {
    try {
      observed.json = (await res.clone().json()) as Record<string, unknown>;
    } catch {
      // Not JSON after all: logged without its details.
    }
  } else if (type.includes('text/html')) {
    observed.html = (await res.clone().text()).slice(0, 64 * 1024);
  }
  return observed;
}

/** Graph: the caller's client id when Graph authenticated the request (its handlers set `caller`). */
function authenticatedClientId(c: Context): string | undefined {
  const caller = c.get('caller') as { clientId?: unknown } | undefined;
  return typeof caller?.clientId === 'string' ? caller.clientId.slice(0, 64) : undefined;
}

/** Otherwise (a refused token): its client id, read, not verified; the log only labels the request. */
function bearerClientId(header: string | undefined): string | null {
  const token = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\./i.exec(header ?? '')?.[2];
  if (!token) return null;
  try {
    const claims = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { appid?: unknown; azp?: unknown };
    const id = typeof claims.appid === 'string' ? claims.appid : claims.azp;
    return typeof id === 'string' ? id.slice(0, 64) : null;
  } catch {
    return null;
  }
}

/**
 * Records every authorize, login, consent, token, logout, device code and Graph request with its
 * outcome, read from the response, and the reasons handlers gave (explain) or the log derives.
 */
export function recordRequests(deps: { requestLog: RequestLog; directory: Directory; clock: () => number }): MiddlewareHandler {
  // The login, consent and device pages post from the browser without the app's client-request-id:
  // the id travels with the page's transaction (`tx`), remembered here for the follow-up posts.
  const idByTransaction = new Map<string, string>();
  const rememberTransaction = (html: string | undefined, clientRequestId: string | null) => {
    const tx = html ? /name="tx" value="([A-Za-z0-9_-]{43})"/.exec(html)?.[1] : undefined;
    if (!tx || clientRequestId === null) return;
    idByTransaction.delete(tx);
    idByTransaction.set(tx, clientRequestId);
    if (idByTransaction.size > MAX_REMEMBERED_TRANSACTIONS) idByTransaction.delete(idByTransaction.keys().next().value!);
  };
  return async function recordRequest(c, next) {
    const kind = classifyPath(c.req.path);
    if (!kind) return next();
    const started = deps.clock();
    const startedAt = performance.now();
    const why: string[] = [];
    c.set(WHY, why);
    try {
      await next();
    } finally {
      try {
        await record(c, kind, why, started, startedAt);
      } catch (error) {
        // The log must never break a request; a failure here is a bug worth seeing on stderr.
        console.error('entrakit emulator: request log failed', error);
      }
    }
  };

  async function record(c: Context, kind: NonNullable<ReturnType<typeof classifyPath>>, why: string[], started: number, startedAt: number): Promise<void> {
    const params = kind.endpoint === 'graph' || kind.endpoint === 'userinfo' ? new URLSearchParams() : await requestParams(c);
    const { values, present } = safeParams(params);
    const sent = c.req.header('client-request-id') ?? values.get('client-request-id');
    const tx = params.get('tx');
    const sentId = sent ?? (tx ? idByTransaction.get(tx) : undefined);
    const request: ObservedRequest = {
      endpoint: kind.endpoint,
      method: c.req.method,
      tenant: kind.tenant,
      params: values,
      present,
      hasSsoCookie: getCookie(c, SSO_COOKIE) !== undefined,
      basicAuth: /^basic /i.test(c.req.header('authorization') ?? ''),
    };
    const response = await observeResponse(c.res);
    const clientRequestId = sentId && CLIENT_REQUEST_ID.test(sentId) ? sentId : null;
    rememberTransaction(response.html, clientRequestId);
    const verdict = explainRequest(deps.directory, request, response);
    const user = (c.get(USER) as string | undefined) ?? verdict.user ?? null;
    deps.requestLog.note({
      time: started,
      endpoint: kind.endpoint,
      method: c.req.method,
      path: c.req.path.slice(0, 300),
      tenant: kind.tenant,
      clientRequestId,
      clientId: values.get('client_id')?.slice(0, 64) ?? (kind.endpoint === 'graph' || kind.endpoint === 'userinfo' ? (authenticatedClientId(c) ?? bearerClientId(c.req.header('authorization'))) : verdict.clientId ?? null),
      grantType: kind.endpoint === 'token' ? (values.get('grant_type') ?? null) : null,
      user,
      status: response.status,
      outcome: verdict.outcome,
      error: verdict.error,
      aadsts: verdict.aadsts,
      why: [...why, ...verdict.why],
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
    });
  }
}
