import type { Hono } from 'hono';
import { withVerifiedCaller, type GraphEnv, type GraphRouteContext } from './graph-app.ts';
import { GraphError } from './graph-error.ts';
import { readJsonObject } from './request-body.ts';

/** Graph's limit on requests in one JSON batch. */
export const MAX_BATCH_REQUESTS = 20;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
/** Answer headers worth passing back to the client. */
const KEPT_HEADERS = { 'content-type': 'Content-Type', location: 'Location', 'retry-after': 'Retry-After', 'cache-control': 'Cache-Control' } as const;

interface BatchRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

function badBatch(message: string): GraphError {
  return new GraphError(400, 'BadRequest', message);
}

function parseRequests(body: Record<string, unknown>): BatchRequest[] {
  const list = body['requests'];
  if (!Array.isArray(list) || list.length === 0) throw badBatch('Invalid batch payload format.');
  if (list.length > MAX_BATCH_REQUESTS) throw badBatch(`The number of requests in a batch exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  const seen = new Set<string>();
  return list.map((raw: unknown) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const id = r['id'];
    const method = typeof r['method'] === 'string' ? r['method'].toUpperCase() : '';
    const url = r['url'];
    if (typeof id !== 'string' || !id || id.length > 64) throw badBatch('Each request in a batch needs an id.');
    if (seen.has(id)) throw badBatch(`Request id '${id}' is used more than once in the batch.`);
    if (!METHODS.has(method)) throw badBatch(`Invalid method for request '${id}'.`);
    // Relative URLs only, inside the same API version; absolute ones could reach anything.
    if (typeof url !== 'string' || !url || url.length > 2048 || /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//') || /(\$|%24)batch/i.test(url)) {
      throw badBatch(`Invalid URL for request '${id}'.`);
    }
    const headers = (r['headers'] ?? {}) as Record<string, unknown>;
    if (typeof headers !== 'object' || Array.isArray(headers) || Object.values(headers).some((v) => typeof v !== 'string')) throw badBatch(`Invalid headers for request '${id}'.`);
    const dependsOn = r['dependsOn'] ?? [];
    if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string' || !seen.has(d))) {
      throw badBatch(`Request '${id}' depends on a request that is not earlier in the batch.`);
    }
    if (r['body'] !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      throw badBatch(`Content-Type header must be specified for request '${id}' with a body.`);
    }
    if (r['body'] !== undefined && (method === 'GET' || method === 'DELETE')) throw badBatch(`Request '${id}' may not have a body.`);
    try {
      new Headers(headers as Record<string, string>);
    } catch {
      throw badBatch(`Invalid headers for request '${id}'.`);
    }
    seen.add(id);
    return { id, method, url, headers: headers as Record<string, string>, body: r['body'], dependsOn: dependsOn as string[] };
  });
}

/**
 * `POST /$batch`: JSON batching. Each request runs through Graph's routes (only those) as the
 * batch's already verified caller, one after the other so `dependsOn` holds; a request whose
 * dependency failed answers 424, as Graph does.
 */
export function batchRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext, dispatch: (request: Request) => Promise<Response>): void {
  const { responder } = context;
  graph.post('/$batch', async (c) => {
    const requests = parseRequests(await readJsonObject(c));
    const caller = c.get('caller');
    const statuses = new Map<string, number>();
    const responses: Array<Record<string, unknown>> = [];
    for (const request of requests) {
      if (request.dependsOn.some((d) => (statuses.get(d) ?? 500) >= 400)) {
        statuses.set(request.id, 424);
        responses.push({ id: request.id, status: 424, headers: {}, body: { error: { code: 'FailedDependency', message: 'Failed dependency.' } } });
        continue;
      }
      let path = request.url.startsWith('/') ? request.url : `/${request.url}`;
      // SDKs that strip only the host send `/v1.0/...`; the batch's own version is implied.
      if (path.toLowerCase().startsWith(`/${responder.version}/`)) path = path.slice(responder.version.length + 1);
      const headers = new Headers(request.headers);
      // The part runs as the batch's verified caller, whatever Authorization it names.
      headers.delete('authorization');
      const sent = withVerifiedCaller(new Request(`${responder.publicUrl}/${responder.version}${path}`, {
        method: request.method,
        headers,
        ...(request.body !== undefined ? { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) } : {}),
      }), caller);
      const answer = await dispatch(sent);
      const text = await answer.text();
      const kept: Record<string, string> = {};
      for (const [name, spelled] of Object.entries(KEPT_HEADERS)) {
        const value = answer.headers.get(name);
        if (value !== null) kept[spelled] = value;
      }
      let body: unknown = undefined;
      if (text) {
        try {
          body = (answer.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
        } catch {
          body = text;
        }
      }
      statuses.set(request.id, answer.status);
      responses.push({ id: request.id, status: answer.status, headers: kept, ...(body !== undefined ? { body } : {}) });
    }
    return c.json({ responses }, 200);
  });
}
