/**
 * The one fetch every outgoing call of createWebAuth goes through (discovery, keys, MSAL's token
 * calls, Graph, APIs), wrapped so each call ends in an 'http-call' event. Only the method, origin
 * and path leave here: a query, a header or a body may carry a code, a token or a secret. Token
 * calls add their form and answer, each field through the trace redaction rules.
 */
import { isEntrakitError } from '../core/errors.ts';
import { redactFields } from '../core/trace/redact.ts';
import type { TraceField } from '../core/trace/types.ts';
import type { EventHub, HttpCallKind } from './events.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function httpCallKind(pathname: string): HttpCallKind {
  if (pathname.endsWith('/.well-known/openid-configuration')) return 'discovery';
  if (pathname.endsWith('/discovery/v2.0/keys') || pathname.endsWith('/discovery/keys')) return 'keys';
  if (pathname.endsWith('/oauth2/v2.0/token') || pathname.endsWith('/oauth2/token')) return 'token';
  return 'api';
}

/**
 * The call's client-request-id (a GUID, not a secret): MSAL sends it as a form field of token
 * requests; others may send it as a header or in the query. Only that one field is read.
 */
function clientRequestId(target: URL, init: RequestInit | undefined, request: Request | undefined): string | null {
  const fromHeader = new Headers(init?.headers ?? request?.headers).get('client-request-id');
  if (fromHeader) return fromHeader;
  const fromQuery = target.searchParams.get('client-request-id');
  if (fromQuery) return fromQuery;
  const body = init?.body;
  if (typeof body === 'string') return new URLSearchParams(body).get('client-request-id');
  if (body instanceof URLSearchParams) return body.get('client-request-id');
  return null;
}

/** A token call's form and JSON answer, redacted field by field; what cannot be read is left out. */
async function tokenExchange(init: RequestInit | undefined, response: Response): Promise<{ request?: TraceField[]; response?: TraceField[] }> {
  const body = init?.body;
  const form = typeof body === 'string' ? new URLSearchParams(body) : body instanceof URLSearchParams ? body : undefined;
  let answer: unknown;
  try {
    answer = await response.clone().json();
  } catch {
    answer = undefined;
  }
  return {
    ...(form ? { request: redactFields(form.entries()) } : {}),
    ...(answer !== null && typeof answer === 'object' && !Array.isArray(answer) ? { response: redactFields(Object.entries(answer)) } : {}),
  };
}

export function observedFetch(fetchImpl: typeof fetch, events: EventHub): typeof fetch {
  return async function observed(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    // Read per call: a listener may come after createWebAuth. Without one, no body is copied nor redacted.
    if (!events.listens('http-call')) return fetchImpl(input, init);
    const request = input instanceof Request ? input : undefined;
    const target = new URL(request ? request.url : String(input));
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const url = `${target.origin}${target.pathname}`;
    const kind = httpCallKind(target.pathname);
    const sent = clientRequestId(target, init, request);
    const correlation = sent && GUID.test(sent) ? { correlationId: sent.toLowerCase() } : {};
    const started = performance.now();
    const ms = (): number => Math.round(performance.now() - started);
    try {
      const response = await fetchImpl(input, init);
      const took = ms();
      const exchange = kind === 'token' ? await tokenExchange(init, response) : {};
      events.emit('http-call', { method, url, kind, status: response.status, ms: took, ...correlation, ...exchange });
      return response;
    } catch (error) {
      const name = isEntrakitError(error) ? error.code : (error as Error)?.name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK_ERROR';
      events.emit('http-call', { method, url, kind, status: null, ms: ms(), error: name, ...correlation });
      throw error;
    }
  } as typeof fetch;
}
